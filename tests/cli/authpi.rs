//! AuthPI end to end.
