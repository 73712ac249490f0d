//! The one door between the product and the emulator.
//!
//! Nothing else in the CLI names the sandbox: a sandbox profile's endpoints are the running
//! emulator's base URLs, looked up by the same `AGENTCRED_*_URL` variable that names a real
//! endpoint ([`EndpointSpec::env_var`](crate::profile::EndpointSpec)), and the demo operator
//! keys are looked up by the variable that would carry a real one (`PROXY_API_KEY`, ...). So a
//! service added to the emulator needs no edit here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::sandbox::{self, RunningSandbox, SandboxConfig};

/// Base URLs of the emulated services, by the environment variable that overrides each.
pub type SandboxUrls = BTreeMap<&'static str, String>;

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

/// Start the emulator on an ephemeral loopback port, sharing `state_file` with every other
/// process that serves it.
pub fn start(state_file: PathBuf) -> Result<EmbeddedSandbox> {
    let config = SandboxConfig::from_env(state_file, 0)
        .map_err(|e| Error::usage(format!("cannot configure the sandbox: {e:#}")))?;
    let running = sandbox::start_background(config)
        .map_err(|e| Error::internal(format!("cannot start the embedded sandbox: {e:#}")))?;
    let urls = sandbox::service_urls(running.base_url())
        .into_iter()
        .collect();
    Ok(EmbeddedSandbox { running, urls })
}

/// Serve in the foreground until Ctrl-C or SIGTERM; `on_ready(base, urls)` once bound.
pub fn serve(
    state_file: PathBuf,
    port: u16,
    on_ready: impl FnOnce(&str, SandboxUrls),
) -> Result<()> {
    let config = SandboxConfig::from_env(state_file, port)
        .map_err(|e| Error::usage(format!("cannot configure the sandbox: {e:#}")))?;
    sandbox::serve_foreground(config, |base| {
        on_ready(base, sandbox::service_urls(base).into_iter().collect())
    })
    .map_err(|e| {
        Error::unavailable(format!("the sandbox server failed: {e:#}"))
            .with_hint("if the port is taken, pick another with --port N (0 picks a free one)")
    })
}

/// The sandbox's documented demo value of an operator-key variable (`PROXY_API_KEY`, ...).
pub fn demo_credential(env_var: &str) -> Option<&'static str> {
    sandbox::demo_operator_keys()
        .iter()
        .find(|(var, _)| *var == env_var)
        .map(|(_, value)| *value)
}
