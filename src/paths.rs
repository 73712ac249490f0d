//! Where local state lives (docs/cli-contract.md §1).
//!
//! `AGENTCRED_HOME=DIR` puts everything under DIR. Otherwise the config goes to the XDG config
//! dir, data (file store, rescue files, sandbox state) to the XDG data dir and locks to the XDG
//! state dir (or the runtime dir, or the data dir where neither exists), all through `dirs`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub lock_dir: PathBuf,
}

impl Paths {
    pub fn from_env() -> Result<Paths> {
        if let Some(home) = std::env::var_os("AGENTCRED_HOME").filter(|v| !v.is_empty()) {
            return Ok(Paths::under(Path::new(&home)));
        }
        let no_dir = |what: &str| {
            Error::internal(format!("cannot find the user's {what} directory"))
                .with_hint("set AGENTCRED_HOME=DIR to keep all agentcred state under DIR")
        };
        let config_dir = dirs::config_dir()
            .ok_or_else(|| no_dir("config"))?
            .join("agentcred");
        let data_dir = dirs::data_dir()
            .ok_or_else(|| no_dir("data"))?
            .join("agentcred");
        let lock_dir = dirs::state_dir()
            .or_else(dirs::runtime_dir)
            .map(|d| d.join("agentcred"))
            .unwrap_or_else(|| data_dir.clone())
            .join("locks");
        Ok(Paths {
            config_dir,
            data_dir,
            lock_dir,
        })
    }

    /// All state under one directory (`AGENTCRED_HOME`).
    pub fn under(home: &Path) -> Paths {
        Paths {
            config_dir: home.to_path_buf(),
            data_dir: home.join("data"),
            lock_dir: home.join("locks"),
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// The file credential store.
    pub fn secrets_file(&self) -> PathBuf {
        self.data_dir.join("secrets.json")
    }

    /// The file store's document for one profile's secrets (see `store::file`).
    pub fn profile_secrets_file(&self, profile: &str) -> PathBuf {
        self.data_dir
            .join("secrets")
            .join(format!("{profile}.json"))
    }

    /// Where one-time secrets go when the store fails after a service answered.
    pub fn rescue_dir(&self) -> PathBuf {
        self.data_dir.join("rescue")
    }

    /// The embedded sandbox's state, shared by every `--sandbox` invocation.
    pub fn sandbox_state_file(&self) -> PathBuf {
        self.data_dir.join("sandbox-state.json")
    }
}
