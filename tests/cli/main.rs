//! The one integration-test binary: the real `agentcred` binary against a real sandbox.

mod errors;
mod fluxa;
mod generated;
mod keychain;
mod profiles;
mod secrets;
mod support;
