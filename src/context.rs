//! The context every command runs in: global flags, paths, the printer, the HTTP client and
//! (for sandbox profiles) the embedded sandbox, all created on first use.
//!
//! Commands that need a profile's credentials go through [`Ctx::session`], which selects the
//! profile (`--profile`, `AGENTCRED_PROFILE`, or the current one), checks the endpoint rules,
//! opens the profile's store and, for sandbox profiles, starts the embedded sandbox. The one
//! process-wide setting made here is the vault store's trace switch and printer
//! (`store::set_trace`, from `-v`), set once when the context is built; nothing depends on the
//! selected profile, so concurrent invocations with different `--profile` values never disturb
//! each other.
//!
//! A profile kept in a store shared between hosts (the vault) needs no `register` on a second
//! host: `--profile NAME --store vault` finds its record in the store and this host's config
//! learns it on first use. From then on the store's record is the truth: a change another host
//! made (a rotated key's id) replaces this host's copy when a session opens, except a change
//! of where secrets are sent (endpoints, service, sandbox flag), which is refused (exit 2)
//! until accepted on this host.

use std::cell::{Cell, OnceCell};

use crate::error::{Error, Result};
use crate::http::Http;
use crate::output::{ColorChoice, Printer};
use crate::paths::Paths;
use crate::profile::{self, Config, Profile};
use crate::sandbox_host::{self, EmbeddedSandbox, SandboxUrls};
use crate::session::Session;
use crate::spec::Provider;
use crate::store::{self, StoreChoice};

/// The global flags a command runs with, as plain values: the command line fills them from
/// its flags and environment variables (`cli::args::GlobalArgs`), and a context made for
/// another profile ([`Ctx::for_profile`]) copies and changes them.
#[derive(Debug, Clone)]
pub struct Globals {
    /// Every `--profile` given (`mcp` serves several).
    pub profiles: Vec<String>,
    /// The one profile `--profile`/`AGENTCRED_PROFILE` names.
    pub profile: Option<String>,
    /// Whether `--profile` was typed on the command line, not taken from AGENTCRED_PROFILE.
    pub profile_flag_given: bool,
    pub json: bool,
    /// `--store`: where secrets are kept for new profiles and logins.
    pub store: Option<StoreChoice>,
    pub sandbox: bool,
    pub no_input: bool,
    pub reveal: bool,
    pub verbose: u8,
    pub quiet: bool,
    pub color: ColorChoice,
}

pub struct Ctx {
    pub global: Globals,
    pub paths: Paths,
    pub printer: Printer,
    http: OnceCell<Http>,
    sandbox: OnceCell<EmbeddedSandbox>,
    /// The exit code of a command that succeeded with a code of its own (`exec` exits with
    /// its child's); 0 when unset.
    exit_code: Cell<u8>,
}

impl Ctx {
    pub fn new(global: Globals, printer: Printer) -> Result<Ctx> {
        store::set_trace(global.verbose > 0, &printer);
        Ok(Ctx {
            global,
            paths: Paths::from_env()?,
            printer,
            http: OnceCell::new(),
            sandbox: OnceCell::new(),
            exit_code: Cell::new(0),
        })
    }

    /// A context like this one that acts on profile `name` and prints no stdout data: the
    /// incident commands (`freeze --upstream`, `leaks scan --rotate`) run a service's own
    /// commands for each profile and report the outcomes in their own output; warnings still
    /// reach stderr.
    pub fn for_profile(&self, name: &str) -> Result<Ctx> {
        let mut global = self.global.clone();
        global.profile = Some(name.to_owned());
        global.profiles = vec![name.to_owned()];
        // `--reveal` applies to the outer command's output, which shows no secret.
        global.reveal = false;
        Ctx::new(global, self.printer.without_data())
    }

    /// Run one of agentcred's own commands on profile `name` (see [`Ctx::for_profile`]).
    pub fn quietly_for(&self, name: &str, command: impl FnOnce(&Ctx) -> Result<()>) -> Result<()> {
        command(&self.for_profile(name)?)
    }

