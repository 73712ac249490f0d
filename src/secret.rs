//! `Secret<T>`: a value that must not leak.
//!
//! It has a redacted `Debug`, no `Display` and no `Serialize`, so a secret cannot reach a log
//! line, an error message or a JSON document by accident. Code that really needs the value calls
//! [`Secret::expose`]; each call marks a boundary where the secret leaves our control (an HTTP
//! header, the credential store, `--reveal` output), and is worth a reviewer's look.
//!
//! [`StoreKind`] (which kind of store keeps a secret) lives here too, below both the stores and
//! the output that reports where each secret is kept.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The secret value itself. Use of this method marks a boundary; see the module doc.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl From<String> for Secret<String> {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::from("tok_very_secret");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("tok_very_secret"), "{shown}");
        assert_eq!(secret.expose(), "tok_very_secret");
    }
}

/// Which backend holds a profile's secrets; recorded in the profile.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    Keychain,
    File,
    Vault,
}

impl StoreKind {
    /// Whether the store is shared between hosts (so a profile's secrets there are not this
    /// host's to delete when it forgets the profile).
    pub fn is_shared(self) -> bool {
        matches!(self, StoreKind::Vault)
    }
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreKind::Keychain => "keychain",
            StoreKind::File => "file",
            StoreKind::Vault => "vault",
        })
    }
}
