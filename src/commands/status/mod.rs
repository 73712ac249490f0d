//! `agentcred status`: the agent as its service sees it, plus local facts that need no
//! network: which store holds each secret and when each short-lived credential expires
//! (decoded from the JWT's `exp`). `--all` shows the local facts of every profile.

mod authpi;
mod fluxa;
mod fluxra;
mod proxy;

pub(crate) use fluxa::{Monthly, fluxa_monthly};

use serde::Serialize;

use super::Ctx;
use crate::cli::StatusArgs;
use crate::duration;
use crate::error::Result;
use crate::jwt;
use crate::output::{Human, Render, tables};
use crate::profile::{Profile, Provider};
use crate::session::Session;
use crate::store::{SecretStore, StoreKind};
use crate::timefmt;

/// What the profile holds locally.
#[derive(Debug, Serialize)]
pub struct LocalFacts {
    pub store: StoreKind,
    pub secrets: Vec<SecretFact>,
}

#[derive(Debug, Serialize)]
pub struct SecretFact {
    pub kind: &'static str,
    pub present: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_secs: Option<i64>,
}

impl LocalFacts {
    pub fn read(session: &Session) -> Result<LocalFacts> {
        LocalFacts::of(&session.name, &session.profile, session.store.as_ref())
    }

    /// Local facts without a session: no endpoints, no network, nothing started.
    pub fn of(name: &str, profile: &Profile, store: &dyn SecretStore) -> Result<LocalFacts> {
        let short_lived = profile.provider.short_lived_kind();
        let now = timefmt::now_unix();
        let mut secrets = Vec::new();
        for kind in profile.provider.secret_kinds() {
            let value = store.get(&crate::store::account(name, kind))?;
            let exp = value
                .as_ref()
                .filter(|_| Some(*kind) == short_lived)
                .and_then(|v| jwt::decode(v.expose()))
                .and_then(|info| info.exp);
            secrets.push(SecretFact {
                kind,
                present: value.is_some(),
                expires_at: exp.map(timefmt::from_unix_secs),
                expires_in_secs: exp.map(|e| e - now),
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
            let expires = match (&fact.expires_at, fact.expires_in_secs) {
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

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    if args.all {
        return all(ctx);
    }
    let session = ctx.session()?;
    match session.provider() {
        Provider::Fluxa => fluxa::status(ctx, &session, &args),
        Provider::Fluxra => fluxra::status(ctx, &session, &args),
        Provider::Authpi => authpi::status(ctx, &session, &args),
        Provider::Proxy => proxy::status(ctx, &session, &args),
    }
}

#[derive(Serialize)]
struct ProfileFacts {
    profile: String,
    provider: Provider,
    agent_id: String,
    sandbox: bool,
    current: bool,
    local: LocalFacts,
}

#[derive(Serialize)]
struct AllView {
    profiles: Vec<ProfileFacts>,
}

impl Render for AllView {
    fn human(&self, out: &mut Human) {
        if self.profiles.is_empty() {
            out.line("No profiles. Register one with `agentcred register PROVIDER ...` (add --sandbox to try it offline).");
            return;
        }
        for p in &self.profiles {
            let marks = [
                p.current.then_some("current"),
                p.sandbox.then_some("sandbox"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" ({})", marks.join(", "))
            };
            out.heading(&format!(
                "{} — {} agent {}{marks}",
                p.profile,
                p.provider.display_name(),
                p.agent_id
            ));
            p.local.render(out);
        }
    }
}

fn all(ctx: &Ctx) -> Result<()> {
    let config = ctx.config()?;
    let mut profiles = Vec::new();
    for (name, profile) in &config.profiles {
        // Local facts only: no sandbox, no endpoints, no network.
        let store = crate::store::open(profile.store, &ctx.paths)?;
        profiles.push(ProfileFacts {
            profile: name.clone(),
            provider: profile.provider,
            agent_id: profile.agent_id.clone(),
            sandbox: profile.sandbox,
            current: config.current.as_deref() == Some(name),
            local: LocalFacts::of(name, profile, store.as_ref())?,
        });
    }
    ctx.printer.print(&AllView { profiles })
}