    /// Exit with `code` when the command returns successfully (`exec`: the child's code).
    pub fn set_exit_code(&self, code: u8) {
        self.exit_code.set(code);
    }

    pub fn exit_code(&self) -> u8 {
        self.exit_code.get()
    }

    pub fn http(&self) -> Result<&Http> {
        if let Some(http) = self.http.get() {
            return Ok(http);
        }
        let http = Http::new(self.global.verbose > 0, self.printer.clone());
        Ok(self.http.get_or_init(|| http))
    }

    /// The embedded sandbox's service URLs, starting it on first use.
    pub fn sandbox_urls(&self) -> Result<&SandboxUrls> {
        if let Some(running) = self.sandbox.get() {
            return Ok(running.urls());
        }
        let running = sandbox_host::start(self.paths.sandbox_state_file())?;
        Ok(self.sandbox.get_or_init(|| running).urls())
    }

    pub fn config(&self) -> Result<Config> {
        Config::load(&self.paths)
    }

    /// The selected profile's name: `--profile`/`AGENTCRED_PROFILE`, else the current one.
    pub fn selected_name(&self, config: &Config) -> Result<String> {
        if let Some(name) = &self.global.profile {
            return Ok(name.clone());
        }
        config.current.clone().ok_or_else(|| {
            let hint = if config.profiles.is_empty() {
                "register an agent first: `agentcred --sandbox register SERVICE ...` tries it offline (see `agentcred register --help`)".to_owned()
            } else {
                let names: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
                format!(
                    "pass --profile NAME (or set AGENTCRED_PROFILE), or pick one with `agentcred profiles use NAME`; profiles: {}",
                    names.join(", ")
                )
            };
            Error::usage("no profile selected").with_hint(hint)
        })
    }

    pub fn selected_profile(&self) -> Result<(String, Profile)> {
        // Only the selected profile's file is read; the whole config only to explain a miss.
        let one = Config::load_one(&self.paths, self.global.profile.as_deref())?;
        let found = (self.global.profile.clone())
            .or_else(|| one.current.clone())
            .and_then(|name| Some((name.clone(), one.profiles.get(&name)?.clone())));
        let (name, profile) = match found {
            Some(found) => found,
            None => {
                let config = self.config()?;
                let name = self.selected_name(&config)?;
                let profile = match config.profiles.get(&name) {
                    Some(profile) => profile.clone(),
                    None => self
                        .learn_shared(&name, &config)
                        .map_err(|e| self.say_where_the_name_came_from(e, &name))?,
                };
                (name, profile)
            }
        };
        if self.global.sandbox && !profile.sandbox {
            return Err(Error::usage(format!(
                "profile '{name}' is a real {} profile, not a sandbox one; --sandbox would not apply to it",
                profile.provider.display_name()
            ))
            .with_hint("drop --sandbox (and AGENTCRED_SANDBOX), or pick a sandbox profile with --profile NAME"));
        }
        Ok((name, profile))
    }

    /// A selected profile that does not exist: say where its name came from when it was not
    /// typed as --profile (AGENTCRED_PROFILE, or the config file's `current`).
    fn say_where_the_name_came_from(&self, mut err: Error, name: &str) -> Error {
        if err.kind != crate::error::ErrorKind::NotFound || self.global.profile_flag_given {
            return err;
        }
        let source = if self.global.profile.is_some() {
            format!("AGENTCRED_PROFILE={name}")
        } else {
            "the config file's `current`".to_owned()
        };
        err.message = format!("{} (the name '{name}' comes from {source})", err.message);
        if self.global.profile.is_some() {
            err.hint = Some(format!(
                "set AGENTCRED_PROFILE to an existing profile or unset it; {}",
                err.hint.unwrap_or_default()
            ));
        } else {
            err.hint = Some(format!(
                "{}; or pick another current profile with `agentcred profiles use NAME`",
                err.hint.unwrap_or_default()
            ));
        }
        err
    }

