//! Profiles and the config file (docs/cli-contract.md §1-3).
//!
//! A profile is one agent identity on one service: the provider, the endpoints it was
//! registered against, the agent's ids, which store holds its secrets, and whether it is a
//! sandbox profile. The config holds no secret. It is `config.toml` (the current profile and
//! the operator credentials' places) plus one file per profile, `profiles/NAME.toml` (the
//! table an earlier release kept as `[profiles.NAME]` in `config.toml`), so that using or
//! registering one profile costs the same however many the home holds: a command that needs
//! one profile reads `config.toml` and that profile's file ([`Config::load_one`]), and a save
//! writes only the files whose text changed. Every file is written atomically, mode 0600, and
//! modified under one cross-process lock so that concurrent `register`s do not lose each other.
//!
//! A `config.toml` written by an earlier release, with its `[profiles.NAME]` tables, is read
//! as it is (its tables win over a profile file: only an older release writes them now), and
//! the first save moves them into profile files: those first, `config.toml` last, so a crash
//! in between loses nothing and the next save finishes the move.
//!
//! Endpoints are resolved once, at registration, from the `AGENTCRED_*_URL` variables or the
//! production defaults, and recorded. Afterwards a profile's secrets only ever go to those
//! recorded endpoints: an override variable that disagrees is refused rather than followed, so
//! a hostile environment cannot redirect stored credentials. Sandbox profiles record no URL
//! (the embedded sandbox listens on a new ephemeral port each run); their endpoints are the
//! running sandbox's, and override variables are refused for them in the same way.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::paths::Paths;
use crate::sandbox_host::SandboxUrls;
use crate::spec::{EndpointSpec, Provider, ServiceSpec};
use crate::store::{self, SecretStore, StoreKind, VaultLocation};

pub use crate::spec::Endpoints;

/// One agent identity on one service, as the config file keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "StoredProfile")]
pub struct Profile {
    pub provider: Provider,
    #[serde(default)]
    pub sandbox: bool,
    pub store: StoreKind,
    /// Where the vault store is (address and mount), for profiles kept there: recorded and
    /// pinned like the endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault: Option<VaultLocation>,
    /// Recorded base URLs; empty for sandbox profiles (see the module doc).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub endpoints: Endpoints,
    pub agent_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    pub created_at: String,
    /// Secret kinds kept beyond the service's own (a spare key during a rotation), so that
    /// removing the profile removes them too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_secrets: Vec<String>,
    /// The service's own record: a typed struct of its module, see [`Record`].
    #[serde(default, skip_serializing_if = "toml::Table::is_empty")]
    pub record: toml::Table,
    /// The policy of `agentcred policy set`, as its TOML text ([`crate::policy`]). Part of the
    /// shared record, so for a vault profile every host enforces the same one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// A profile as any release wrote it. Releases before the typed records kept the service's
/// fields as strings in `facts` (plus two ids, `account_id` and `issuer_id`, at the top, and the
/// extra secrets space-separated in `facts.extra_secrets`); they move into `record` and
/// `extra_secrets` under the same names, which the records' field names keep.
#[derive(Deserialize)]
struct StoredProfile {
    provider: Provider,
    #[serde(default)]
    sandbox: bool,
    store: StoreKind,
    #[serde(default)]
    vault: Option<VaultLocation>,
    #[serde(default)]
    endpoints: Endpoints,
    agent_id: String,
    #[serde(default)]
    agent_name: Option<String>,
    created_at: String,
    #[serde(default)]
    extra_secrets: Vec<String>,
    #[serde(default)]
    record: toml::Table,
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    account_id: Option<String>,
    #[serde(default)]
    issuer_id: Option<String>,
    #[serde(default)]
    facts: BTreeMap<String, String>,
}

const LEGACY_EXTRA_SECRETS: &str = "extra_secrets";

impl From<StoredProfile> for Profile {
    fn from(stored: StoredProfile) -> Profile {
        let mut record = stored.record;
        let mut extra_secrets = stored.extra_secrets;
        let legacy_top = [
            ("account_id", stored.account_id),
            ("issuer_id", stored.issuer_id),
        ];
        for (key, value) in legacy_top {
            if let Some(value) = value {
                record.entry(key).or_insert(toml::Value::String(value));
            }
        }
        for (key, value) in stored.facts {
            if key == LEGACY_EXTRA_SECRETS {
                extra_secrets.extend(value.split_whitespace().map(str::to_owned));
            } else {
                record.entry(key).or_insert(toml::Value::String(value));
            }
        }
        Profile {
            provider: stored.provider,
            sandbox: stored.sandbox,
            store: stored.store,
            vault: stored.vault,
            endpoints: stored.endpoints,
            agent_id: stored.agent_id,
            agent_name: stored.agent_name,
            created_at: stored.created_at,
            extra_secrets,
            record,
            policy: stored.policy,
        }
    }
}

impl Profile {
    /// Every secret kind the profile may hold: its service's, then the extra ones it recorded.
    pub fn secret_kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self
            .provider
            .spec()
            .secret_kinds()
            .map(str::to_owned)
            .collect();
        kinds.extend(self.extra_secrets.iter().cloned());
        kinds
    }

