//! `agentcred profiles list | show | use | remove`.
//!
//! `remove` deletes the profile's local secrets and config only: nothing is revoked at the
//! service, and the message says so (like `cargo logout`).

use serde::Serialize;

use super::Ctx;
use crate::cli::args::ProfilesCommand;
use crate::error::Result;
use crate::local::LocalFacts;
use crate::output::{Human, Output, Render, tables};
use crate::profile::{Config, Endpoints};
use crate::spec::Provider;
use crate::store::{self, StoreKind};

#[derive(Serialize, schemars::JsonSchema)]
struct ProfileRow {
    name: String,
    provider: Provider,
    agent_id: String,
    store: StoreKind,
    sandbox: bool,
    current: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ListView {
    current: Option<String>,
    profiles: Vec<ProfileRow>,
}

impl Render for ListView {
    fn human(&self, out: &mut Human) {
        if self.profiles.is_empty() {
            out.line("No profiles. Register one with `agentcred register PROVIDER ...` (add --sandbox to try it offline).");
            return;
        }
        let mut table = tables::new(
            out.styled,
            &["", "profile", "provider", "agent id", "store", "sandbox"],
        );
        for p in &self.profiles {
            table.add_row(vec![
                if p.current { "*" } else { "" }.to_owned(),
                p.name.clone(),
                p.provider.display_name().to_owned(),
                p.agent_id.clone(),
                p.store.to_string(),
                if p.sandbox { "yes" } else { "no" }.to_owned(),
            ]);
        }
        out.table(table);
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct ShowView {
    name: String,
    current: bool,
    provider: Provider,
    sandbox: bool,
    agent_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_name: Option<String>,
    created_at: String,
    /// Recorded endpoints; empty for sandbox profiles, which use the embedded sandbox.
    endpoints: Endpoints,
    /// The service's own record (ids, the key in use, ...).
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    record: toml::Table,
    /// Secrets kept beyond the service's own (spares during a rotation).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extra_secrets: Vec<String>,
    local: LocalFacts,
}

impl Render for ShowView {
    fn human(&self, out: &mut Human) {
        let mut rows = vec![
            (
                "profile",
                format!(
                    "{}{}",
                    self.name,
                    if self.current { " (current)" } else { "" }
                ),
            ),
            ("provider", self.provider.display_name().to_owned()),
            ("agent id", self.agent_id.clone()),
        ];
        if let Some(name) = &self.agent_name {
            rows.push(("agent name", name.clone()));
        }
        rows.push(("created", self.created_at.clone()));
        if self.sandbox {
            rows.push(("endpoints", "the embedded sandbox".to_owned()));
        } else {
            for (name, url) in &self.endpoints {
                rows.push((name.as_str(), url.clone()));
            }
        }
        for (k, v) in &self.record {
            let shown = match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            rows.push((k.as_str(), shown));
        }
        out.fields(&rows);
        out.blank();
        self.local.render(out);
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct Done {
    profile: String,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    removed_secrets: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked_on_service: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Render for Done {
    fn human(&self, out: &mut Human) {
        match self.action {
            "use" => out.line(format!("'{}' is now the current profile.", self.profile)),
            _ => {
                out.line(format!(
                    "Removed profile '{}' and its local secrets ({}).",
                    self.profile,
                    self.removed_secrets
                        .as_deref()
                        .unwrap_or_default()
                        .join(", ")
                ));
                if let Some(note) = &self.note {
                    out.line(note);
                }
            }
        }
    }
}

pub fn run(ctx: &Ctx, command: ProfilesCommand) -> Result<()> {
    match command {
        ProfilesCommand::List => {
            let config = ctx.config()?;
            let profiles = config
                .profiles
                .iter()
                .map(|(name, p)| ProfileRow {
                    name: name.clone(),
                    provider: p.provider,
                    agent_id: p.agent_id.clone(),
                    store: p.store,
                    sandbox: p.sandbox,
                    current: config.current.as_deref() == Some(name),
                })
                .collect();
            ctx.printer.print(&ListView {
                current: config.current.clone(),
                profiles,
            })
        }
        ProfilesCommand::Show(args) => {
            let config = ctx.config()?;
            let name = match args.name {
                Some(name) => name,
                None => ctx.selected_name(&config)?,
            };
            let profile = config.get(&name)?.clone();
            let store = store::open(profile.store, &ctx.paths)?;
            let local = LocalFacts::of(&name, &profile, store.as_ref())?;
            ctx.printer.print(&ShowView {
                current: config.current.as_deref() == Some(name.as_str()),
                name,
                provider: profile.provider,
                sandbox: profile.sandbox,
                agent_id: profile.agent_id,
                agent_name: profile.agent_name,
                created_at: profile.created_at,
                endpoints: profile.endpoints,
                record: profile.record,
                extra_secrets: profile.extra_secrets,
                local,
            })
        }
        ProfilesCommand::Use(args) => {
            Config::update(&ctx.paths, |config| {
                config.get(&args.name)?;
                config.current = Some(args.name.clone());
                Ok(())
            })?;
            ctx.printer.print(&Done {
                profile: args.name,
                action: "use",
                removed_secrets: None,
                revoked_on_service: None,
                note: None,
            })
        }
        ProfilesCommand::Remove(args) => remove(ctx, &args.name),
    }
}

fn remove(ctx: &Ctx, name: &str) -> Result<()> {
    let (provider, removed) = Config::update(&ctx.paths, |config| {
        let profile = config.get(name)?.clone();
        // Secrets first: if the store fails, the profile stays so the user can try again.
        let store = store::open(profile.store, &ctx.paths)?;
        let mut removed = Vec::new();
        for kind in profile.secret_kinds() {
            if store.delete(&store::account(name, &kind))? {
                removed.push(kind);
            }
        }
        config.profiles.remove(name);
        if config.current.as_deref() == Some(name) {
            config.current = None;
        }
        Ok((profile.provider, removed))
    })?;
    let note = format!(
        "Nothing was revoked at {}: the agent and its credentials still exist there.",
        provider.display_name()
    );
    ctx.printer.print(&Done {
        profile: name.to_owned(),
        action: "remove",
        removed_secrets: Some(removed),
        revoked_on_service: Some(false),
        note: Some(note),
    })
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("profiles list", schema_of::<ListView>()),
        ("profiles show", schema_of::<ShowView>()),
        ("profiles use", schema_of::<Done>()),
        ("profiles remove", schema_of::<Done>()),
    ]
}
