//! `agentcred profiles list | show | use | remove | move`.
//!
//! `remove` deletes the profile's local secrets and config only: nothing is revoked at the
//! service, and the message says so (like `cargo logout`). A profile kept in a store shared
//! between hosts (the vault) is only forgotten on this host: its secrets are not this host's
//! to delete; `--purge` (confirmed, or `--yes`) destroys the shared document, every version.
//!
//! `move NAME --to-store STORE` copies the profile's secrets to the other store, reads each one
//! back through a new handle to the store, switches the profile over, and only then deletes
//! the old copies, all under the profile's refresh lock. If a step before the switch fails, the
//! profile stays where it was (and the partial copy is removed again); if deleting the old
//! copies fails, the command exits 7 and says which copies remain.

use serde::Serialize;

use super::Ctx;
use crate::cli::args::{ProfileMoveArgs, ProfileRemoveArgs, ProfilesCommand};
use crate::error::{Error, Result};
use crate::local::LocalFacts;
use crate::output::{Human, Output, Render, tables};
use crate::profile::{Config, Endpoints, Profile};
use crate::secret::Secret;
use crate::session;
use crate::spec::Provider;
use crate::store::{self, SecretStore, StoreChoice, StoreKind};

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
                rows.push((name.as_str(), crate::http::shown_url(url)));
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
    /// `remove` of a profile in a shared store: whether its shared document was destroyed.
    #[serde(skip_serializing_if = "Option::is_none")]
    purged: Option<bool>,
    /// `move`: the stores it moved between.
    #[serde(skip_serializing_if = "Option::is_none")]
    from_store: Option<StoreKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_store: Option<StoreKind>,
}

