/** Registers every object command reader (imported once by the parse worker). */
import './read/check.js';