    /// Record (`keep`) or forget an extra secret kind.
    pub fn mark_extra_secret(&mut self, kind: &str, keep: bool) {
        self.extra_secrets.retain(|k| k != kind);
        if keep {
            self.extra_secrets.push(kind.to_owned());
        }
    }

    /// The profile's store, opened where the profile says it is (a store shared between
    /// hosts is found at the location recorded for it). Opening sends nothing anywhere.
    pub fn open_store(&self, name: &str, paths: &Paths) -> Result<Box<dyn SecretStore>> {
        store::open_profile(name, self.store, self.vault.as_ref(), paths)
    }

    /// Record where `store`, just opened for this profile, keeps it: a shared store's
    /// location, nothing for a store of this host.
    pub fn remember_store(&mut self, store: &dyn SecretStore) {
        self.vault = store.shared().and_then(|shared| shared.location());
    }

    /// What a store shared between hosts keeps of the profile: everything `register`
    /// recorded, without where this host keeps it (`store`, `vault`).
    pub fn shared_record(&self) -> Result<serde_json::Value> {
        let mut value = serde_json::to_value(self)
            .map_err(|e| Error::internal(format!("cannot encode the profile's record: {e}")))?;
        if let Some(map) = value.as_object_mut() {
            map.remove("store");
            map.remove("vault");
        }
        Ok(value)
    }

    /// The profile a shared store keeps (see [`Profile::shared_record`]), as this host keeps it.
    pub fn from_shared_record(
        record: serde_json::Value,
        store: StoreKind,
        vault: Option<VaultLocation>,
        describe: &str,
    ) -> Result<Profile> {
        let mut record = record;
        if let Some(map) = record.as_object_mut() {
            map.insert(
                "store".into(),
                serde_json::to_value(store).unwrap_or_default(),
            );
        }
        let mut profile: Profile = serde_json::from_value(record).map_err(|e| {
            Error::store(format!("the profile record in {describe} is not valid: {e}"))
                .with_hint("it was written by another tool or a newer agentcred; upgrade agentcred, or register the profile again")
        })?;
        profile.vault = vault;
        Ok(profile)
    }

    /// The service's typed record.
    pub fn record<R: Record>(&self) -> Result<R> {
        R::read(&self.record)
    }

    /// Replace the service's record.
    pub fn set_record<R: Record>(&mut self, record: &R) -> Result<()> {
        self.record = toml::Table::try_from(record)
            .map_err(|e| Error::internal(format!("cannot record the profile's data: {e}")))?;
        Ok(())
    }

    /// Change the service's record in place.
    pub fn update_record<R: Record>(&mut self, change: impl FnOnce(&mut R)) -> Result<()> {
        let mut record: R = self.record()?;
        change(&mut record);
        self.set_record(&record)
    }
}

/// A service's own profile data (ids, the key in use, when the agent was deleted, ...): a
/// struct of the service module, kept in the profile's `record` table.
pub trait Record: Serialize + serde::de::DeserializeOwned + Default {
    fn read(table: &toml::Table) -> Result<Self> {
        toml::Value::Table(table.clone()).try_into().map_err(|e| {
            Error::internal(format!("the profile's record is not valid: {e}")).with_hint(
                "fix the profile's [record] table in the config file, or remove and register the profile again",
            )
        })
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// Every profile ([`Config::load`]), or the one asked for ([`Config::load_one`]).
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Operator credentials stored by `agentcred login`, by provider id (no secret here).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub operators: BTreeMap<String, Operator>,
    #[serde(skip)]
    loaded: Loaded,
}

/// What the files held when the config was loaded, so that a save writes only what changed.
#[derive(Debug, Clone, Default)]
struct Loaded {
    /// Each profile file read, by profile name, as its text.
    profiles: BTreeMap<String, String>,
    /// `config.toml` as read.
    head: Option<String>,
    /// `config.toml` held profiles (the layout of earlier releases): the save moves them.
    legacy: bool,
}

/// `config.toml` as this release writes it: no profiles.
#[derive(Serialize)]
struct Head<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    current: &'a Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    operators: &'a BTreeMap<String, Operator>,
}

