//! The one door between the product and the emulator.
//!
//! Nothing else in the CLI names the sandbox: a sandbox profile's endpoints are the running
//! emulator's base URLs, looked up by the same `AGENTCRED_*_URL` variable that names a real
//! endpoint ([`EndpointSpec::env_var`](crate::profile::EndpointSpec)), and the demo operator
//! keys are looked up by the variable that would carry a real one (`PROXY_API_KEY`, ...). So a
//! service added to the emulator needs no edit here.
//!
//! The emulator is the `agentcred-sandbox` crate, behind the default-on `sandbox` feature. A
//! build without it has the same API here, but starting or serving a sandbox is a usage error
//! (exit 2) that says how to get one, and there are no demo keys.

use std::collections::BTreeMap;

/// Base URLs of the emulated services, by the environment variable that overrides each.
pub type SandboxUrls = BTreeMap<&'static str, String>;

#[cfg(feature = "sandbox")]
pub use present::{
    EmbeddedSandbox, demo_credential, has_owner_approval, serve, set_owner_approval, start,
};

#[cfg(not(feature = "sandbox"))]
pub use absent::{
    EmbeddedSandbox, demo_credential, has_owner_approval, serve, set_owner_approval, start,
};

#[cfg(feature = "sandbox")]
mod present {
    use std::path::{Path, PathBuf};

    use agentcred_sandbox::{self as sandbox, RunningSandbox, SandboxConfig};

    use super::SandboxUrls;
    use crate::error::{Error, Result};
    use crate::spec::ServiceSpec;

    /// The emulator running on a background thread of this process; stops when dropped.
    #[derive(Debug)]
    pub struct EmbeddedSandbox {
        running: RunningSandbox,
        urls: SandboxUrls,
    }

    impl EmbeddedSandbox {
        pub fn base_url(&self) -> &str {
            self.running.base_url()
        }

        pub fn urls(&self) -> &SandboxUrls {
            &self.urls
        }
    }

