//! `agentcred import RESCUE_FILE` (docs/cli-contract.md §12): move the one-time secrets of a rescue file
//! into the profile's store, record the profile, and delete the file only when everything is
//! stored.
//!
//! - The profile is the one the rescue file names, or `--profile NAME`. When it does not
//!   exist, it is created from the record the rescue file keeps (`context.profile_record`;
//!   older files only have the agent id, the store and the endpoints) in the store it names,
//!   or the one `--store` asks for. Recorded endpoints are checked like any other (docs/cli-contract.md §3).
//! - When it exists, it must be the same agent of the same service. Its record becomes the
//!   rescued one only if it is unchanged since the rescue (`context.record_before`); a profile
//!   that changed since is a conflict (exit 5): storing older secrets over newer ones could lose
//!   the newer ones. Importing under another name (`--profile NEW`) is the way out.
//! - Each secret is written, then read back and compared. Any failure: exit 7, the file stays.
//! - Secret kinds beyond the service's own (spares) are recorded in the profile, so that
//!   `profiles remove` finds them.

use serde::Serialize;

use super::Ctx;
use crate::cli::ImportArgs;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};
use crate::profile::{self, Config, Endpoints, Profile};
use crate::spec::Provider;
use crate::store::{self, StoreKind, rescue};
use crate::timefmt;

#[derive(Serialize, schemars::JsonSchema)]
struct Imported {
    profile: String,
    provider: Provider,
    agent_id: String,
    store: StoreKind,
    /// Whether the profile was created from the rescue file (false: it existed).
    created: bool,
    /// Whether it became the current profile.
    current: bool,
    /// The secret kinds stored and read back.
    secrets: Vec<String>,
    /// The rescue file, deleted once everything was stored.
    rescue_file: String,
    rescue_file_removed: bool,
}

impl Render for Imported {
    fn human(&self, out: &mut Human) {
        let how = if self.created { "created" } else { "updated" };
        out.line(format!(
            "Imported {} into profile '{}' ({how}; {} agent {}), in the {} store.",
            self.secrets.join(", "),
            self.profile,
            self.provider.display_name(),
            self.agent_id,
            self.store
        ));
        if self.rescue_file_removed {
            out.line(format!("Deleted the rescue file {}.", self.rescue_file));
        }
        if self.current {
            out.note(format!("'{}' is now the current profile.", self.profile));
        }
    }
}

/// What a rescue file says of its profile, checked.
struct Rescued {
    /// The profile's record as it was to be saved (older files have none).
    record: Option<Profile>,
    /// The record as it was before the rescued change, to tell whether it changed since.
    record_before: Option<toml::Table>,
    agent_id: String,
}

pub fn run(ctx: &Ctx, args: ImportArgs) -> Result<()> {
    let path = args.rescue_file.as_path();
    let shown = path.display().to_string();
    let file = rescue::read(path)?;
    warn_if_readable_by_others(ctx, path);
    let provider = Provider::find(&file.provider).ok_or_else(|| {
        Error::usage(format!(
            "the rescue file {shown} is for the service '{}', which this agentcred does not know",
            file.provider
        ))
        .with_hint("import it with the agentcred release that wrote it")
    })?;
    let name = ctx.global.profile.clone().unwrap_or(file.profile.clone());
    profile::validate_profile_name(&name)?;
    let rescued = rescued(&file, provider, &shown)?;
    let agent_id = rescued.agent_id.clone();

    let _lock = Config::lock(&ctx.paths)?;
    let mut config = Config::load(&ctx.paths)?;
    let existing = config.profiles.get(&name).cloned();
    let created = existing.is_none();
    if let Some(existing) = &existing {
        // --store cannot move an existing profile's secrets; refused rather than ignored.
        ctx.check_store_flag(&name, existing)
            .map_err(|e| e.with_rescue_file(&shown))?;
    }
    let mut target = target_profile(ctx, &name, existing, rescued, provider, &file, &shown)?;

    let store = target
        .open_store(&name, &ctx.paths)
        .map_err(|e| keep_file(e, &shown))?;
    store.check().map_err(|e| keep_file(e, &shown))?;
    if created {
        target.remember_store(store.as_ref());
    }
    let stored = store_secrets(store.as_ref(), &name, &target, &file.secrets, &shown)?;
    if let Some(shared) = store.shared() {
        shared
            .write_record(&target.shared_record()?)
            .map_err(|e| keep_file(e, &shown))?;
    }
    let current = config.current.is_none();
    if current {
        config.current = Some(name.clone());
    }
    let store_kind = target.store;
    config.profiles.insert(name.clone(), target);
    config.save(&ctx.paths).map_err(|e| keep_file(e, &shown))?;

    let removed = match std::fs::remove_file(path) {
        Ok(()) => true,
        Err(e) => {
            ctx.printer.warn_coded("rescue_file_not_deleted", format!(
                "everything is stored, but the rescue file {shown} could not be deleted ({e}); delete it yourself"
            ));
            false
        }
    };
    ctx.printer.print(&Imported {
        profile: name,
        provider,
        agent_id,
        store: store_kind,
        created,
        current,
        secrets: stored,
        rescue_file: shown,
        rescue_file_removed: removed,
    })
}