/// Where an operator key is kept: `ID` (account `operator:ID`), or `sandbox-ID` for sandbox
/// keys.
pub fn operator_slot(provider: Provider, sandbox: bool) -> String {
    if sandbox {
        format!("sandbox-{}", provider.id())
    } else {
        provider.id().to_owned()
    }
}

/// A Basic operator key `id:secret`, split; both halves non-empty.
pub fn split_operator_pair(value: &str) -> Option<(&str, &str)> {
    let (id, secret) = value.split_once(':')?;
    (!id.trim().is_empty() && !secret.trim().is_empty()).then(|| (id.trim(), secret.trim()))
}

/// Where an operator credential is kept, and for which service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operator {
    pub store: StoreKind,
    #[serde(default)]
    pub sandbox: bool,
    /// A non-secret label shown by status (a key id, an API key's environment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub stored_at: String,
}

const CONFIG_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

impl Config {
    /// The config as it is now, every profile included; a missing file is an empty config.
    pub fn load(paths: &Paths) -> Result<Config> {
        let mut config = Config::load_head(paths)?;
        let dir = profiles_dir(paths);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(config),
            Err(e) => return Err(unreadable(&dir, e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| unreadable(&dir, e))?;
            let file_name = entry.file_name();
            // Temp files (".agentcred-…") and anything else not named NAME.toml are not profiles.
            if let Some(name) = file_name.to_str().and_then(|n| n.strip_suffix(".toml"))
                && validate_profile_name(name).is_ok()
            {
                names.push(name.to_owned());
            }
        }
        for name in names {
            config.read_profile_file(paths, &name)?;
        }
        Ok(config)
    }

    /// The config with only the profile `name` (the current one when `None`) read from its
    /// file, as far as it exists: what a command that uses one profile needs, at a cost that
    /// does not grow with the number of profiles. `config.toml` is read whole, so profiles an
    /// earlier release kept there are all present.
    pub fn load_one(paths: &Paths, name: Option<&str>) -> Result<Config> {
        let mut config = Config::load_head(paths)?;
        let name = name.map(str::to_owned).or_else(|| config.current.clone());
        if let Some(name) = name.filter(|n| validate_profile_name(n).is_ok()) {
            config.read_profile_file(paths, &name)?;
        }
        Ok(config)
    }

