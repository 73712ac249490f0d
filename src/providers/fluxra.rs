//! Fluxra: see providers.md. (Not implemented yet.)

pub const PROVIDER: &str = "fluxra";
