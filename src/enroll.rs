//! Enrolment: how a service's one-time secrets reach the store, shared by every `register` and
//! by the commands that get new one-time secrets for an existing profile (a new API key, a new
//! client secret, a new agent token).
//!
//! The flow every service shares guards the one-time secrets (docs/cli-contract.md §5):
//! 1. the profile name is free and the store answers, checked *before* the service is called;
//! 2. the secrets the service returns are stored before anything is printed;
//! 3. if storing fails after the service answered, they go to a rescue file (0600) whose path
//!    is printed, and the command exits 7.
//!
//! The config lock is held from the name check to the final save, so that two concurrent
//! registrations cannot both claim one profile name and overwrite each other's secrets.
//!
//! A taken profile name is a conflict (exit 5), except where the service's register is
//! idempotent for it (docs/cli-contract.md §2): [`Pending::start_idempotent`] lets a provider recognize
//! its own profile of the same agent and register again in place.

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::fsutil::FileLock;
use crate::profile::{self, Config, Endpoints, Profile};
use crate::secret::Secret;
use crate::session::Session;
use crate::spec::Provider;
use crate::store::{self, SecretStore, StoreChoice, StoreKind};
use crate::timefmt;

/// A registration in progress: name reserved (config lock held), store checked, endpoints known.
pub struct Pending {
    pub name: String,
    pub provider: Provider,
    pub sandbox: bool,
    pub store: Box<dyn SecretStore>,
    /// Where to send requests now.
    pub endpoints: Endpoints,
    /// The profile of this name when [`Pending::start_idempotent`] accepted it; [`Pending::save`]
    /// replaces it.
    pub existing: Option<Profile>,
    /// What the profile records (empty for sandbox profiles).
    recorded_endpoints: Endpoints,
    config: Config,
    /// Whether recording the profile made it the current one.
    made_current: bool,
    _config_lock: FileLock,
}

impl Pending {
    pub fn start(ctx: &Ctx, provider: Provider) -> Result<Pending> {
        Pending::start_idempotent(ctx, provider, |_| false)
    }

