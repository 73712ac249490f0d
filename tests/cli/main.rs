//! The one integration-test binary: the real `agentcred` binary against a real sandbox.

mod architecture;
mod authpi;
mod check;
mod errors;
mod fluxa;
mod fluxra;
mod generated;
mod hardening;
mod keychain;
mod profiles;
mod proxy;
mod secrets;
mod support;
mod vault;