    /// `config.toml` alone, with the profiles an earlier release kept in it.
    fn load_head(paths: &Paths) -> Result<Config> {
        let path = paths.config_file();
        let read = crate::fsutil::read_regular(&path).and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
            })
        });
        let text = match read {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
                return Err(Error::usage(format!(
                    "cannot use the config file {}: {e}",
                    path.display()
                ))
                .with_hint(format!(
                    "move it aside (`mv {0} {0}.bad`); it holds no secrets",
                    path.display()
                )));
            }
            Err(e) => {
                return Err(Error::usage(format!(
                    "cannot read the config file {}: {e}",
                    path.display()
                ))
                .with_hint("check the file's permissions (it must be readable by you), or set AGENTCRED_HOME to another directory"));
            }
        };
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            Error::usage(format!(
                "the config file {} is not valid: {e}",
                path.display()
            ))
            .with_hint(
                "fix or remove the file; it holds no secrets (they are in the credential store)",
            )
        })?;
        config.loaded.legacy = !config.profiles.is_empty();
        config.loaded.head = Some(text);
        Ok(config)
    }

    /// Read `profiles/NAME.toml` into the config, if it exists. A profile `config.toml` also
    /// has keeps that version (see the module doc).
    fn read_profile_file(&mut self, paths: &Paths, name: &str) -> Result<()> {
        let path = profile_file(paths, name);
        let read = fsutil::read_regular(&path).and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
            })
        });
        let text = match read {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(unreadable(&path, e)),
        };
        crate::homecheck::check_file("the profile file", &path)?;
        let profile: Profile = toml::from_str(&text).map_err(|e| {
            Error::usage(format!(
                "the profile file {} is not valid: {e}",
                path.display()
            ))
            .with_hint(format!(
                "fix it, or remove it to forget the profile (`agentcred profiles remove {name}` cannot read it either); it holds no secrets"
            ))
        })?;
        self.profiles.entry(name.to_owned()).or_insert(profile);
        self.loaded.profiles.insert(name.to_owned(), text);
        Ok(())
    }

    /// Read-modify-write under the config lock. `change` sees the latest config.
    pub fn update<T>(paths: &Paths, change: impl FnOnce(&mut Config) -> Result<T>) -> Result<T> {
        let _lock = Config::lock(paths)?;
        let mut config = Config::load(paths)?;
        let result = change(&mut config)?;
        config.save(paths)?;
        Ok(result)
    }

    /// [`Config::update`] with only the profile `name` loaded ([`Config::load_one`]).
    pub fn update_one<T>(
        paths: &Paths,
        name: &str,
        change: impl FnOnce(&mut Config) -> Result<T>,
    ) -> Result<T> {
        let _lock = Config::lock(paths)?;
        let mut config = Config::load_one(paths, Some(name))?;
        let result = change(&mut config)?;
        config.save(paths)?;
        Ok(result)
    }

    /// The cross-process config lock, for callers that must hold it across more than one step.
    pub fn lock(paths: &Paths) -> Result<FileLock> {
        let lock_path = paths.lock_dir.join("config.lock");
        FileLock::acquire(&lock_path, CONFIG_LOCK_TIMEOUT)
            .map_err(|e| lock_error(&lock_path, "the config", e))
    }

    /// Write what changed since the config was loaded, atomically (0600): the files of new
    /// and changed profiles, the removal of the files of profiles removed from it, and
    /// `config.toml` (last). Callers hold [`Config::lock`].
    pub fn save(&self, paths: &Paths) -> Result<()> {
        let encode =
            |e: toml::ser::Error| Error::internal(format!("cannot serialize the config: {e}"));
        let write = |path: &std::path::Path, text: &str| {
            fsutil::write_private(path, text.as_bytes())
                .map_err(|e| Error::internal(format!("cannot write {}: {e}", path.display())))
        };
        for (name, profile) in &self.profiles {
            let text = toml::to_string_pretty(profile).map_err(encode)?;
            if self.loaded.legacy || self.loaded.profiles.get(name) != Some(&text) {
                write(&profile_file(paths, name), &text)?;
            }
        }
        for name in self.loaded.profiles.keys() {
            if !self.profiles.contains_key(name) {
                let path = profile_file(paths, name);
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::internal(format!(
                            "cannot remove {}: {e}",
                            path.display()
                        )));
                    }
                    _ => {}
                }
            }
        }
        let head = toml::to_string_pretty(&Head {
            current: &self.current,
            operators: &self.operators,
        })
        .map_err(encode)?;
        if self.loaded.legacy || self.loaded.head.as_ref() != Some(&head) {
            write(&paths.config_file(), &head)?;
        }
        Ok(())
    }

    /// Change one profile under the config lock and return it as saved. A profile removed
    /// while the command ran is an error (exit 3), never silently re-created. A profile kept
    /// in a store shared between hosts has its record there updated too, so that the other
    /// hosts learn the change.
    pub fn update_profile(
        paths: &Paths,
        name: &str,
        change: impl FnOnce(&mut Profile) -> Result<()>,
    ) -> Result<Profile> {
        let (before, after) = Config::update_one(paths, name, |config| {
            let profile = config.profiles.get_mut(name).ok_or_else(|| {
                Error::not_found(format!(
                    "profile '{name}' was removed while this command ran"
                ))
                .with_hint("see `agentcred profiles list`")
            })?;
            let before = profile.clone();
            change(profile)?;
            Ok((before, profile.clone()))
        })?;
        if after.store.is_shared() {
            let record = after.shared_record()?;
            if record != before.shared_record()? {
                let store = after.open_store(name, paths)?;
                if let Some(shared) = store.shared() {
                    shared.write_record(&record)?;
                }
            }
        }
        Ok(after)
    }

    pub fn get(&self, name: &str) -> Result<&Profile> {
        self.profiles
            .get(name)
            .ok_or_else(|| profile_not_found(name, self))
    }
}

