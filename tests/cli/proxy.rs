//! Proxy end to end.