/// The profile `name` as the import records it: `existing` brought up to the rescued record,
/// or a new one made from it, with the file's spares listed and its endpoints checked.
fn target_profile(
    ctx: &Ctx,
    name: &str,
    existing: Option<Profile>,
    rescued: Rescued,
    provider: Provider,
    file: &rescue::RescueFile,
    shown: &str,
) -> Result<Profile> {
    let Rescued {
        record,
        record_before,
        agent_id,
    } = rescued;
    let mut target = match existing {
        Some(existing) => merge_into(
            name,
            existing,
            record,
            record_before,
            provider,
            &agent_id,
            shown,
        )?,
        None => new_profile(ctx, record, provider, &agent_id, &file.context, shown)?,
    };
    for (kind, _) in &file.secrets {
        if !provider.spec().secret_kinds().any(|k| k == kind) {
            target.mark_extra_secret(kind, true);
        }
    }
    if !target.sandbox {
        check_endpoints(&target, shown)?;
    }
    Ok(target)
}

/// The records and agent id the rescue file `shown` (of `provider`) keeps, refused when they
/// are invalid or inconsistent.
fn rescued(file: &rescue::RescueFile, provider: Provider, shown: &str) -> Result<Rescued> {
    let context = &file.context;
    let record = match context.get("profile_record") {
        Some(value) if !value.is_null() => Some(
            serde_json::from_value::<Profile>(value.clone()).map_err(|e| {
                Error::usage(format!(
                    "the profile record in the rescue file {shown} is not valid: {e}"
                ))
                .with_hint("import it with the agentcred release that wrote it")
            })?,
        ),
        _ => None,
    };
    let record_before: Option<toml::Table> = context
        .get("record_before")
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    let agent_id = record
        .as_ref()
        .map(|p| p.agent_id.clone())
        .or_else(|| context["agent_id"].as_str().map(str::to_owned))
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            Error::usage(format!("the rescue file {shown} names no agent id"))
                .with_hint("it cannot be imported; keep it, it holds one-time secrets")
        })?;
    if record.as_ref().is_some_and(|p| p.provider != provider) {
        return Err(Error::usage(format!(
            "the rescue file {shown} is inconsistent: its profile record is not {} profile",
            crate::context::with_article(provider.display_name())
        )));
    }
    Ok(Rescued {
        record,
        record_before,
        agent_id,
    })
}

/// The secrets, each written to the profile `name`'s store, then read back and compared;
/// the kinds stored.
fn store_secrets(
    store: &dyn store::SecretStore,
    name: &str,
    target: &Profile,
    secrets: &[(String, crate::secret::Secret<String>)],
    shown: &str,
) -> Result<Vec<String>> {
    let mut stored = Vec::new();
    for (kind, value) in secrets {
        let account = store::account(name, kind);
        store
            .set(&account, value)
            .map_err(|e| keep_file(e, shown))?;
        match store.get(&account).map_err(|e| keep_file(e, shown))? {
            Some(back) if back.expose() == value.expose() => stored.push(kind.clone()),
            _ => {
                return Err(keep_file(
                    Error::store(format!(
                        "the {} store did not give back the {kind} just written to it",
                        target.store
                    )),
                    shown,
                ));
            }
        }
    }
    Ok(stored)
}

