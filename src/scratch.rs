//! Scratch module.