    /// The state file's directory must be one the server can write its state into, checked
    /// before it says it is listening (not at its first request).
    fn check_state_dir(path: &std::path::Path) -> Result<()> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => std::path::Path::new("."),
        };
        let probe = tempfile::Builder::new()
            .prefix(".agentcred-probe-")
            .tempfile_in(dir);
        match probe {
            Ok(_) => Ok(()),
            Err(e) => Err(Error::usage(format!(
                "the sandbox cannot keep its state in {}: {e}",
                dir.display()
            ))
            .with_hint("give --state a file in a directory that exists and you can write")),
        }
    }

    /// A state file that is not JSON is a local problem, said before any request: served, it
    /// would make every request fail with a 500 that looks like a failing service.
    fn check_state_file(path: &std::path::Path) -> Result<()> {
        let text = match crate::fsutil::read_regular(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(Error::usage(format!(
                    "cannot read the sandbox state file {}: {e}",
                    path.display()
                ))
                .with_hint("check its permissions, or move it away to start the sandbox afresh"));
            }
        };
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        // Syntax only (IgnoredAny builds nothing): this runs whenever a sandbox starts.
        serde_json::from_slice::<serde::de::IgnoredAny>(&text)
            .map(|_| ())
            .map_err(|e| {
                Error::usage(format!(
                    "the sandbox state file {} is not valid JSON ({e})",
                    path.display()
                ))
                .with_hint(format!(
                    "move it away (`mv {0} {0}.broken`) to start the sandbox afresh; its agents are fakes",
                    path.display()
                ))
            })
    }

    /// Start the emulator on an ephemeral loopback port, sharing `state_file` with every other
    /// process that serves it.
    pub fn start(state_file: PathBuf) -> Result<EmbeddedSandbox> {
        check_state_file(&state_file)?;
        let config = SandboxConfig::from_env(state_file, 0)
            .map_err(|e| Error::usage(format!("cannot configure the sandbox: {e:#}")))?;
        let running = sandbox::start_background(config)
            .map_err(|e| Error::internal(format!("cannot start the embedded sandbox: {e:#}")))?;
        let urls = sandbox::service_urls(running.base_url())
            .into_iter()
            .collect();
        Ok(EmbeddedSandbox { running, urls })
    }

    /// Serve in the foreground until Ctrl-C or SIGTERM; `on_ready(base, urls, control token)`
    /// once bound.
    pub fn serve(
        state_file: PathBuf,
        port: u16,
        on_ready: impl FnOnce(&str, SandboxUrls, &str),
    ) -> Result<()> {
        check_state_file(&state_file)?;
        check_state_dir(&state_file)?;
        let config = SandboxConfig::from_env(state_file, port)
            .map_err(|e| Error::usage(format!("cannot configure the sandbox: {e:#}")))?;
        sandbox::serve_foreground(config, |base, token| {
            on_ready(
                base,
                sandbox::service_urls(base).into_iter().collect(),
                token,
            )
        })
        .map_err(|e| {
            Error::unavailable(format!("the sandbox server failed: {e:#}"))
                .with_hint("if the port is taken, pick another with --port N (0 picks a free one)")
        })
    }

    /// The sandbox's documented demo value of an operator-key variable (`PROXY_API_KEY`, ...).
    pub fn demo_credential(env_var: &str) -> Option<&'static str> {
        sandbox::demo_operator_keys()
            .into_iter()
            .find(|(var, _)| *var == env_var)
            .map(|(_, value)| value)
    }

    /// Whether the sandbox plays the owner of agents of the service that has these endpoints.
    pub fn has_owner_approval(spec: &ServiceSpec) -> bool {
        let vars = sandbox::owner_approval_env_vars();
        spec.endpoints.iter().any(|e| vars.contains(&e.env_var))
    }

    /// Approve (or take back the approval of) `agent_id` as its owner, in the sandbox state
    /// `state_file`, for the service that has these endpoints.
    pub fn set_owner_approval(
        state_file: &Path,
        spec: &ServiceSpec,
        agent_id: &str,
        approve: bool,
    ) -> Result<()> {
        let Some(env_var) = spec.endpoints.first().map(|e| e.env_var) else {
            return Err(Error::internal("a service without endpoints"));
        };
        sandbox::set_owner_approval(state_file, env_var, agent_id, approve).map_err(|e| match e {
            sandbox::ApprovalError::NotSupported => Error::internal(format!(
                "the sandbox has no owner approval for {}",
                spec.display_name
            )),
            sandbox::ApprovalError::Refused(message) => Error::not_found(message).with_hint(
                "the sandbox state may have been reset since the profile was registered; register a new sandbox profile",
            ),
            sandbox::ApprovalError::State(message) => Error::unavailable(message),
        })
    }
}

/// Built without the emulator: the same API, and every way in is a usage error.
#[cfg(not(feature = "sandbox"))]
mod absent {
    use std::convert::Infallible;
    use std::path::{Path, PathBuf};

    use super::SandboxUrls;
    use crate::error::{Error, Result};
    use crate::spec::ServiceSpec;

    /// Never exists in this build: [`start`] always fails.
    #[derive(Debug)]
    pub struct EmbeddedSandbox {
        never: Infallible,
    }

    impl EmbeddedSandbox {
        pub fn base_url(&self) -> &str {
            match self.never {}
        }

        pub fn urls(&self) -> &SandboxUrls {
            match self.never {}
        }
    }

    fn no_sandbox() -> Error {
        Error::usage("this build of agentcred has no sandbox (built without the `sandbox` feature)")
            .with_hint(
                "rebuild with the default features (e.g. `cargo build --release`) to use \
                 --sandbox, sandbox profiles and `sandbox serve`",
            )
    }

    pub fn start(_state_file: PathBuf) -> Result<EmbeddedSandbox> {
        Err(no_sandbox())
    }

    pub fn serve(
        _state_file: PathBuf,
        _port: u16,
        _on_ready: impl FnOnce(&str, SandboxUrls, &str),
    ) -> Result<()> {
        Err(no_sandbox())
    }

    pub fn demo_credential(_env_var: &str) -> Option<&'static str> {
        None
    }

    pub fn has_owner_approval(_spec: &ServiceSpec) -> bool {
        false
    }

    pub fn set_owner_approval(
        _state_file: &Path,
        _spec: &ServiceSpec,
        _agent_id: &str,
        _approve: bool,
    ) -> Result<()> {
        Err(no_sandbox())
    }
}
