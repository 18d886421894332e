/** Registers every object command reader (imported once by the parse worker). */
import './read/check.js';
import './read/domain.js';
import './read/host.js';
import './read/contact.js';
import './read/extensions.js';
