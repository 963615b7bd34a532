//! The reindex admin trait over the embedded simulation (demo mode). (Filled in once the
//! simulation's shared world with indices, aliases and tasks lands.)
