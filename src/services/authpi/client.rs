//! AuthPI: the Core API (agents and their verifiers, with an org API key) and the IdP's
//! client-credentials grant (the agent's 5-minute `at+jwt` access token). See docs/providers.md §3
//! and the AuthPI bullets of docs/providers.md §7.
//!
//! - Core API calls carry `Authorization: Basic base64(key_id:key_secret)` and unwrap the
//!   `{"data": ...}` envelope. Creates (agents, verifiers) send a fresh `Idempotency-Key` and are
//!   marked idempotent, so the http layer may resend the very same request after a lost
//!   response and the service replays the first answer instead of creating a second resource.
//!   PATCH and DELETE send `If-Match` with the ETag of what the caller read; a 412 means the
//!   resource changed meanwhile.
//! - The token request is form-encoded: `grant_type=client_credentials`, `client_id` = the
//!   agent id, `client_secret` = the plaintext of a secret verifier.
//! - Errors are `{"error", "error_description", ...}`; [`error_from`] maps them to exit codes,
//!   with the contract's exceptions: the verifier limit and a suspended or blocked agent are
//!   refusals by policy (8), an Idempotency-Key mismatch is a conflict (5).

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::error::{Code, Error, ErrorKind, Result};
use crate::http::{self, Auth, Call, Http, Reply};
use crate::secret::Secret;

pub const PROVIDER: &str = "authpi";
const NAME: &str = "AuthPI";

/// How often a create that finds its Idempotency-Key still in flight waits and asks again.
const IN_FLIGHT_RETRIES: u32 = 3;
const IN_FLIGHT_MAX_WAIT: Duration = Duration::from_secs(5);

/// The operator's org API key.
pub struct OrgKey {
    pub key_id: String,
    pub secret: Secret<String>,
}

/// The agent object (docs/providers.md §3.5). Times are unix milliseconds.
#[derive(Debug, Clone, Deserialize)]
pub struct Agent {
    pub id: String,
    #[serde(default)]
    pub issuer_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub status_at: Option<i64>,
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
}

/// A verifier as listed (docs/providers.md §3.6): never its secret.
#[derive(Debug, Clone, Deserialize)]
pub struct Verifier {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub credential: Option<Value>,
    #[serde(default)]
    pub usage_count: Option<u64>,
    #[serde(default)]
    pub last_used_at: Option<i64>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
}

impl Verifier {
    /// Its ETag: there is no single-verifier GET, so it is derived as the service derives it,
    /// `"<updated_at ?? created_at>"` (docs/providers.md §3.4, §7).
    pub fn etag(&self) -> Option<String> {
        self.updated_at
            .or(self.created_at)
            .map(|ms| format!("\"{ms}\""))
    }

    /// A wallet verifier's `(network, address)`.
    pub fn wallet(&self) -> Option<(String, String)> {
        let credential = self.credential.as_ref()?;
        let field = |k: &str| credential.get(k).and_then(Value::as_str).map(str::to_owned);
        Some((field("network")?, field("address")?))
    }
}

/// The answer to adding a secret verifier. The secret is shown this once, so it is taken
/// whenever it is there, and everything else is read leniently: a field of an unexpected
/// type (a time as a string, a count as text) is dropped, never the answer with the secret.
fn new_secret_from(body: &[u8]) -> Result<NewSecret> {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let data = value.get("data").unwrap_or(&value);
    let Some(secret) = data
        .get("secret")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err(Error::internal(
            "AuthPI created a secret verifier but its answer carried no secret",
        )
        .with_provider(PROVIDER)
        .with_hint(
            "remove that verifier (`agentcred verifiers list`, then `verifiers remove ID`) and add another",
        ));
    };
    let text = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_owned);
    let number = |k: &str| data.get(k).and_then(Value::as_i64);
    let verifier = Verifier {
        id: text("id").unwrap_or_default(),
        kind: text("type").unwrap_or_else(|| "secret".to_owned()),
        status: text("status"),
        name: text("name"),
        credential: data.get("credential").filter(|c| c.is_object()).cloned(),
        usage_count: data.get("usage_count").and_then(Value::as_u64),
        last_used_at: number("last_used_at"),
        created_at: number("created_at"),
        updated_at: number("updated_at"),
    };
    Ok(NewSecret {
        verifier,
        secret: Secret::new(secret.to_owned()),
    })
}

