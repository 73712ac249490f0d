//! agentcred: the credentials of AI agents across the services that give them an identity, a
//! wallet or a card (the registry in [`services`] lists them).
//!
//! Data flows one way: [`cli`] (what the user typed) → [`commands`] (the generic commands,
//! which ask the registry in [`services`]) → `services::<id>` (one module per service: its
//! [`spec::ServiceSpec`], its [`service::Service`] behaviour, its wire client) → the shared
//! flows ([`context`], [`session`] with the single-flight refresh and the one way to a bearer
//! credential, [`enroll`] for one-time secrets, [`spare`] for a profile's further credentials,
//! [`operator`] for org keys) → [`http`] (how bytes travel). Secrets are [`secret::Secret`]
//! values that go through [`store`]. Results come back as plain view structs (a status as
//! [`status_view`]'s one shape) that [`output`] renders for a person or as one JSON document. The emulator lives in the
//! `agentcred-sandbox` crate (the default-on `sandbox` feature); [`sandbox_host`] is the only
//! module that names it. [`fsutil`] and [`validate`] come from `agentcred-core`, the rules the
//! CLI and the sandbox share.

pub mod amount;
pub mod app;
pub mod approvals;
pub mod audit;
pub mod broker;
pub mod checkup;
pub mod child;
pub mod childenv;
pub mod cli;
pub mod commands;
pub mod context;
pub mod duration;
pub mod enroll;
pub mod ephemeral;
pub mod error;
pub mod freeze;
pub mod gateway;
pub mod generate;
pub mod guard;
pub mod health;
pub mod homecheck;
pub mod http;
pub mod input;
pub mod isolate;
pub mod jwt;
pub mod leaks;
pub mod ledger;
pub mod listen;
pub mod local;
pub mod operator;
pub mod output;
pub mod paths;
pub mod policy;
pub mod profile;
pub mod redact;
pub mod relay;
pub mod sandbox_host;
pub mod secret;
pub mod service;
pub mod services;
pub mod session;
pub mod spare;
pub mod spec;
pub mod status_view;
pub mod store;
pub mod timefmt;
pub mod view;

pub use agentcred_core::{fsutil, validate};