/// Where the profile `name` is kept (a valid profile name is a plain file name).
pub fn profile_file(paths: &Paths, name: &str) -> std::path::PathBuf {
    profiles_dir(paths).join(format!("{name}.toml"))
}

fn profiles_dir(paths: &Paths) -> std::path::PathBuf {
    paths.config_dir.join("profiles")
}

fn unreadable(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::usage(format!("cannot read {}: {e}", path.display())).with_hint(
        "check its permissions (it must be readable by you), or set AGENTCRED_HOME to another directory",
    )
}

/// A lock that could not be taken: held too long by another process (exit 6, try again), or
/// a local problem with the lock directory (exit 2, with the path).
pub fn lock_error(path: &std::path::Path, what: &str, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::TimedOut {
        Error::unavailable(format!("cannot lock {what} ({}): {e}", path.display()))
            .with_hint("another agentcred process is changing it; try again")
    } else {
        Error::usage(format!(
            "cannot create or open the lock file {}: {e}",
            path.display()
        ))
        .with_hint("check that the directory exists and is writable (see AGENTCRED_HOME)")
    }
}

pub fn profile_not_found(name: &str, config: &Config) -> Error {
    let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
    let hint = if known.is_empty() {
        "no profiles exist yet; create one with `agentcred register PROVIDER ...` (add --sandbox to try it offline)".to_owned()
    } else {
        format!(
            "known profiles: {}; see `agentcred profiles list`",
            known.join(", ")
        )
    };
    Error::not_found(format!("no profile named '{name}'")).with_hint(hint)
}

/// Profile names end up in keychain account names (`PROFILE:KIND`) and lock file names.
pub fn validate_profile_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.')
        && !name.starts_with('-')
        && name != "operator";
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!("'{name}' is not a valid profile name"))
            .with_hint("use 1-64 letters, digits, '-', '_' or '.', not starting with '.' or '-' (and not 'operator')"))
    }
}

