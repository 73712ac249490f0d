//! agentcred: the credentials of AI agents across the services that give them an identity, a
//! wallet or a card (the registry in [`services`] lists them).
//!
//! Data flows one way: [`cli`] (what the user typed) → [`commands`] (what to do) →
//! [`providers`] (what each service wants on the wire) → [`http`] (how bytes travel). Secrets
//! are [`secret::Secret`] values that go through [`store`]; a selected profile with its store
//! and endpoints is a [`session::Session`], which also owns the single-flight refresh of
//! short-lived credentials. Results come back as plain view structs that [`output`] renders
//! for a person or as one JSON document. [`sandbox`] emulates the four services over real
//! HTTP, for offline use and for the tests.

pub mod amount;
pub mod app;
pub mod broker;
pub mod child;
pub mod childenv;
pub mod cli;
pub mod commands;
pub mod context;
pub mod duration;
pub mod enroll;
pub mod error;
pub mod fsutil;
pub mod gateway;
pub mod generate;
pub mod http;
pub mod input;
pub mod jwt;
pub mod local;
pub mod operator;
pub mod output;
pub mod paths;
pub mod profile;
pub mod redact;
pub mod sandbox;
pub mod sandbox_host;
pub mod secret;
pub mod service;
pub mod services;
pub mod session;
pub mod spec;
pub mod store;
pub mod timefmt;
pub mod validate;
