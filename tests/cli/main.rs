//! The one integration-test binary: the real `agentcred` binary against a real sandbox.

mod architecture;
mod authpi;
mod check;
mod completion;
mod contract;
mod docs;
mod errors;
mod exec;
mod fluxa;
mod fluxra;
mod gateway;
mod generated;
mod hardening;
mod keychain;
mod man;
mod mcp;
mod profiles;
mod proxy;
mod rules;
mod secrets;
mod snapshots;
mod support;
mod vault;