/// The override variables for a new profile's endpoints, checked before any request: a
/// service's endpoints are overridden together or not at all (half an override would send a
/// sandbox's credential to the production host of the other half), and a `--sandbox`
/// profile takes the embedded sandbox's endpoints, so no variable may be set for it.
pub fn check_env_endpoints(service: &ServiceSpec, sandbox: bool) -> Result<()> {
    let (set, unset): (Vec<&EndpointSpec>, Vec<&EndpointSpec>) = service
        .endpoints
        .iter()
        .partition(|spec| env_override(spec).is_some());
    let names = |specs: &[&EndpointSpec]| {
        specs
            .iter()
            .map(|s| s.env_var)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let verb = |specs: &[&EndpointSpec]| if specs.len() == 1 { "is" } else { "are" };
    // A bad value is named first: it is wrong whatever else is set.
    for spec in &set {
        if let Some(url) = env_override(spec) {
            validate_base_url(&url, spec.env_var)?;
        }
    }
    if sandbox && !set.is_empty() {
        return Err(Error::usage(format!(
            "--sandbox uses the embedded sandbox's {} endpoints, but {} {} set",
            service.display_name,
            names(&set),
            verb(&set)
        ))
        .with_hint(format!(
            "unset {} to use the embedded sandbox, or drop --sandbox to use the URLs set",
            names(&set)
        )));
    }
    if !set.is_empty() && !unset.is_empty() {
        return Err(Error::usage(format!(
            "{} {} set but {} {} not: {}'s endpoints are overridden together or not at all",
            names(&set),
            verb(&set),
            names(&unset),
            verb(&unset),
            service.display_name
        ))
        .with_hint(format!(
            "set {} too (`agentcred sandbox serve` prints every variable), or unset {}",
            names(&unset),
            names(&set)
        )));
    }
    Ok(())
}

/// Endpoints for a new, non-sandbox profile: override variables or production defaults.
pub fn endpoints_for_registration(service: &ServiceSpec) -> Result<Endpoints> {
    check_env_endpoints(service, false)?;
    let mut endpoints = Endpoints::new();
    for spec in service.endpoints {
        let url = env_override(spec).unwrap_or_else(|| spec.default_url.to_owned());
        validate_base_url(&url, spec.env_var)?;
        endpoints.insert(spec.name.to_owned(), url);
    }
    Ok(endpoints)
}

/// The endpoints a stored profile may talk to. `sandbox` holds the running embedded
/// sandbox's URLs, required for sandbox profiles.
pub fn endpoints_for_profile(
    name: &str,
    profile: &Profile,
    sandbox: Option<&SandboxUrls>,
) -> Result<Endpoints> {
    check_recorded_agent_id(name, profile)?;
    let mut endpoints = Endpoints::new();
    for spec in profile.provider.spec().endpoints {
        let recorded = if profile.sandbox {
            sandbox_url(sandbox, spec)?
        } else {
            // A config file edited by hand (or a sandbox profile marked otherwise): local.
            profile.endpoints.get(spec.name).cloned().ok_or_else(|| {
                Error::usage(format!(
                    "profile '{name}' has no recorded {} endpoint (in the config file)",
                    spec.name
                ))
                .with_hint(format!(
                    "restore the config file, or remove and register the profile again: agentcred profiles remove {name}"
                ))
            })?
        };
        // Checked at every use, not only when recorded: a config file edited by hand must
        // not send the profile's secrets in cleartext or to a URL with credentials in it.
        if !profile.sandbox {
            validate_base_url(
                &recorded,
                &format!(
                    "the {} endpoint recorded in profile '{name}' (in the config file)",
                    spec.name
                ),
            )
            .map_err(|e| {
                e.with_hint(format!(
                    "fix the URL in the config file, or remove the profile and register it again: agentcred profiles remove {name}"
                ))
            })?;
        }
        if let Some(overridden) = env_override(spec) {
            let recorded_shown = if profile.sandbox {
                "the embedded sandbox".to_owned()
            } else {
                crate::http::shown_url(&recorded)
            };
            let overridden = crate::http::shown_url(&overridden);
            if profile.sandbox || overridden != recorded {
                return Err(Error::usage(format!(
                    "{} is set to {overridden}, but profile '{name}' was registered against {recorded_shown}; \
                     its credentials are only sent to the endpoint recorded in the profile",
                    spec.env_var
                ))
                .with_hint(format!(
                    "unset {} for this profile, or register a new profile against the other endpoint with --profile NAME",
                    spec.env_var
                )));
            }
        }
        endpoints.insert(spec.name.to_owned(), recorded);
    }
    Ok(endpoints)
}

/// The agent id recorded in the config goes into request paths: one edited by hand to be
/// empty or to hold `/`, `..` or other characters no service uses is a local problem, said
/// before any request.
fn check_recorded_agent_id(name: &str, profile: &Profile) -> Result<()> {
    let id = &profile.agent_id;
    let ok = !id.is_empty()
        && id.len() <= 200
        && !id.contains("..")
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    if ok {
        return Ok(());
    }
    Err(Error::usage(format!(
        "the agent id recorded in profile '{name}' (in the config file) is not an agent id: {:?}",
        crate::output::neutralize(id, false)
    ))
    .with_hint(format!(
        "restore it in the config file, or remove the profile and register it again: agentcred profiles remove {name}"
    )))
}

/// Where the running sandbox serves the endpoint that `spec` names.
pub fn sandbox_url(sandbox: Option<&SandboxUrls>, spec: &EndpointSpec) -> Result<String> {
    sandbox
        .and_then(|urls| urls.get(spec.env_var))
        .cloned()
        .ok_or_else(|| {
            Error::internal(format!(
                "the embedded sandbox does not serve {}",
                spec.env_var
            ))
        })
}

fn env_override(spec: &EndpointSpec) -> Option<String> {
    std::env::var(spec.env_var)
        .ok()
        .map(|v| v.trim().trim_end_matches('/').to_owned())
        .filter(|v| !v.is_empty())
}

/// https anywhere; plain http only to loopback hosts (docs/cli-contract.md §3).
pub fn validate_base_url(raw: &str, source: &str) -> Result<()> {
    // Messages show the URL without any user:password it carries.
    let url = crate::http::shown_url(raw);
    let parsed = reqwest::Url::parse(raw).map_err(|e| {
        Error::usage(format!("{source} is not a valid URL ({url}): {e}")).with_hint(
            "give a base URL like https://api.example.com or http://127.0.0.1:8787/prefix",
        )
    })?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::usage(format!(
            "{source} has a query or fragment ({url}); a base URL is a scheme, host, port and path, and API paths are appended to it"
        ))
        .with_hint("remove the ?... or #... part of the URL"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::usage(format!(
            "{source} carries a user name or password in the URL ({url}); credentials go in the store, never in an endpoint"
        ))
        .with_hint("remove the user:password@ part of the URL"));
    }
    // Request paths are appended to the base URL: after a `?` or `#` they would land in the
    // query or the fragment, and every request would reach the same place.
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::usage(format!(
            "{source} has a query or fragment ({url}); a base URL is a scheme, host, port and path only"
        ))
        .with_hint("remove the ?... or #... part of the URL"));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(Error::usage(format!(
                    "{source} uses plain http to a non-loopback host ({url}); credentials would travel unencrypted"
                ))
                .with_hint("use https://, or http:// only for 127.0.0.1, [::1] or localhost"))
            }
        }
        other => Err(Error::usage(format!(
            "{source} has the unsupported scheme '{other}' ({url})"
        ))
        .with_hint("use an https:// URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_only_for_loopback() {
        assert!(validate_base_url("https://api.example.com", "X").is_ok());
        assert!(validate_base_url("http://127.0.0.1:8787/prefix", "X").is_ok());
        assert!(validate_base_url("http://localhost:1", "X").is_ok());
        assert!(validate_base_url("http://[::1]:1", "X").is_ok());
        let err = validate_base_url("http://example.com", "X").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(validate_base_url("ftp://127.0.0.1", "X").is_err());
        assert!(validate_base_url("not a url", "X").is_err());
        let userinfo = validate_base_url("https://user:hunter2@api.example.com", "X").unwrap_err();
        assert_eq!(userinfo.exit_code(), 2);
        assert!(
            !userinfo.message.contains("hunter2"),
            "{}",
            userinfo.message
        );
        let bad = validate_base_url("ftp://u:hunter2@x", "X").unwrap_err();
        assert!(!bad.message.contains("hunter2"), "{}", bad.message);
    }

    #[test]
    fn profile_names() {
        for good in ["work", "my-agent_2", "a.b"] {
            assert!(validate_profile_name(good).is_ok(), "{good}");
        }
        for bad in ["", "a b", "a:b", ".hidden", "operator", "x/y"] {
            assert!(validate_profile_name(bad).is_err(), "{bad}");
        }
    }

    fn any_provider() -> Provider {
        crate::services::install();
        crate::spec::all()
            .next()
            .expect("the registry lists services")
    }

    #[test]
    fn legacy_facts_move_into_the_record() {
        let id = any_provider().id();
        let text = format!(
            "[profiles.a]\nprovider = \"{id}\"\nstore = \"file\"\nagent_id = \"ag_1\"\n\
             account_id = \"acc_1\"\ncreated_at = \"2026-01-01T00:00:00Z\"\n\
             [profiles.a.facts]\nkey_id = \"k_1\"\nextra_secrets = \"api_key:k_0 api_key:k_2\"\n"
        );
        let config: Config = toml::from_str(&text).unwrap();
        let profile = config.get("a").unwrap();
        assert_eq!(profile.record["key_id"].as_str(), Some("k_1"));
        assert_eq!(profile.record["account_id"].as_str(), Some("acc_1"));
        assert_eq!(profile.extra_secrets, ["api_key:k_0", "api_key:k_2"]);
        // Written back, the legacy keys are gone and the record is kept.
        let written = toml::to_string(&config).unwrap();
        assert!(!written.contains("facts"), "{written}");
        let again: Config = toml::from_str(&written).unwrap();
        assert_eq!(again.get("a").unwrap().record, profile.record);
    }

    #[test]
    fn unknown_services_are_refused_by_name() {
        any_provider();
        let text = "[profiles.a]\nprovider = \"nosuch\"\nstore = \"file\"\nagent_id = \"x\"\ncreated_at = \"t\"\n";
        let err = toml::from_str::<Config>(text).unwrap_err().to_string();
        assert!(err.contains("unknown provider 'nosuch'"), "{err}");
    }

    #[test]
    fn config_round_trip_and_update() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        Config::update(&paths, |c| {
            c.current = Some("a".into());
            c.profiles.insert(
                "a".into(),
                Profile {
                    provider: any_provider(),
                    sandbox: true,
                    store: StoreKind::File,
                    vault: None,
                    endpoints: Endpoints::new(),
                    agent_id: "ag_1".into(),
                    agent_name: Some("demo".into()),
                    created_at: "2026-01-01T00:00:00Z".into(),
                    extra_secrets: Vec::new(),
                    record: toml::Table::new(),
                    policy: None,
                },
            );
            Ok(())
        })
        .unwrap();
        let loaded = Config::load(&paths).unwrap();
        assert_eq!(loaded.current.as_deref(), Some("a"));
        assert_eq!(loaded.get("a").unwrap().agent_id, "ag_1");
        assert_eq!(loaded.get("b").unwrap_err().exit_code(), 3);
        assert!(!fsutil::is_loose(&paths.config_file()).unwrap());
        assert!(!fsutil::is_loose(&profile_file(&paths, "a")).unwrap());
        let head = std::fs::read_to_string(paths.config_file()).unwrap();
        assert!(!head.contains("[profiles"), "{head}");
    }

    /// `config.toml` as the release before one file per profile wrote it.
    const OLD_CONFIG: &str = r#"current = "one"

