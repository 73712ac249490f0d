//! The bridge between an isolated run and the agentcred that started it: inside `exec --isolate
//! --gateway` there is no store, so `agentcred mcp` started there (by an agent host run
//! isolated) serves its tools through the run's gateway.
//!
//! - Outside, the run's gateway answers two read-only routes besides the endpoints, with the
//!   same gateway token: `GET /_agentcred/status` (the `status --json` document of the run's
//!   profile) and `GET /_agentcred/check?min_valid=SECONDS` (its health check row). agentcred
//!   computes them on the thread that owns its context ([`Ask`], answered by `exec`), redacts
//!   every stored secret value, and returns them; errors come back as the error envelope
//!   with the HTTP status 502.
//! - Inside, [`Inside`] reads the run's profile, provider and gateway URLs from the environment
//!   `exec` gave the command (`AGENTCRED_PROFILE`, `AGENTCRED_PROVIDER`,
//!   `AGENTCRED_BASE_URL_<NAME>`, `AGENTCRED_GATEWAY_TOKEN`), asks those routes, and sends the
//!   `request` tool's requests to the gateway like any other client of it. Nothing inside ever
//!   holds a stored secret; whatever needs the store directly (`refresh`) is `isolated`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::childenv;
use crate::error::{Error, Result};

/// The gateway's path prefix for these routes (no endpoint name starts with `_`).
pub const PREFIX: &str = "/_agentcred/";

/// A question from inside, answered by the agentcred that runs the gateway.
pub enum Ask {
    Status,
    Check(Duration),
    /// Not from the gateway: the run ended, stop answering.
    RunEnded,
}

/// Questions with where to send the answer.
pub type Asks = std::sync::mpsc::Sender<(Ask, tokio::sync::oneshot::Sender<Result<Value>>)>;

/// The question a gateway route asks, or `None` for a route that is not one of these.
pub fn route(rest: &str, query: Option<&str>) -> Option<Result<Ask>> {
    match rest {
        "status" => Some(Ok(Ask::Status)),
        "check" => {
            let min_valid = form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .find(|(k, _)| k == "min_valid")
                .map(|(_, v)| v.into_owned());
            Some(match min_valid {
                None => Ok(Ask::Check(crate::session::DEFAULT_MIN_VALID)),
                Some(text) => crate::duration::parse(&text).map(Ask::Check),
            })
        }
        _ => None,
    }
}

/// The answer to `ask` for the run's profile `name`, on the thread that owns the context: the
/// same documents `status --json` and `status --check` give, with every stored value of the
/// profile redacted.
pub fn answer(ctx: &crate::context::Ctx, name: &str, ask: &Ask) -> Result<Value> {
    let profile = ctx.config()?.get(name)?.clone();
    let value = match ask {
        Ask::Status => {
            let session = ctx.session_for(name.to_owned(), profile)?;
            let service = crate::service::of(session.provider())?;
            let view =
                service.status(ctx, &session, &crate::status_view::StatusQuery::default())?;
            let value = crate::output::versioned(view.to_json()?);
            return Ok(crate::broker::profile_secrets(&session).redact_json(&value));
        }
        Ask::Check(min_valid) => {
            let knobs = crate::checkup::CheckKnobs {
                min_valid: *min_valid,
                min_remaining: None,
            };
            let row = crate::checkup::check_one(ctx, name.to_owned(), profile.clone(), &knobs);
            serde_json::to_value(&row)
                .map_err(|e| Error::internal(format!("cannot serialize the check: {e}")))?
        }
        Ask::RunEnded => return Ok(Value::Null),
    };
    let session = ctx.session_for(name.to_owned(), profile)?;
    Ok(crate::broker::profile_secrets(&session).redact_json(&value))
}

/// Ask agentcred's context thread and wait for its answer.
pub async fn ask(asks: &Asks, ask: Ask) -> Result<Value> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    asks.send((ask, reply))
        .map_err(|_| Error::internal("agentcred is shutting down"))?;
    answer
        .await
        .map_err(|_| Error::internal("agentcred is shutting down"))?
}

