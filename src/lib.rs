//! agentcred: the credentials of AI agents across FluxA, Fluxra, AuthPI and Proxy.
//!
//! Data flows one way: [`cli`] (what the user typed) → [`commands`] (what to do) →
//! [`providers`] (what each service wants on the wire) → [`http`] (how bytes travel). Secrets
//! are [`secret::Secret`] values that go through [`store`]; a selected profile with its store
//! and endpoints is a [`session::Session`], which also owns the single-flight refresh of
//! short-lived credentials. Results come back as plain view structs that [`output`] renders
//! for a person or as one JSON document. The emulator of the four services lives in the
//! `agentcred-sandbox` crate (the default-on `sandbox` feature); [`sandbox_host`] is the only
//! module that names it. [`fsutil`] and [`validate`] come from `agentcred-core`, the rules the
//! CLI and the sandbox share.

pub mod amount;
pub mod app;
pub mod cli;
pub mod commands;
pub mod duration;
pub mod error;
pub mod generate;
pub mod http;
pub mod input;
pub mod jwt;
pub mod output;
pub mod paths;
pub mod profile;
pub mod providers;
pub mod sandbox_host;
pub mod secret;
pub mod session;
pub mod store;
pub mod timefmt;

pub use agentcred_core::{fsutil, validate};