    /// [`Pending::start`] for a service whose register is idempotent: a profile of the same
    /// name is accepted (kept in `existing`, its store reused) when it is a profile of this
    /// provider, sandbox or not alike, recorded against the same endpoints, and `same_agent`
    /// recognizes it (for instance by the external id the service is idempotent on).
    /// Anything else with that name is still a conflict.
    pub fn start_idempotent(
        ctx: &Ctx,
        provider: Provider,
        same_agent: impl FnOnce(&Profile) -> bool,
    ) -> Result<Pending> {
        let name = ctx
            .global
            .profile
            .clone()
            .unwrap_or_else(|| provider.id().to_owned());
        profile::validate_profile_name(&name)?;
        let sandbox = ctx.global.sandbox;
        // Endpoints first: a bad override URL is a usage error whatever the store does.
        let (endpoints, recorded_endpoints) = if sandbox {
            profile::check_env_endpoints(provider.spec(), true)?;
            let urls = ctx.sandbox_urls()?;
            let live = provider
                .spec()
                .endpoints
                .iter()
                .map(|spec| {
                    Ok((
                        spec.name.to_owned(),
                        profile::sandbox_url(Some(urls), spec)?,
                    ))
                })
                .collect::<Result<Endpoints>>()?;
            (live, Endpoints::new())
        } else {
            let recorded = profile::endpoints_for_registration(provider.spec())?;
            (recorded.clone(), recorded)
        };
        let config_lock = Config::lock(&ctx.paths)?;
        let config = Config::load_one(&ctx.paths, Some(&name))?;
        let existing = config.profiles.get(&name).filter(|existing| {
            existing.provider == provider
                && existing.sandbox == sandbox
                && existing.endpoints == recorded_endpoints
        });
        let existing = match existing {
            Some(profile) if same_agent(profile) => Some(profile.clone()),
            _ => None,
        };
        if existing.is_none()
            && let Some(existing) = config.profiles.get(&name)
        {
            return Err(Error::conflict(format!(
                "a profile named '{name}' already exists ({} agent {})",
                existing.provider.display_name(),
                existing.agent_id
            ))
            .with_provider(provider.id())
            .with_hint(format!(
                "register under another name with --profile NAME, or remove the old one with `agentcred profiles remove {name}`"
            )));
        }
        let kind = match &existing {
            // The profile's secrets stay where they are (as for every other command).
            Some(existing) => {
                if let Some(asked) = ctx.asked_store().filter(|asked| *asked != existing.store) {
                    return Err(Error::usage(format!(
                        "profile '{name}' keeps its secrets in the {} store, not the {asked} store",
                        existing.store
                    ))
                    .with_hint("drop --store (and AGENTCRED_STORE), or register under another name with --profile NAME"));
                }
                existing.store
            }
            None => store::resolve(
                ctx.global.store.unwrap_or(StoreChoice::Auto),
                sandbox,
                &ctx.paths,
            )?,
        };
        let store = match &existing {
            Some(existing) => existing.open_store(&name, &ctx.paths)?,
            None => store::open_profile(&name, kind, None, &ctx.paths)?,
        };
        store.check()?;
        // A shared store may hold a profile of this name that another host registered: using
        // it needs no registration, and registering over it would lose its secrets.
        if existing.is_none()
            && let Some(shared) = store.shared()
            && shared.exists()?
        {
            return Err(Error::conflict(format!(
                "a profile named '{name}' already exists in {}",
                shared.describe()
            ))
            .with_provider(provider.id())
            .with_hint(format!(
                "use it as it is with `--profile {name} --store {kind}` (no register needed), or register under another name with --profile NAME"
            )));
        }
        Ok(Pending {
            name,
            provider,
            sandbox,
            store,
            endpoints,
            existing,
            recorded_endpoints,
            config,
            made_current: false,
            _config_lock: config_lock,
        })
    }

