//! What a profile holds locally, read without any network: which store holds each of its
//! secrets, and when each short-lived one expires (decoded from the JWT's `exp`).

use serde::Serialize;

use crate::duration;
use crate::error::Result;
use crate::jwt;
use crate::output::{Human, tables};
use crate::profile::Profile;
use crate::session::Session;
use crate::store::{SecretStore, StoreKind};
use crate::timefmt;

/// What the profile holds locally.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LocalFacts {
    pub store: StoreKind,
    pub secrets: Vec<SecretFact>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SecretFact {
    pub kind: &'static str,
    pub present: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_s: Option<i64>,
}

impl LocalFacts {
    pub fn read(session: &Session) -> Result<LocalFacts> {
        LocalFacts::of(&session.name, &session.profile, session.store.as_ref())
    }

    /// Local facts without a session: no endpoints, no network, nothing started.
    pub fn of(name: &str, profile: &Profile, store: &dyn SecretStore) -> Result<LocalFacts> {
        let spec = profile.provider.spec();
        let short_lived = spec.short_lived_kind();
        let now = timefmt::now_unix();
        let mut secrets = Vec::new();
        for kind in spec.secret_kinds() {
            let value = store.get(&crate::store::account(name, kind))?;
            let exp = value
                .as_ref()
                .filter(|_| Some(kind) == short_lived)
                .and_then(|v| jwt::decode(v.expose()))
                .and_then(|info| info.exp);
            secrets.push(SecretFact {
                kind,
                present: value.is_some(),
                expires_at: exp.map(timefmt::from_unix_secs),
                expires_in_s: exp.map(|e| e - now),
            });
        }
        Ok(LocalFacts {
            store: profile.store,
            secrets,
        })
    }

    pub fn render(&self, out: &mut Human) {
        let mut table = tables::new(out.styled, &["secret", "stored in", "expires"]);
        for fact in &self.secrets {
            let stored = if fact.present {
                self.store.to_string()
            } else {
                "missing".to_owned()
            };
            let expires = match (&fact.expires_at, fact.expires_in_s) {
                (Some(at), Some(left)) if left > 0 => {
                    format!(
                        "{at} (in {})",
                        duration::human(std::time::Duration::from_secs(left as u64))
                    )
                }
                (Some(at), Some(_)) => format!("{at} (expired; refreshed on next use)"),
                _ => "-".to_owned(),
            };
            table.add_row(vec![fact.kind.to_owned(), stored, expires]);
        }
        out.table(table);
    }
}