/// What an `agentcred mcp` inside an isolated run knows of the run it serves.
pub struct Inside {
    pub profile: String,
    pub provider: String,
    /// The gateway's URL of each endpoint, by (lower-case) name.
    pub urls: BTreeMap<String, String>,
    token: String,
    http: reqwest::Client,
}

impl Inside {
    /// The run's gateway, from the environment; `isolated` when this run has none (an
    /// isolated `exec` without `--gateway`, or a command that removed the variables).
    pub fn from_env() -> Result<Inside> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let token = var(childenv::GATEWAY_TOKEN_VAR);
        let profile = var(childenv::PROFILE_VAR);
        let provider = var(childenv::PROVIDER_VAR);
        let urls: BTreeMap<String, String> = std::env::vars()
            .filter_map(|(k, v)| {
                let name = k
                    .strip_prefix(childenv::BASE_URL_PREFIX)?
                    .to_ascii_lowercase();
                let local = v.starts_with("http://127.0.0.1:") && v.ends_with(&format!("/{name}"));
                local.then_some((name, v))
            })
            .collect();
        // The client is plain http to loopback, but reqwest wants a TLS provider installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        match (token, profile, provider) {
            (Some(token), Some(profile), Some(provider)) if !urls.is_empty() => Ok(Inside {
                profile,
                provider,
                urls,
                token,
                http: reqwest::Client::builder()
                    .no_proxy()
                    .timeout(Duration::from_secs(120))
                    .build()
                    .map_err(|e| Error::internal(format!("cannot build an HTTP client: {e}")))?,
            }),
            _ => Err(crate::isolate::isolated_error().with_hint(
                "start the isolated run with --gateway (`agentcred exec --isolate --gateway -- ...`): `agentcred mcp` inside serves through its gateway",
            )),
        }
    }

    /// The gateway's base URL (`http://127.0.0.1:PORT`).
    fn base(&self) -> &str {
        let (name, url) = self.urls.iter().next().expect("checked non-empty");
        &url[..url.len() - name.len() - 1]
    }

    /// A profile a tool names must be the run's.
    pub fn check_profile(&self, asked: Option<&str>) -> Result<()> {
        match asked {
            Some(name) if name != self.profile => Err(Error::not_found(format!(
                "profile '{name}' is not served here: this isolated run serves '{}' only",
                self.profile
            ))
            .with_hint("call list_profiles for the profile this server serves")),
            _ => Ok(()),
        }
    }

    /// `GET /_agentcred/<route>` on the run's gateway.
    pub async fn ask(&self, route: &str) -> Result<Value> {
        let response = self
            .http
            .get(format!("{}{PREFIX}{route}", self.base()))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| Error::unavailable(format!("the run's gateway did not answer: {e}")))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| Error::internal(format!("the run's gateway sent no JSON: {e}")))?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(from_envelope(&body))
        }
    }

    /// The `request` tool through the gateway: status, headers and body bytes.
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        query: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>)> {
        let mut url = format!("{}{path}", self.base());
        if let Some(query) = query {
            url.push('?');
            url.push_str(query);
        }
        let mut builder = self
            .http
            .request(method, url)
            .bearer_auth(&self.token)
            .header("accept", "application/json");
        if let Some(body) = body {
            builder = builder
                .header("content-type", "application/json")
                .body(body);
        }
        let response = builder
            .send()
            .await
            .map_err(|e| Error::unavailable(format!("the run's gateway did not answer: {e}")))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::unavailable(format!("the run's gateway answer broke off: {e}")))?;
        Ok((status, headers, bytes.to_vec()))
    }
}

/// The error an envelope (`{"error": {code, message, hint}}`) from outside describes.
fn from_envelope(body: &Value) -> Error {
    let error = &body["error"];
    let code = error["code"].as_str().unwrap_or("internal");
    let code = crate::error::Code::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == code)
        .unwrap_or(crate::error::Code::Internal);
    let message = error["message"]
        .as_str()
        .unwrap_or("the run's gateway refused the question");
    let err = Error::coded(code, message);
    match error["hint"].as_str() {
        Some(hint) => err.with_hint(hint),
        None => err,
    }
}