    pub fn endpoint(&self, name: &str) -> &str {
        self.endpoints
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn store_kind(&self) -> StoreKind {
        self.store.kind()
    }

    /// Store the service's secrets; on failure, rescue them all and fail with exit 7. `profile`
    /// is the profile as it will be recorded once they are stored: the rescue file keeps it, so
    /// that `agentcred import` can create the profile from it.
    pub fn store_secrets(
        &self,
        ctx: &Ctx,
        profile: &Profile,
        secrets: &[(&str, &Secret<String>)],
    ) -> Result<()> {
        self.try_store(ctx, profile, secrets)
            .map_err(|cause| self.rescue(ctx, profile, secrets, cause))
    }

    /// Store the secrets, without rescuing them if the store fails: the caller then passes
    /// them (and any it gets next) to [`Pending::rescue`]. A panic while they are being stored
    /// rescues them (see [`store::rescue::in_flight`]); the error then names that file.
    pub fn try_store(
        &self,
        ctx: &Ctx,
        profile: &Profile,
        secrets: &[(&str, &Secret<String>)],
    ) -> Result<()> {
        let context = self.rescue_context(profile);
        let in_flight = store::rescue::in_flight(
            &ctx.paths,
            &self.name,
            self.provider.id(),
            secrets,
            &context,
        );
        secrets
            .iter()
            .try_for_each(|(kind, value)| self.store.set(&store::account(&self.name, kind), value))
            .map_err(|cause| with_hook_rescue(cause, &in_flight))
    }

    /// What a rescue file of this registration holds besides the secrets.
    fn rescue_context(&self, profile: &Profile) -> serde_json::Value {
        let mut recorded = profile.clone();
        recorded.endpoints = self.recorded_endpoints.clone();
        rescue_context(
            serde_json::json!({
                "agent_id": profile.agent_id,
                "sandbox": self.sandbox,
                "endpoints": self.endpoints,
                "store": self.store.kind(),
            }),
            &Rescued {
                profile: &recorded,
                record_before: self.config.profiles.get(&self.name).map(|p| &p.record),
            },
        )
    }

    /// Write `secrets` to a rescue file after the store failed with `cause`, and return the
    /// exit-7 error that names it (see [`Pending::store_secrets`]).
    pub fn rescue(
        &self,
        ctx: &Ctx,
        profile: &Profile,
        secrets: &[(&str, &Secret<String>)],
        cause: Error,
    ) -> Error {
        rescue(
            ctx,
            &self.name,
            profile,
            "was registered",
            secrets,
            self.rescue_context(profile),
            cause,
        )
    }

    /// Record the profile; the first profile becomes the current one. Returns whether it did.
    pub fn save(mut self, ctx: &Ctx, profile: Profile) -> Result<bool> {
        self.save_partial(ctx, profile)?;
        Ok(self.made_current)
    }

    /// Record the profile as it is so far, keeping the config lock, for registrations with
    /// more steps after the agent exists: if a later step fails, the profile keeps what was
    /// stored (a recovery key) and another command can finish it. [`Pending::save`]
    /// records the final state.
    pub fn save_partial(&mut self, ctx: &Ctx, mut profile: Profile) -> Result<()> {
        profile.endpoints = self.recorded_endpoints.clone();
        // The shared store's record first: other hosts use the profile from it, and a failure
        // here leaves this host's config unchanged (and `register` can be run again).
        if let Some(shared) = self.store.shared() {
            shared.write_record(&profile.shared_record()?)?;
        }
        if self.config.current.is_none() {
            self.config.current = Some(self.name.clone());
            self.made_current = true;
        }
        self.config.profiles.insert(self.name.clone(), profile);
        self.config.save(&ctx.paths)
    }

    /// Whether recording the profile made it the current one.
    pub fn made_current(&self) -> bool {
        self.made_current
    }

    pub fn new_profile(&self, agent_id: &str) -> Profile {
        let mut profile = Profile {
            provider: self.provider,
            sandbox: self.sandbox,
            store: self.store.kind(),
            vault: None,
            endpoints: Endpoints::new(),
            agent_id: agent_id.to_owned(),
            agent_name: None,
            created_at: timefmt::from_unix_secs(timefmt::now_unix()),
            extra_secrets: Vec::new(),
            record: toml::Table::new(),
            policy: None,
        };
        profile.remember_store(self.store.as_ref());
        profile
    }
}

/// Store one-time secrets a service just returned for an existing profile (a new API key, a
/// new client secret): on failure they are rescued as at registration, and the command exits 7.
/// `intended` is the profile as the caller will record it once they are stored (the rescue file
/// keeps it for `agentcred import`). Call `session.store.check()` before asking the service for
/// them.
pub fn store_one_time(
    ctx: &Ctx,
    session: &Session,
    intended: &Profile,
    secrets: &[(&str, &Secret<String>)],
) -> Result<()> {
    let context = rescue_context(
        serde_json::json!({
            "agent_id": session.profile.agent_id,
            "sandbox": session.profile.sandbox,
            "endpoints": session.endpoints,
            "store": session.profile.store,
        }),
        &Rescued {
            profile: intended,
            record_before: Some(&session.profile.record),
        },
    );
    let in_flight = store::rescue::in_flight(
        &ctx.paths,
        &session.name,
        intended.provider.id(),
        secrets,
        &context,
    );
    for (kind, value) in secrets {
        if let Err(store_err) = session.put_secret(kind, value) {
            return Err(rescue(
                ctx,
                &session.name,
                intended,
                "got new one-time secrets",
                secrets,
                context,
                with_hook_rescue(store_err, &in_flight),
            ));
        }
    }
    Ok(())
}

/// `cause` naming the rescue file the panic hook wrote, if it wrote one (a store's worker
/// thread panicked in a build that unwinds): [`rescue`] then replaces it rather than leave two.
fn with_hook_rescue(cause: Error, in_flight: &store::rescue::InFlightGuard) -> Error {
    match in_flight.rescued() {
        Some(path) => cause.with_rescue_file(path.display().to_string()),
        None => cause,
    }
}

/// What a rescue file keeps of the profile besides the secrets.
struct Rescued<'a> {
    /// The profile as it is to be recorded once the secrets are stored.
    profile: &'a Profile,
    /// The service's record of the profile in the config when the store failed (`None`: the
    /// profile was not recorded yet).
    record_before: Option<&'a toml::Table>,
}