/// A resource and the ETag it came with.
pub struct Tagged<T> {
    pub value: T,
    pub etag: Option<String>,
    /// The service answered from its Idempotency-Key cache (`Idempotent-Replayed: true`).
    pub replayed: bool,
}

/// A new secret verifier and its plaintext, which the service shows only this once.
pub struct NewSecret {
    pub verifier: Verifier,
    pub secret: Secret<String>,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Page<T> {
    data: Vec<T>,
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
}

/// An RFC 7662 answer (the fields agentcred reads).
#[derive(Debug, Deserialize)]
pub struct Introspection {
    pub active: bool,
    #[serde(default)]
    pub exp: Option<i64>,
}

/// Decode an introspection answer, bare or in the Core API's `{"data": ...}`.
fn introspection_of(reply: &Reply) -> Option<Introspection> {
    let body = reply.json_value()?;
    let body = match body.get("data") {
        Some(data) if body.as_object().is_some_and(|o| o.len() == 1) => data.clone(),
        _ => body,
    };
    serde_json::from_value(body).ok()
}

/// `POST {idp}/{issuer}/introspect` (RFC 7662) with the agent's own client credentials.
/// `Ok(None)` when the IdP gives no usable answer (no such route, an error status).
pub fn introspect(
    http: &Http,
    idp_url: &str,
    issuer_id: &str,
    agent_id: &str,
    client_secret: &Secret<String>,
    token: &Secret<String>,
) -> Result<Option<Introspection>> {
    let url = format!(
        "{}/{}/introspect",
        idp_url.trim_end_matches('/'),
        seg(issuer_id)
    );
    let call = Call::post(url)
        .form(vec![
            ("token".into(), token.expose().clone()),
            ("token_type_hint".into(), "access_token".into()),
        ])
        .auth(Auth::Basic {
            user: agent_id.to_owned(),
            password: client_secret.clone(),
        })
        .body_secret(token)
        .idempotent();
    let reply = http.send(PROVIDER, &call)?;
    Ok(reply
        .is_success()
        .then(|| introspection_of(&reply))
        .flatten())
}

/// The Core API of one account and issuer, spoken with the operator's org key.
pub struct Core<'a> {
    http: &'a Http,
    base: String,
    account_id: String,
    issuer_id: String,
    key: OrgKey,
}

