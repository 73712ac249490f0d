//! The one integration-test binary: the real `agentcred` binary against a real sandbox.

mod architecture;
mod authpi;
mod check;
mod contract;
mod errors;
mod exec;
mod fluxa;
mod fluxra;
mod gateway;
mod generated;
mod hardening;
mod homes;
mod hostile;
mod keychain;
mod policy;
mod profiles;
mod proxy;
mod record;
mod rules;
mod secrets;
mod status_view;
mod support;
mod ux;
mod vault;
