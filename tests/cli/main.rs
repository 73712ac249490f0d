//! The one integration-test binary: the real `agentcred` binary against a real sandbox.

mod architecture;
mod authpi;
mod errors;
mod exec;
mod fluxa;
mod fluxra;
mod gateway;
mod generated;
mod keychain;
mod profiles;
mod proxy;
mod secrets;
mod support;
