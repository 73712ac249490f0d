//! AuthPI: see providers.md. (Not implemented yet.)

pub const PROVIDER: &str = "authpi";