/// A rescue file others could read may have leaked its one-time secrets: the import goes on
/// (they are the only copy), with a warning that says so.
fn warn_if_readable_by_others(ctx: &Ctx, path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            ctx.printer.warn_coded(
                "rescue_file_mode",
                format!(
                    "the rescue file {} is readable or writable by other users (mode {mode:04o}); \
                     the secrets in it may have been read: consider rotating them once imported",
                    path.display()
                ),
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (ctx, path);
}

/// The rescued secrets go into an existing profile: only the same agent's, and only if the
/// profile did not change since the rescue.
fn merge_into(
    name: &str,
    existing: Profile,
    rescued: Option<Profile>,
    record_before: Option<toml::Table>,
    provider: Provider,
    agent_id: &str,
    shown: &str,
) -> Result<Profile> {
    if existing.provider != provider || existing.agent_id != agent_id {
        return Err(Error::conflict(format!(
            "profile '{name}' is {} agent {}, not the {} agent {agent_id} of the rescue file {shown}",
            existing.provider.display_name(),
            existing.agent_id,
            provider.display_name()
        ))
        .with_rescue_file(shown)
        .with_hint(format!(
            "import it under another name: `agentcred --profile NEW_NAME import {shown}`"
        )));
    }
    let mut profile = existing;
    if let Some(rescued) = rescued
        && rescued.record != profile.record
    {
        if record_before.as_ref() != Some(&profile.record) {
            return Err(Error::conflict(format!(
                "profile '{name}' changed since the rescue file {shown} was written; importing it \
                 could replace newer secrets with older ones"
            ))
            .with_rescue_file(shown)
            .with_hint(format!(
                "import it as a profile of its own: `agentcred --profile NEW_NAME import {shown}`"
            )));
        }
        profile.record = rescued.record;
        profile.agent_name = rescued.agent_name.or(profile.agent_name);
        for kind in rescued.extra_secrets {
            profile.mark_extra_secret(&kind, true);
        }
    }
    Ok(profile)
}

/// A profile of its own from the rescue file: its record, or (older files) what the context
/// kept; in the store it names, or the one `--store` asks for.
fn new_profile(
    ctx: &Ctx,
    rescued: Option<Profile>,
    provider: Provider,
    agent_id: &str,
    context: &serde_json::Value,
    shown: &str,
) -> Result<Profile> {
    let mut profile = match rescued {
        Some(profile) => profile,
        None => {
            ctx.printer.warn_coded("old_rescue_format", format!(
                "the rescue file {shown} was written by an older agentcred and keeps only the agent id, \
                 the store and the endpoints; service-specific data (ids of keys or verifiers) is not known"
            ));
            let sandbox = context["sandbox"].as_bool().unwrap_or(false);
            let store = serde_json::from_value(context["store"].clone()).unwrap_or(StoreKind::File);
            let endpoints: Endpoints = if sandbox {
                Endpoints::new()
            } else {
                serde_json::from_value(context["endpoints"].clone()).unwrap_or_default()
            };
            Profile {
                provider,
                sandbox,
                store,
                vault: None,
                endpoints,
                agent_id: agent_id.to_owned(),
                agent_name: None,
                created_at: timefmt::from_unix_secs(timefmt::now_unix()),
                extra_secrets: Vec::new(),
                record: toml::Table::new(),
                policy: None,
            }
        }
    };
    if let Some(asked) = ctx.asked_store()
        && asked != profile.store
    {
        profile.store = asked;
        profile.vault = None;
    }
    if !profile.store.is_shared() {
        profile.vault = None;
    }
    Ok(profile)
}

/// Recorded endpoints obey the rules of any other endpoint (docs/cli-contract.md §3).
fn check_endpoints(profile: &Profile, shown: &str) -> Result<()> {
    for spec in profile.provider.spec().endpoints {
        let Some(url) = profile.endpoints.get(spec.name) else {
            return Err(Error::usage(format!(
                "the rescue file {shown} records no {} endpoint",
                spec.name
            ))
            .with_hint(
                "it cannot be imported as a new profile; keep it, it holds one-time secrets",
            ));
        };
        profile::validate_base_url(
            url,
            &format!("the {} endpoint of the rescue file", spec.name),
        )?;
    }
    Ok(())
}

/// A failure after the file was read: the file stays, and the error says so.
fn keep_file(mut err: Error, shown: &str) -> Error {
    err.message = format!(
        "{}; nothing was deleted: the rescue file {shown} still holds the secrets",
        err.message
    );
    err.with_rescue_file(shown)
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("import", schema_of::<Imported>())]
}
