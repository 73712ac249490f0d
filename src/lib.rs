//! agentcred: the credentials of AI agents across FluxA, Fluxra, AuthPI and Proxy.
//!
//! Data flows one way: `cli` (what the user typed) → `commands` (what to do) → `providers`
//! (what each service wants on the wire) → `http` (how bytes travel). Secrets are
//! [`secret::Secret`] values that go through `store`; results come back as plain view structs
//! that `output` renders for a person or as one JSON document. `sandbox` emulates the four
//! services over real HTTP for offline use and for the tests.

pub mod error;
pub mod fsutil;
pub mod paths;
pub mod secret;
pub mod store;
