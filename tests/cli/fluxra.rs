//! Fluxra end to end.
