//! Product rules that both the agentcred CLI and its sandbox obey.
//!
//! The sandbox must refuse the same malformed input the CLI refuses (a CAIP-2 network, an EVM
//! address, an email) and keep its state file as privately and atomically as the CLI keeps its
//! own files. Those rules live here, in one copy, so the two can never disagree, and so the
//! product does not depend on the emulator to validate what a user typed (the emulator is an
//! optional feature of the CLI; this crate is not).

pub mod fsutil;
pub mod validate;