/// `context` with what `agentcred import` needs to record the profile (older files lack it).
fn rescue_context(mut context: serde_json::Value, rescued: &Rescued<'_>) -> serde_json::Value {
    if let Some(map) = context.as_object_mut() {
        map.insert(
            "profile_record".into(),
            serde_json::to_value(rescued.profile).unwrap_or_default(),
        );
        map.insert(
            "record_before".into(),
            serde_json::to_value(rescued.record_before).unwrap_or_default(),
        );
    }
    context
}

/// Write `secrets` to a rescue file after the store failed with `cause`, and say where.
/// `event` says what happened at the service ("was registered"). A rescue file the panic hook
/// wrote for some of them (named by `cause`) is removed once this one, which holds them all,
/// is written.
fn rescue(
    ctx: &Ctx,
    name: &str,
    profile: &Profile,
    event: &str,
    secrets: &[(&str, &Secret<String>)],
    context: serde_json::Value,
    cause: Error,
) -> Error {
    let provider = profile.provider;
    let agent_id = profile.agent_id.as_str();
    let written = store::rescue::write(&ctx.paths, name, provider.id(), secrets, context);
    if let (Ok(_), Some(earlier)) = (&written, cause.rescue_file()) {
        let _ = std::fs::remove_file(earlier);
    }
    match written {
        Ok(path) => Error::store(format!(
            "the {} agent {agent_id} {event}, but its secrets could not be stored: {}. \
             They were saved to the rescue file {} (mode 0600)",
            provider.display_name(),
            cause.message,
            path.display()
        ))
        .with_provider(provider.id())
        .with_rescue_file(path.display().to_string())
        .with_hint(format!(
            "keep that file safe: it holds one-time secrets the service will not show again. \
             Fix the credential store ({}), then run `agentcred import {}`: it stores them, \
             records the profile and deletes the file",
            cause.hint.as_deref().unwrap_or("see the message above"),
            path.display()
        )),
        Err(io) => {
            // Last resort: the secret exists nowhere else, so the terminal is the only
            // place left where it is not lost. This is the one path that prints a
            // secret without --reveal.
            if ctx.printer.json {
                let values: serde_json::Map<String, serde_json::Value> = secrets
                    .iter()
                    .map(|(kind, value)| ((*kind).to_owned(), value.expose().clone().into()))
                    .collect();
                eprintln!(
                    "{}",
                    serde_json::json!({
                        "schema_version": crate::output::SCHEMA_VERSION,
                        "warning": {
                            "code": "unstored_secrets",
                            "message": "the credential store AND the rescue file both failed; the one-time secrets follow so they are not lost",
                            "secrets": values,
                        },
                    })
                );
            } else {
                eprintln!(
                    "agentcred: the credential store AND the rescue file both failed; the one-time secrets follow so they are not lost:"
                );
                for (kind, value) in secrets {
                    eprintln!("  {kind}: {}", value.expose());
                }
            }
            Error::store(format!(
                "the {} agent {agent_id} {event}, but its secrets could not be stored ({}) \
                 nor written to a rescue file ({io}); they were printed above",
                provider.display_name(),
                cause.message
            ))
            .with_provider(provider.id())
            .with_hint(
                "copy the secrets printed above somewhere safe now, then fix the credential store",
            )
        }
    }
}