    /// A profile this host does not know, from the shared store `--store` names: the record
    /// registered on another host, now recorded here too (docs/cli-contract.md §11).
    fn learn_shared(&self, name: &str, config: &Config) -> Result<Profile> {
        let Some(kind) = self.asked_store().filter(|kind| kind.is_shared()) else {
            return Err(profile::profile_not_found(name, config));
        };
        profile::validate_profile_name(name)?;
        let store = store::open_profile(name, kind, None, &self.paths)?;
        let Some(shared) = store.shared() else {
            return Err(profile::profile_not_found(name, config));
        };
        let Some(record) = shared.read_record()? else {
            let mut err = profile::profile_not_found(name, config);
            err.message = format!(
                "no profile named '{name}' on this host, nor in {}",
                shared.describe()
            );
            return Err(err);
        };
        let learned =
            Profile::from_shared_record(record, kind, shared.location(), &shared.describe())?;
        // Another process may have learned it meanwhile; the first one recorded wins.
        let profile = Config::update(&self.paths, |config| {
            Ok(config
                .profiles
                .entry(name.to_owned())
                .or_insert(learned)
                .clone())
        })?;
        self.printer.notice(
            "profile_learned",
            format!("Learned profile '{name}' from {}.", shared.describe()),
        );
        Ok(profile)
    }

    /// The selected profile, which must be one of `provider`'s: a service's own nouns
    /// (`keys`, `tokens`, ...) refuse other profiles with exit 2.
    pub fn selected_for(&self, command: &str, provider: Provider) -> Result<(String, Profile)> {
        let (name, profile) = self.selected_profile()?;
        if profile.provider != provider {
            return Err(not_for_provider(
                command,
                &name,
                profile.provider,
                &[provider],
            ));
        }
        Ok((name, profile))
    }

    /// Confirm a destructive action (see [`crate::input::confirm`]). Under `--json` nobody is
    /// asked: a machine says `--yes`, and nothing but JSON may reach stderr.
    pub fn confirm(&self, what: &str, question: &str, yes: bool) -> Result<()> {
        crate::input::confirm(
            what,
            question,
            yes,
            self.global.no_input || self.printer.json,
        )
    }

    /// The selected profile, ready to talk to its service.
    pub fn session(&self) -> Result<Session<'_>> {
        let (name, profile) = self.selected_profile()?;
        self.session_for(name, profile)
    }

    pub fn session_for(&self, name: String, profile: Profile) -> Result<Session<'_>> {
        let sandbox = if profile.sandbox {
            Some(self.sandbox_urls()?)
        } else {
            None
        };
        let mut profile = profile;
        let endpoints = profile::endpoints_for_profile(&name, &profile, sandbox)?;
        self.check_store_flag(&name, &profile)?;
        let store = profile.open_store(&name, &self.paths)?;
        crate::redact::remember_lazily(crate::broker::profile_secrets_later(
            &self.paths,
            &name,
            &profile,
        ));
        if let Some(shared) = store.shared() {
            profile = self.sync_shared(&name, profile, shared)?;
        }
        let endpoints = if profile.endpoints == endpoints || profile.sandbox {
            endpoints
        } else {
            profile::endpoints_for_profile(&name, &profile, sandbox)?
        };
        Ok(Session {
            name,
            profile,
            endpoints,
            store,
            http: self.http()?,
            paths: &self.paths,
        })
    }

    /// The shared store's record is the truth: take another host's change, or give the store
    /// the record it lacks (a registration that stopped between storing the secrets and the
    /// record).
    fn sync_shared(
        &self,
        name: &str,
        profile: Profile,
        shared: &dyn store::SharedProfile,
    ) -> Result<Profile> {
        let local = profile.shared_record()?;
        match shared.read_record()? {
            Some(record) if record == local => Ok(profile),
            Some(record) => {
                let theirs = Profile::from_shared_record(
                    record,
                    profile.store,
                    profile.vault.clone(),
                    &shared.describe(),
                )?;
                refuse_repointing(name, &profile, &theirs, &shared.describe())?;
                Config::update(&self.paths, |config| {
                    if let Some(slot) = config.profiles.get_mut(name) {
                        *slot = theirs.clone();
                    }
                    Ok(())
                })?;
                Ok(theirs)
            }
            None if shared.exists()? => {
                shared.write_record(&local)?;
                Ok(profile)
            }
            // Never re-create a document another host destroyed.
            None => Err(Error::not_found(format!(
                "profile '{name}' has no document in {} any more",
                shared.describe()
            ))
            .with_hint(format!(
                "it was purged (`profiles remove --purge`) or moved on another host; forget it here with `agentcred profiles remove {name}`"
            ))),
        }
    }

    /// The store `--store` names, if it names one (`auto` names none).
    pub fn asked_store(&self) -> Option<store::StoreKind> {
        self.global.store.and_then(store::StoreChoice::named)
    }

    /// `--store` chooses where new secrets go; a profile's secrets stay where they are.
    pub fn check_store_flag(&self, name: &str, profile: &Profile) -> Result<()> {
        let Some(asked) = self.asked_store() else {
            return Ok(());
        };
        if asked == profile.store {
            return Ok(());
        }
        Err(Error::usage(format!(
            "profile '{name}' keeps its secrets in the {} store, not the {asked} store",
            profile.store
        ))
        .with_hint("drop --store (and AGENTCRED_STORE) for this profile; --store only chooses where a new profile's secrets go"))
    }
}