[profiles.one]
provider = "fluxa"
sandbox = true
store = "file"
agent_id = "ag_1"
agent_name = "first"
created_at = "2026-01-01T00:00:00Z"

[profiles.two]
provider = "fluxra"
store = "file"
agent_id = "ag_2"
created_at = "2026-01-02T00:00:00Z"
extra_secrets = ["api_key.next"]

[profiles.two.endpoints]
api = "https://api.fluxra.example"

[profiles.two.record]
key_id = "key_1"

[operators.proxy]
store = "file"
sandbox = true
stored_at = "2026-01-03T00:00:00Z"
"#;

    #[test]
    fn a_config_of_the_previous_release_is_read_then_moved_by_the_first_save() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        fsutil::write_private(&paths.config_file(), OLD_CONFIG.as_bytes()).unwrap();
        let check = |config: &Config| {
            assert_eq!(config.current.as_deref(), Some("one"));
            assert_eq!(
                config.get("one").unwrap().agent_name.as_deref(),
                Some("first")
            );
            let two = config.get("two").unwrap();
            assert_eq!(two.endpoints["api"], "https://api.fluxra.example");
            assert_eq!(two.extra_secrets, ["api_key.next"]);
            assert_eq!(two.record["key_id"].as_str(), Some("key_1"));
            assert!(config.operators.contains_key("proxy"));
        };
        check(&Config::load(&paths).unwrap());
        check(&Config::load_one(&paths, Some("two")).unwrap());
        assert_eq!(
            std::fs::read_to_string(paths.config_file()).unwrap(),
            OLD_CONFIG
        );

        // The first save (here of a change to one profile) moves every profile out.
        Config::update_profile(&paths, "one", |p| {
            p.agent_name = Some("renamed".into());
            Ok(())
        })
        .unwrap();
        let head = std::fs::read_to_string(paths.config_file()).unwrap();
        assert!(!head.contains("[profiles"), "{head}");
        assert!(head.contains("current = \"one\"") && head.contains("[operators.proxy]"));
        assert!(profile_file(&paths, "one").exists() && profile_file(&paths, "two").exists());
        let config = Config::load(&paths).unwrap();
        assert_eq!(
            config.get("one").unwrap().agent_name.as_deref(),
            Some("renamed")
        );
        assert_eq!(
            config.get("two").unwrap().record["key_id"].as_str(),
            Some("key_1")
        );

        // A removal removes the profile's file; the other profile's file is left as it was.
        let two_before = std::fs::read(profile_file(&paths, "two")).unwrap();
        Config::update(&paths, |c| Ok(c.profiles.remove("one"))).unwrap();
        assert!(!profile_file(&paths, "one").exists());
        assert_eq!(
            std::fs::read(profile_file(&paths, "two")).unwrap(),
            two_before
        );
        assert!(Config::load(&paths).unwrap().get("one").is_err());
    }

    #[test]
    fn loading_one_profile_reads_only_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        fsutil::write_private(&paths.config_file(), OLD_CONFIG.as_bytes()).unwrap();
        Config::update(&paths, |_| Ok(())).unwrap();
        // A broken file of another profile does not matter to a command using this one.
        fsutil::write_private(&profile_file(&paths, "two"), b"not [toml").unwrap();
        let one = Config::load_one(&paths, None).unwrap();
        assert_eq!(one.get("one").unwrap().agent_id, "ag_1");
        assert!(!one.profiles.contains_key("two"));
        let err = Config::load(&paths).unwrap_err();
        assert!(err.message.contains("two.toml"), "{}", err.message);
        // An invalid name reads no file at all.
        assert!(
            Config::load_one(&paths, Some("../config"))
                .unwrap()
                .profiles
                .is_empty()
        );
    }
}
