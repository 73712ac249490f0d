//! The secrets part of a command's result: where each secret went, and its value only with
//! `--reveal`.

use serde::Serialize;

use crate::output::{Human, tables};
use crate::secret::Secret;
use crate::secret::StoreKind;
use crate::timefmt;

/// One secret in a command's result: where it went, and its value only with `--reveal`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SecretReport {
    pub kind: &'static str,
    pub store: StoreKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl SecretReport {
    /// The secrets table of a command's result, then the values `--reveal` asked for.
    pub fn render_all(secrets: &[SecretReport], out: &mut Human) {
        if secrets.is_empty() {
            return;
        }
        let mut table = tables::new(out.styled, &["secret", "stored in", "expires"]);
        for secret in secrets {
            table.add_row(vec![
                secret.kind.to_owned(),
                secret.store.to_string(),
                tables::cell(secret.expires_at.as_deref()),
            ]);
        }
        out.table(table);
        if secrets.iter().any(|s| s.value.is_some()) {
            out.blank();
            for secret in secrets {
                if let Some(value) = &secret.value {
                    out.line(format!("{}: {value}", secret.kind));
                }
            }
        }
    }

    pub fn new(
        kind: &'static str,
        store: StoreKind,
        secret: &Secret<String>,
        reveal: bool,
    ) -> SecretReport {
        let expires_at = crate::jwt::decode(secret.expose())
            .and_then(|info| info.exp)
            .map(timefmt::from_unix_secs);
        SecretReport {
            kind,
            store,
            expires_at,
            value: reveal.then(|| secret.expose().clone()),
        }
    }
}