/// Exit 2 when the shared record would move where this host sends the profile's secrets (its
/// endpoints, service or sandbox flag): anyone able to write the shared document could
/// otherwise redirect every host's refreshes. Like an environment override that disagrees
/// with a recorded endpoint, it is refused until accepted on this host (forget the profile
/// here, and the next use learns the record as a new host does).
fn refuse_repointing(name: &str, ours: &Profile, theirs: &Profile, describe: &str) -> Result<()> {
    let mut changes = Vec::new();
    if ours.provider != theirs.provider {
        changes.push(format!(
            "service {} -> {}",
            ours.provider.id(),
            theirs.provider.id()
        ));
    }
    if ours.sandbox != theirs.sandbox {
        changes.push(format!("sandbox {} -> {}", ours.sandbox, theirs.sandbox));
    }
    let names: std::collections::BTreeSet<&String> = ours
        .endpoints
        .keys()
        .chain(theirs.endpoints.keys())
        .collect();
    for endpoint in names {
        let (old, new) = (ours.endpoints.get(endpoint), theirs.endpoints.get(endpoint));
        if old != new {
            let shown = |v: Option<&String>| {
                v.map_or("(none)".to_owned(), |url| crate::http::shown_url(url))
            };
            changes.push(format!(
                "endpoint {endpoint} {} -> {}",
                shown(old),
                shown(new)
            ));
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    Err(Error::usage(format!(
        "the record of profile '{name}' in {describe} now sends its secrets elsewhere ({}); refusing to follow it",
        changes.join("; ")
    ))
    .with_hint(format!(
        "if the change is yours, accept it on this host: `agentcred profiles remove {name}` (forgets it here only), then `agentcred --store vault --profile {name} status` learns the record anew; otherwise restore the record and check who can write it"
    )))
}

/// Exit 2: `command` applies to profiles of the `allowed` services, not to this one.
pub fn not_for_provider(
    command: &str,
    name: &str,
    provider: Provider,
    allowed: &[Provider],
) -> Error {
    let names: Vec<&str> = allowed.iter().map(|p| p.display_name()).collect();
    Error::usage(format!(
        "`agentcred {command}` applies to {} profiles; profile '{}' is {} profile",
        names.join(" and "),
        name,
        with_article(provider.display_name())
    ))
    .with_provider(provider.id())
    .with_hint(format!(
        "pick {} profile with --profile NAME",
        with_article(&names.join(" or "))
    ))
}

/// The name with its article, "a" or "an" by its first letter ("an Example", "a Sample").
pub fn with_article(name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {name}", if vowel { "an" } else { "a" })
}