impl Render for Done {
    fn human(&self, out: &mut Human) {
        match self.action {
            "use" => out.note(format!("'{}' is now the current profile.", self.profile)),
            "move" => out.line(format!(
                "Moved profile '{}' from the {} store to the {} store ({}).",
                self.profile,
                self.from_store.map(|s| s.to_string()).unwrap_or_default(),
                self.to_store.map(|s| s.to_string()).unwrap_or_default(),
                self.removed_secrets
                    .as_deref()
                    .unwrap_or_default()
                    .join(", ")
            )),
            "forget" => {
                out.line(format!("Forgot profile '{}' on this host.", self.profile));
                if let Some(note) = &self.note {
                    out.line(note);
                }
            }
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
        ProfilesCommand::List(args) => {
            let config = ctx.config()?;
            if args.names && !ctx.printer.json {
                let names: String = config.profiles.keys().map(|n| format!("{n}\n")).collect();
                return ctx.printer.raw(&names);
            }
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
            let store = profile.open_store(&name, &ctx.paths)?;
            let local = LocalFacts::of(&name, &profile, store.as_ref())?;
            ctx.printer.print(&ShowView {
                current: config.current.as_deref() == Some(name.as_str()),
                name,
                provider: profile.provider,
                sandbox: profile.sandbox,
                agent_id: profile.agent_id,
                agent_name: profile.agent_name,
                created_at: profile.created_at,
                // A user:password an edited config put in a URL is never shown.
                endpoints: profile
                    .endpoints
                    .iter()
                    .map(|(name, url)| (name.clone(), crate::http::shown_url(url)))
                    .collect(),
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
                purged: None,
                from_store: None,
                to_store: None,
            })
        }
        ProfilesCommand::Remove(args) => remove(ctx, &args),
        ProfilesCommand::Move(args) => move_profile(ctx, &args),
    }
}

fn remove(ctx: &Ctx, args: &ProfileRemoveArgs) -> Result<()> {
    let name = args.name.as_str();
    let profile = ctx.config()?.get(name)?.clone();
    if profile.store.is_shared() {
        return forget(ctx, name, &profile, args);
    }
    if args.purge {
        return Err(Error::usage(format!(
            "--purge destroys a profile's shared document, and profile '{name}' keeps its secrets in the {} store of this host",
            profile.store
        ))
        .with_hint(format!(
            "drop --purge: `agentcred profiles remove {name}` deletes its secrets here"
        )));
    }
    if !profile.sandbox {
        confirm_loss(ctx, name, &profile, args)?;
    }
    // The lock a refresh or a credential change takes (before the config's, as they do):
    // none may store a new credential behind the removal.
    let _lock = session::refresh_lock(
        &ctx.paths,
        name,
        profile.open_store(name, &ctx.paths)?.as_ref(),
    )?;
    let (provider, removed) = Config::update(&ctx.paths, |config| {
        let profile = config.get(name)?.clone();
        // Secrets first: if the store fails, the profile stays so the user can try again.
        let store = profile.open_store(name, &ctx.paths)?;
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
        purged: None,
        from_store: None,
        to_store: None,
    })
}

/// Have the user confirm the loss of what removing a real profile deletes for good: its
/// long-lived or one-time secrets (a refresh token, a recovery key, a client secret). A
/// sandbox profile's are fakes, re-made by registering again, so they need no confirmation.
fn confirm_loss(ctx: &Ctx, name: &str, profile: &Profile, args: &ProfileRemoveArgs) -> Result<()> {
    let store = profile.open_store(name, &ctx.paths)?;
    let spec = profile.provider.spec();
    let lost: Vec<String> = profile
        .secret_kinds()
        .into_iter()
        .filter(|kind| {
            spec.secret(kind)
                .is_none_or(|s| s.shown_once || s.lifetime == crate::spec::Lifetime::LongLived)
        })
        .filter(|kind| {
            store
                .get(&store::account(name, kind))
                .is_ok_and(|v| v.is_some())
        })
        .collect();
    if lost.is_empty() {
        return Ok(());
    }
    ctx.confirm(
        &format!(
            "removing profile '{name}' deletes its {} for good ({} shows such secrets once; nothing is revoked there)",
            lost.join(", "),
            profile.provider.display_name()
        ),
        &format!(
            "Remove profile '{name}'? Its {} will be deleted and cannot be recovered.",
            lost.join(", ")
        ),
        args.confirm.yes,
    )
}

/// `remove` of a profile in a shared store: forget it here; with `--purge`, destroy its shared
/// document first (so that a failure leaves this host able to try again).
fn forget(ctx: &Ctx, name: &str, profile: &Profile, args: &ProfileRemoveArgs) -> Result<()> {
    let store = profile.open_store(name, &ctx.paths)?;
    let mut purged = None;
    let mut removed = Vec::new();
    if args.purge
        && let Some(shared) = store.shared()
    {
        let place = shared.describe();
        ctx.confirm(
            &format!("destroying profile '{name}' in {place}"),
            &format!(
                "Destroy {place}, every version of it, for every host that uses profile '{name}'? Its one-time secrets cannot be recovered"
            ),
            args.confirm.yes,
        )?;
        removed = profile
            .secret_kinds()
            .into_iter()
            .filter(|kind| {
                store
                    .get(&store::account(name, kind))
                    .is_ok_and(|v| v.is_some())
            })
            .collect();
        purged = Some(shared.destroy()?);
    }
    Config::update(&ctx.paths, |config| {
        config.profiles.remove(name);
        if config.current.as_deref() == Some(name) {
            config.current = None;
        }
        Ok(())
    })?;
    let place = store
        .shared()
        .map_or_else(|| format!("the {} store", profile.store), |s| s.describe());
    let note = if purged.is_some() {
        format!(
            "Destroyed {place}. Nothing was revoked at {}: the agent still exists there.",
            profile.provider.display_name()
        )
    } else {
        format!(
            "Its secrets stay in {place} for the other hosts; destroy them with `agentcred profiles remove {name} --purge`."
        )
    };
    ctx.printer.print(&Done {
        profile: name.to_owned(),
        action: if purged.is_some() { "remove" } else { "forget" },
        removed_secrets: Some(removed),
        revoked_on_service: Some(false),
        note: Some(note),
        purged: Some(purged.unwrap_or(false)),
        from_store: None,
        to_store: None,
    })
}

fn move_profile(ctx: &Ctx, args: &ProfileMoveArgs) -> Result<()> {
    let name = args.name.as_str();
    let profile = ctx.config()?.get(name)?.clone();
    let to = args.to_store;
    if to == profile.store {
        return Err(Error::usage(format!(
            "profile '{name}' already keeps its secrets in the {to} store"
        ))
        .with_hint("name another store with --to-store"));
    }
    // The keychain's own preconditions (a session bus), as for a new profile.
    store::resolve(StoreChoice::from(to), profile.sandbox, &ctx.paths)?;
    let source = profile.open_store(name, &ctx.paths)?;
    let target = store::open_profile(name, to, None, &ctx.paths)?;
    target.check()?;
    let mut moved = profile.clone();
    moved.store = to;
    moved.remember_store(target.as_ref());
    refuse_another_agent(target.as_ref(), name, &profile)?;

    // No refresh may write a new credential to the old store while the copy is made.
    let _lock = session::refresh_lock(&ctx.paths, name, source.as_ref())?;
    let mut values: Vec<(String, Secret<String>)> = Vec::new();
    for kind in profile.secret_kinds() {
        if let Some(value) = source.get(&store::account(name, &kind))? {
            values.push((kind, value));
        }
    }
    if let Err(e) = copy_and_verify(ctx, name, &moved, target.as_ref(), &values) {
        undo_copy(name, target.as_ref(), &values);
        return Err(Error::store(format!(
            "could not move profile '{name}' to the {to} store: {}; it still keeps its secrets in the {} store, unchanged",
            e.message,
            profile.store
        ))
        .with_hint(e.hint.unwrap_or_else(|| "fix the target store, then try again".into())));
    }
    Config::update_profile(&ctx.paths, name, |p| {
        p.store = moved.store;
        p.vault = moved.vault.clone();
        Ok(())
    })?;

    // The profile now reads from the new store; the old copies go.
    let deleted = match source.shared() {
        Some(shared) => shared.destroy().map(drop),
        None => values
            .iter()
            .try_for_each(|(kind, _)| source.delete(&store::account(name, kind)).map(drop)),
    };
    if let Err(e) = deleted {
        return Err(Error::store(format!(
            "moved profile '{name}' to the {to} store, but deleting its old copies from the {} store failed: {}",
            profile.store, e.message
        ))
        .with_hint(format!(
            "the profile works from the {to} store; delete the old copies by hand ({})",
            e.hint.unwrap_or_else(|| "see the message above".into())
        )));
    }
    ctx.printer.print(&Done {
        profile: name.to_owned(),
        action: "move",
        removed_secrets: Some(values.into_iter().map(|(kind, _)| kind).collect()),
        revoked_on_service: None,
        note: None,
        purged: None,
        from_store: Some(profile.store),
        to_store: Some(to),
    })
}

/// A shared target store that already holds a profile `name` refuses the move, unless it is
/// a copy of this very agent (a move that stopped half-way), which may be replaced.
fn refuse_another_agent(target: &dyn SecretStore, name: &str, profile: &Profile) -> Result<()> {
    let Some(shared) = target.shared() else {
        return Ok(());
    };
    if !shared.exists()? {
        return Ok(());
    }
    let same_agent = shared.read_record()?.is_some_and(|record| {
        record["agent_id"] == profile.agent_id.as_str()
            && record["provider"] == profile.provider.id()
    });
    if same_agent {
        return Ok(());
    }
    Err(Error::conflict(format!(
        "{} already holds another profile named '{name}'",
        shared.describe()
    ))
    .with_hint(
        "rename nothing there: register or move this profile under another name, or remove the other one with `profiles remove NAME --purge` from a host that uses it",
    ))
}

/// Write every secret (and, for a shared store, the record), then read each back through a new
/// handle, so that no cache answers for the store.
fn copy_and_verify(
    ctx: &Ctx,
    name: &str,
    moved: &Profile,
    target: &dyn SecretStore,
    values: &[(String, Secret<String>)],
) -> Result<()> {
    for (kind, value) in values {
        target.set(&store::account(name, kind), value)?;
    }
    if let Some(shared) = target.shared() {
        shared.write_record(&moved.shared_record()?)?;
    }
    let reader = moved.open_store(name, &ctx.paths)?;
    for (kind, value) in values {
        if reader.get(&store::account(name, kind))?.as_ref() != Some(value) {
            return Err(Error::store(format!(
                "the {} store did not give back the {kind} just written",
                moved.store
            )));
        }
    }
    Ok(())
}

/// Best effort: remove a partial copy, so that a failed move leaves one copy, the old one.
fn undo_copy(name: &str, target: &dyn SecretStore, values: &[(String, Secret<String>)]) {
    match target.shared() {
        Some(shared) => {
            let _ = shared.destroy();
        }
        None => {
            for (kind, _) in values {
                let _ = target.delete(&store::account(name, kind));
            }
        }
    }
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("profiles list", schema_of::<ListView>()),
        ("profiles show", schema_of::<ShowView>()),
        ("profiles use", schema_of::<Done>()),
        ("profiles remove", schema_of::<Done>()),
        ("profiles move", schema_of::<Done>()),
    ]
}
