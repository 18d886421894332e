/** Registers every object command reader (imported once by the parse worker). */
export {};