impl<'a> Core<'a> {
    pub fn new(
        http: &'a Http,
        api_url: &str,
        account_id: &str,
        issuer_id: &str,
        key: OrgKey,
    ) -> Core<'a> {
        Core {
            http,
            base: api_url.trim_end_matches('/').to_owned(),
            account_id: account_id.to_owned(),
            issuer_id: issuer_id.to_owned(),
            key,
        }
    }

    fn agents_url(&self) -> String {
        format!(
            "{}/v1/accounts/{}/issuers/{}/agents",
            self.base,
            seg(&self.account_id),
            seg(&self.issuer_id)
        )
    }

    fn agent_url(&self, agent_id: &str) -> String {
        format!("{}/{}", self.agents_url(), seg(agent_id))
    }

    fn auth(&self) -> Auth {
        Auth::Basic {
            user: self.key.key_id.clone(),
            password: self.key.secret.clone(),
        }
    }

    fn send(&self, call: Call) -> Result<Reply> {
        self.http.send(PROVIDER, &call.auth(self.auth()))
    }

    /// A create with a fresh Idempotency-Key: resent as is after a lost response (the http
    /// layer's retries), and asked again a few times while the service says the first attempt
    /// is still being processed.
    fn send_create(&self, url: String, body: Value) -> Result<Reply> {
        let call = Call::post(url)
            .json(body)
            .header("Idempotency-Key", idempotency_key())
            .idempotent()
            .auth(self.auth());
        let mut asked = 0;
        loop {
            let reply = self.http.send(PROVIDER, &call)?;
            let in_flight = reply.status == 409
                && description(&reply).is_some_and(|d| d.contains("currently being processed"));
            if !in_flight || asked >= IN_FLIGHT_RETRIES {
                return Ok(reply);
            }
            asked += 1;
            let wait = reply
                .header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map_or(Duration::from_secs(1), Duration::from_secs)
                .min(IN_FLIGHT_MAX_WAIT);
            std::thread::sleep(wait);
        }
    }

    /// `POST .../agents` with the body built by the caller (only the fields the user gave).
    pub fn create_agent(&self, body: Value) -> Result<Tagged<Agent>> {
        let reply = self.send_create(self.agents_url(), body)?;
        if !reply.is_success() {
            return Err(error_from(&reply, "create the agent"));
        }
        tagged(&reply, "create agent")
    }

    pub fn get_agent(&self, agent_id: &str) -> Result<Tagged<Agent>> {
        let reply = self.send(Call::get(self.agent_url(agent_id)))?;
        if !reply.is_success() {
            return Err(agent_error(&reply, agent_id, "read"));
        }
        tagged(&reply, "get agent")
    }

    /// `POST .../tokens/introspect` (RFC 7662 at the Core API, with the org key). `Ok(None)`
    /// when the API gives no usable answer.
    pub fn introspect(&self, token: &Secret<String>) -> Result<Option<Introspection>> {
        let url = format!(
            "{}/v1/accounts/{}/issuers/{}/tokens/introspect",
            self.base,
            seg(&self.account_id),
            seg(&self.issuer_id)
        );
        let call = Call::post(url)
            .json(json!({ "token": token.expose() }))
            .body_secret(token)
            .idempotent();
        let reply = self.send(call)?;
        Ok(reply
            .is_success()
            .then(|| introspection_of(&reply))
            .flatten())
    }

    /// `PATCH` with `If-Match: etag`.
    pub fn update_agent(&self, agent_id: &str, patch: Value, etag: &str) -> Result<Tagged<Agent>> {
        let call = Call::patch(self.agent_url(agent_id))
            .json(patch)
            .header("If-Match", etag);
        let reply = self.send(call)?;
        if !reply.is_success() {
            return Err(agent_error(&reply, agent_id, "update"));
        }
        tagged(&reply, "update agent")
    }

    /// `DELETE` with `If-Match: etag`; the agent and all its verifiers are gone.
    pub fn delete_agent(&self, agent_id: &str, etag: &str) -> Result<()> {
        let call = Call::delete(self.agent_url(agent_id)).header("If-Match", etag);
        let reply = self.send(call)?;
        if !reply.is_success() {
            return Err(agent_error(&reply, agent_id, "delete"));
        }
        Ok(())
    }

    /// Every verifier of the agent (following `next_cursor`, should there ever be one).
    pub fn list_verifiers(&self, agent_id: &str) -> Result<Vec<Verifier>> {
        let url = format!("{}/verifiers", self.agent_url(agent_id));
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        // 20 verifiers fit in one page; the bound only guards against a cursor that loops.
        for _ in 0..50 {
            let mut call = Call::get(&url);
            if let Some(c) = &cursor {
                call = call.query("cursor", c.clone());
            }
            let reply = self.send(call)?;
            if !reply.is_success() {
                return Err(agent_error(&reply, agent_id, "list the verifiers of"));
            }
            let page: Page<Verifier> = reply.decode(PROVIDER, "list verifiers")?;
            all.extend(page.data);
            match page.next_cursor.filter(|_| page.has_more) {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok(all)
    }

    /// A server-generated secret verifier. `name` is always sent, `null` when not given.
    pub fn add_secret_verifier(&self, agent_id: &str, name: Option<&str>) -> Result<NewSecret> {
        let body = json!({"type": "secret", "name": name});
        let reply = self.send_create(format!("{}/verifiers", self.agent_url(agent_id)), body)?;
        if !reply.is_success() {
            return Err(error_from(&reply, "add a secret verifier"));
        }
        new_secret_from(&reply.body)
    }

    /// A wallet verifier (`network` CAIP-2; the caller has checked both values).
    pub fn add_wallet_verifier(
        &self,
        agent_id: &str,
        name: Option<&str>,
        address: &str,
        network: &str,
    ) -> Result<Verifier> {
        let body = json!({"type": "wallet", "name": name, "address": address, "network": network});
        let reply = self.send_create(format!("{}/verifiers", self.agent_url(agent_id)), body)?;
        if !reply.is_success() {
            return Err(error_from(&reply, "add a wallet verifier"));
        }
        Ok(reply
            .decode::<Data<Verifier>>(PROVIDER, "add verifier")?
            .data)
    }

    /// `DELETE .../verifiers/{id}` with `If-Match: etag`.
    pub fn remove_verifier(&self, agent_id: &str, verifier_id: &str, etag: &str) -> Result<()> {
        let url = format!(
            "{}/verifiers/{}",
            self.agent_url(agent_id),
            seg(verifier_id)
        );
        let reply = self.send(Call::delete(url).header("If-Match", etag))?;
        if !reply.is_success() {
            let mut err = error_from(&reply, &format!("remove verifier {verifier_id}"));
            if reply.status == 412 {
                err.message = format!(
                    "could not remove verifier {verifier_id}: it changed meanwhile (AuthPI answered 412)"
                );
                err = err.with_hint(
                    "list the verifiers again with `agentcred verifiers list`, check it is still the one to remove, then retry",
                );
            }
            return Err(err);
        }
        Ok(())
    }
}

fn tagged<T: DeserializeOwned>(reply: &Reply, what: &str) -> Result<Tagged<T>> {
    let data: Data<T> = reply.decode(PROVIDER, what)?;
    Ok(Tagged {
        value: data.data,
        etag: reply.header("etag").map(str::to_owned),
        replayed: reply
            .header("idempotent-replayed")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
    })
}

/// Errors about one agent: a 404 means it is gone; a 412 that it changed since it was read.
fn agent_error(reply: &Reply, agent_id: &str, verb: &str) -> Error {
    let mut err = error_from(reply, &format!("{verb} agent {agent_id}"));
    match reply.status {
        404 => {
            err = err.with_hint(
                "the agent no longer exists at AuthPI (or is not under this account and issuer); \
                 remove the profile with `agentcred profiles remove NAME`",
            )
        }
        412 => {
            err.message = format!(
                "could not {verb} agent {agent_id}: it changed meanwhile (AuthPI answered 412{})",
                current_etag(reply)
                    .map(|e| format!(", current ETag {e}"))
                    .unwrap_or_default()
            );
            err = err.with_hint(
                "someone else changed the agent; run the command again to act on its latest version",
            );
        }
        // A transition the agent's state does not allow: a blocked agent stays blocked.
        400 | 409 if description(reply).is_some_and(|d| d.contains("from blocked")) => {
            err = err.with_code(Code::AgentBlocked).with_hint(
                "a blocked agent cannot be reactivated: delete it with `agentcred agent delete --yes` and register a new one",
            );
        }
        _ => {}
    }
    err
}

/// A URL path segment: ids are opaque, so anything that is not an id character is escaped.
fn seg(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A fresh random Idempotency-Key (128 bits from the OS).
pub fn idempotency_key() -> String {
    crate::http::idempotency_key()
}

// ------------------------------------------------------------------------------------------
// The IdP

/// `GET {api}/v1/me` with the org key: the one read-only call that says whether a key works.
pub fn check_org_key(http: &Http, api_url: &str, key: &OrgKey) -> Result<()> {
    let call = Call::get(format!("{}/v1/me", api_url.trim_end_matches('/'))).auth(Auth::Basic {
        user: key.key_id.clone(),
        password: key.secret.clone(),
    });
    let reply = http.send(PROVIDER, &call)?;
    if reply.is_success() {
        Ok(())
    } else {
        Err(error_from(&reply, "check the org key"))
    }
}

/// `POST {idp}/{issuer_id}/token`: the client-credentials grant for the agent.
pub fn token(
    http: &Http,
    idp_url: &str,
    issuer_id: &str,
    agent_id: &str,
    client_secret: &Secret<String>,
) -> Result<Secret<String>> {
    let url = format!("{}/{}/token", idp_url.trim_end_matches('/'), seg(issuer_id));
    let call = Call::post(url)
        .form(vec![
            ("grant_type".into(), "client_credentials".into()),
            ("client_id".into(), agent_id.to_owned()),
            ("client_secret".into(), client_secret.expose().clone()),
        ])
        .body_secret(client_secret);
    let reply = http.send(PROVIDER, &call)?;
    if !reply.is_success() {
        return Err(token_error(&reply, agent_id));
    }
    let parsed: TokenReply = reply.decode(PROVIDER, "token")?;
    Ok(Secret::new(parsed.access_token))
}

fn token_error(reply: &Reply, agent_id: &str) -> Error {
    let mut err = error_from(reply, &format!("get an access token for agent {agent_id}"));
    match err.service_code.as_deref() {
        // The IdP's answer for a suspended or blocked agent (docs/providers.md §7).
        Some("unauthorized_client") if reply.status == 400 => {
            let blocked = description(reply).is_some_and(|d| d.contains("blocked"));
            let state = if blocked { "blocked" } else { "suspended" };
            err = err.with_code(if blocked {
                Code::AgentBlocked
            } else {
                Code::AgentSuspended
            });
            err.message = match description(reply) {
                Some(text) if text.contains(state) => {
                    format!("AuthPI refused an access token: {text}")
                }
                _ => format!("AuthPI refused an access token: agent {agent_id} is {state}"),
            };
            if blocked {
                err.with_hint(
                    "a blocked agent cannot be reactivated; delete it with `agentcred agent delete` and register a new one",
                )
            } else {
                err.with_hint(
                    "an operator can reactivate it with `agentcred agent activate` (needs the AuthPI org key); see why with `agentcred agent show`",
                )
            }
        }
        Some("invalid_client") => err.with_hint(
            "the profile's client secret was rejected: its verifier was probably removed. An operator can add a new one \
             and switch the profile to it with `agentcred verifiers add secret --use`",
        ),
        _ => err,
    }
}

/// The error for any use of a profile whose agent `agentcred agent delete` deleted.
pub fn deleted_error(profile: &str, agent_id: &str, when: &str) -> Error {
    Error::not_found(format!(
        "the AuthPI agent {agent_id} of profile '{profile}' was deleted ({when})"
    ))
    .with_provider(PROVIDER)
    .with_hint(format!(
        "remove the profile with `agentcred profiles remove {profile}`, or register a new agent with `agentcred register authpi`"
    ))
}

// ------------------------------------------------------------------------------------------
// Errors

fn description(reply: &Reply) -> Option<String> {
    reply
        .json_value()?
        .get("error_description")?
        .as_str()
        .map(str::to_owned)
}

fn current_etag(reply: &Reply) -> Option<String> {
    let body = reply.json_value()?;
    body.get("current_etag")
        .or_else(|| body.get("currentETag"))?
        .as_str()
        .map(str::to_owned)
}

/// Decode AuthPI's error envelope into an error that says what to do.
pub fn error_from(reply: &Reply, action: &str) -> Error {
    let body = reply.json_value();
    let code = body
        .as_ref()
        .and_then(|b| b.get("error"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let detail = match (&code, description(reply)) {
        (Some(code), Some(text)) => Some(format!("{text} ({code})")),
        (Some(code), None) => Some(code.clone()),
        (None, text) => text,
    };
    let mut err = http::reply_error(NAME, reply, code.clone(), detail);
    err.message = format!("could not {action}: {}", err.message);
    err.provider = Some(PROVIDER.to_owned());
    let text = description(reply).unwrap_or_default();
    match reply.status {
        409 if text.contains("verifier limit") => {
            err.with_code(Code::LimitReached).with_hint(
                "an agent has at most 20 verifiers; remove one it no longer needs (`agentcred verifiers list`, then `agentcred verifiers remove ID`)",
            )
        }
        409 if text.contains("suspended or blocked") => {
            err.with_code(Code::AgentSuspended).with_hint(
                "the verifiers of a suspended agent cannot change; reactivate it first with `agentcred agent activate`",
            )
        }
        409 if text.contains("Idempotency-Key") => err.with_hint(
            "the first attempt of this request is still being processed at AuthPI; wait a moment and check the result \
             (`agentcred verifiers list`, `agentcred agent show`) before trying again",
        ),
        // The contract counts an idempotency mismatch as a conflict, not bad input.
        422 if text.contains("Idempotency-Key") => {
            err.kind = ErrorKind::Conflict;
            err.with_hint(
                "this is a bug in agentcred (a retry sent another body); please report it, then run the command again",
            )
        }
        412 => err.with_hint("it changed since it was read; read it again and retry"),
        401 => err.with_hint(
            "check the AuthPI org API key: set AUTHPI_KEY_ID and AUTHPI_KEY_SECRET, or store it with `agentcred login authpi`",
        ),
        403 => err.with_hint(
            "the org API key has no access to this account or issuer; check --account/--issuer (recorded in the profile) and the key's scopes",
        ),
        400 | 422 => err.with_hint("check the values given on the command line"),
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_suspensions_are_policy_refusals() {
        let limit = error_from(
            &Reply::with_json(
                409,
                json!({"error": "conflict", "error_description": "verifier limit reached (20)"}),
            ),
            "add a wallet verifier",
        );
        assert_eq!(limit.exit_code(), 8);
        assert!(limit.message.contains("verifier limit reached (20)"));
        assert_eq!(limit.provider.as_deref(), Some(PROVIDER));
        let other = error_from(
            &Reply::with_json(
                409,
                json!({"error": "conflict", "error_description": "wallet already linked"}),
            ),
            "add",
        );
        assert_eq!(other.exit_code(), 5);
        let suspended = token_error(
            &Reply::with_json(
                400,
                json!({"error": "unauthorized_client", "error_description": "agent agt_1 is suspended"}),
            ),
            "agt_1",
        );
        assert_eq!(suspended.exit_code(), 8);
        assert!(suspended.hint.unwrap().contains("agentcred agent activate"));
        let mismatch = error_from(
            &Reply::with_json(
                422,
                json!({"error": "invalid_request", "error_description": "Idempotency-Key has already been used with a different request body"}),
            ),
            "create the agent",
        );
        assert_eq!(mismatch.exit_code(), 5);
        let stale = agent_error(
            &Reply::with_json(
                412,
                json!({"error": "precondition_failed", "current_etag": "\"9\""}),
            ),
            "agt_1",
            "update",
        );
        assert_eq!(stale.exit_code(), 5);
        assert!(stale.message.contains("changed meanwhile") && stale.message.contains("\"9\""));
    }

    #[test]
    fn a_new_secret_survives_any_other_field_of_an_unexpected_type() {
        let body = json!({"data": {
            "id": "vrf_1", "type": "secret", "secret": "cs_shown_once",
            "created_at": "2026-01-01T00:00:00Z", "usage_count": "none", "name": 7,
            "credential": "weird"
        }});
        // A strict decode of this answer fails, which lost the secret.
        assert!(serde_json::from_value::<Verifier>(body["data"].clone()).is_err());
        let new = new_secret_from(body.to_string().as_bytes()).unwrap();
        assert_eq!(new.secret.expose(), "cs_shown_once");
        assert_eq!(new.verifier.id, "vrf_1");
        assert_eq!(new.verifier.created_at, None);
        assert_eq!(new.verifier.name, None);
        // Without `data` around it, too; and no secret is an error that says so.
        let bare = json!({"secret": "cs_bare", "id": ["odd"]});
        assert_eq!(
            new_secret_from(bare.to_string().as_bytes())
                .unwrap()
                .secret
                .expose(),
            "cs_bare"
        );
        let none = new_secret_from(br#"{"data": {"id": "vrf_2"}}"#)
            .err()
            .unwrap();
        assert!(none.message.contains("carried no secret"));
    }

    #[test]
    fn verifier_etags_follow_the_service_rule() {
        let v: Verifier = serde_json::from_value(
            json!({"id": "vrf_1", "type": "secret", "created_at": 5, "updated_at": null}),
        )
        .unwrap();
        assert_eq!(v.etag().as_deref(), Some("\"5\""));
        assert!(idempotency_key().starts_with("agentcred-"));
        assert_ne!(idempotency_key(), idempotency_key());
        assert_eq!(seg("agt_1"), "agt_1");
        assert_eq!(seg("a/b c"), "a%2Fb%20c");
    }
}
