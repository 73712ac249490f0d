//! Proxy's Ledger API (generation L; docs/providers.md §4 and §7).
//!
//! - Auth: the organization key as `Api-Key: lk_dev_…|lk_live_…` for everything; an agent
//!   token as `Authorization: Bearer at_…` only to read its own agent, policy and cards.
//! - `POST /v1/agents/register` is idempotent by `externalId`, so it is the one POST marked
//!   [`Call::idempotent`]: a response lost in transit is retried, and the retry finds the agent
//!   (`created: false`, no token) instead of making a second one.
//! - Money is integer cents (USD, atomic with 2 decimals); times are integer milliseconds.
//! - Lists page with `cursor`/`hasMore`; [`Client`] follows every page, so a list is complete.
//! - Errors come as `{"error": {"type", "code", "message"}, "request_id"}`; [`error_from`] keeps
//!   the service's message and request id and adds what to do next.
//!
//! Nothing here reads a profile or a store: callers hand over the base URL and a credential.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::{Code, Error, Result};
use crate::http::{self, Auth, Call, Http, Reply};
use crate::secret::Secret;

pub const PROVIDER: &str = "proxy";
const NAME: &str = "Proxy";
/// A list longer than this many pages is refused rather than fetched forever (a service that
/// keeps answering `hasMore` with new cursors would otherwise never end).
const MAX_PAGES: usize = 1000;

/// How a request authenticates.
#[derive(Clone)]
pub enum Credential {
    /// The organization's `Api-Key`.
    Operator(Secret<String>),
    /// An agent token (`at_…`), for the agent's reads of itself.
    Agent(Secret<String>),
}

impl Credential {
    fn auth(&self) -> Auth {
        match self {
            Credential::Operator(key) => Auth::Header {
                name: "Api-Key",
                value: key.clone(),
            },
            Credential::Agent(token) => Auth::Bearer(token.clone()),
        }
    }
}

/// The environment an organization key or agent token belongs to, from its prefix.
pub fn environment(secret: &str) -> &'static str {
    if secret.starts_with("lk_live_") || secret.starts_with("at_live_") {
        "live"
    } else if secret.starts_with("lk_dev_")
        || secret.starts_with("lk_test_")
        || secret.starts_with("at_dev_")
    {
        "dev"
    } else {
        "unknown"
    }
}

// ------------------------------------------------------------------------------------------
// Wire types (only what agentcred reads; unknown fields are ignored)

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Agent {
    pub id: String,
    pub external_id: Option<String>,
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub created_at: Option<Value>,
    pub deregistered_at: Option<Value>,
    pub previous_status: Option<String>,
    pub spending_limit: Option<i64>,
    pub spending_limit_frequency: Option<String>,
    pub on_limit_exceeded: Option<String>,
    pub current_spend: Option<i64>,
    pub max_cards: Option<u64>,
    pub card_count: Option<u64>,
}

/// What register answers: the agent, whether it was created, and the token only if it was.
pub struct Registered {
    pub agent: Agent,
    pub created: bool,
    pub token: Option<Secret<String>>,
    pub token_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisterReply {
    #[serde(flatten)]
    agent: Agent,
    #[serde(default)]
    created: Option<bool>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    token_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Policy {
    pub agent_id: Option<String>,
    pub spending_limit: Option<i64>,
    pub spending_limit_frequency: Option<String>,
    pub on_limit_exceeded: Option<String>,
    pub current_spend: Option<i64>,
    pub remaining: Option<i64>,
}

/// An agent token as listed: never the secret.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgentToken {
    pub id: String,
    pub token_prefix: Option<String>,
    pub name: Option<String>,
    pub is_active: Option<bool>,
    pub created_at: Option<Value>,
    pub last_used_at: Option<Value>,
    pub expires_at: Option<Value>,
    pub revoked_at: Option<Value>,
}

#[derive(Deserialize)]
struct NewTokenReply {
    #[serde(flatten)]
    token: AgentToken,
    #[serde(rename = "token")]
    secret: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Card {
    pub id: String,
    pub agent_id: Option<String>,
    #[serde(rename = "type")]
    pub card_type: Option<String>,
    pub purpose: Option<String>,
    pub status: Option<String>,
    pub last4: Option<String>,
    /// `"12"` or `12`: the docs show strings, and numbers cost nothing to accept.
    pub expiration_month: Option<Value>,
    pub expiration_year: Option<Value>,
    pub max_amount: Option<i64>,
    pub limits: Option<CardLimits>,
    pub merchant_hint: Option<String>,
    pub credential_exposure: Option<String>,
    pub created_at: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CardLimits {
    pub per_auth: Option<i64>,
    pub per_day: Option<i64>,
    pub per_month: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    #[serde(default = "Vec::new")]
    data: Vec<T>,
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    cursor: Option<String>,
}

/// What `register` sends.
#[derive(Debug, Clone, Default)]
pub struct RegisterRequest {
    pub external_id: String,
    pub user_id: String,
    pub name: String,
    pub description: Option<String>,
    /// Cents.
    pub spending_limit: Option<i64>,
    pub frequency: Option<String>,
    pub on_limit_exceeded: Option<String>,
    pub max_cards: Option<u32>,
}

/// The policy fields of `PATCH /v1/agents/{id}`; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct PolicyChange {
    /// Cents.
    pub spending_limit: Option<i64>,
    pub frequency: Option<String>,
    pub on_limit_exceeded: Option<String>,
}

/// What `POST /v1/agents/{id}/cards` sends.
#[derive(Debug, Clone, Default)]
pub struct CardRequest {
    pub purpose: String,
    pub card_type: Option<String>,
    /// Cents.
    pub max_amount: Option<i64>,
}

// ------------------------------------------------------------------------------------------
// The client

pub struct Client<'a> {
    http: &'a Http,
    base: String,
    credential: Credential,
}

impl<'a> Client<'a> {
    pub fn new(http: &'a Http, base: &str, credential: Credential) -> Client<'a> {
        Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            credential,
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self.credential, Credential::Operator(_))
    }

    fn url(&self, segments: &[&str]) -> String {
        let mut url = self.base.clone();
        for segment in segments {
            url.push('/');
            url.push_str(&encode_segment(segment));
        }
        url
    }

    /// Send with this client's credential; a non-success status becomes an error.
    fn send(&self, call: Call, action: &str) -> Result<Reply> {
        let reply = self
            .http
            .send(PROVIDER, &call.auth(self.credential.auth()))?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(error_from(&reply, action, &self.credential))
        }
    }

    fn decode<T: DeserializeOwned>(&self, call: Call, action: &str) -> Result<T> {
        self.send(call, action)?.decode(NAME, action)
    }

    /// Every item of a paged list, following `cursor` while `hasMore`.
    fn list_all<T: DeserializeOwned>(&self, url: &str, action: &str) -> Result<Vec<T>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut call = Call::get(url);
            if let Some(cursor) = &cursor {
                call = call.query("cursor", cursor.clone());
            }
            let page: Page<T> = self.decode(call, action)?;
            items.extend(page.data);
            match page.cursor.filter(|_| page.has_more) {
                Some(next) if Some(&next) == cursor.as_ref() => {
                    return Err(Error::internal(format!(
                        "{NAME} answered the same list cursor twice while listing; the list may be incomplete"
                    ))
                    .with_provider(PROVIDER)
                    .with_hint("run again with -v to see the responses"));
                }
                Some(next) => cursor = Some(next),
                // hasMore without a cursor cannot be followed; the page is all there is.
                None => return Ok(items),
            }
        }
        Err(Error::internal(format!(
            "{NAME} kept answering hasMore after {MAX_PAGES} pages while trying to {action}"
        ))
        .with_provider(PROVIDER)
        .with_hint("run again with -v to see the responses"))
    }

    /// `GET /v1/agents?limit=1`: the one read-only call that says whether an org key works.
    pub fn check_key(&self) -> Result<()> {
        let call = Call::get(self.url(&["v1", "agents"])).query("limit", "1");
        self.send(call, "check the organization key").map(|_| ())
    }

    /// `POST /v1/agents/register`, retried like a GET (idempotent by `externalId`).
    pub fn register(&self, request: &RegisterRequest) -> Result<Registered> {
        let mut body = json!({
            "externalId": request.external_id,
            "userId": request.user_id,
            "name": request.name,
        });
        let optional = [
            ("description", request.description.clone().map(Value::from)),
            ("spendingLimit", request.spending_limit.map(Value::from)),
            (
                "spendingLimitFrequency",
                request.frequency.clone().map(Value::from),
            ),
            (
                "onLimitExceeded",
                request.on_limit_exceeded.clone().map(Value::from),
            ),
            ("maxCards", request.max_cards.map(Value::from)),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                body[key] = value;
            }
        }
        let call = Call::post(self.url(&["v1", "agents", "register"]))
            .json(body)
            .idempotent();
        let action = "register the agent";
        let raw = self.send(call, action)?;
        let reply: RegisterReply = raw.decode(NAME, action)?;
        Ok(Registered {
            // The body's flag is documented; the status (201 created, 200 found) backs it up.
            created: reply.created.unwrap_or(raw.status == 201),
            token: reply.token.filter(|t| !t.is_empty()).map(Secret::new),
            token_id: reply.token_id,
            agent: reply.agent,
        })
    }

    pub fn agent(&self, agent_id: &str) -> Result<Agent> {
        self.decode(
            Call::get(self.url(&["v1", "agents", agent_id])),
            "read the agent",
        )
    }

    /// `PATCH /v1/agents/{id}` with `status` (`active`/`suspended`).
    pub fn set_status(&self, agent_id: &str, status: &str) -> Result<Agent> {
        self.decode(
            Call::patch(self.url(&["v1", "agents", agent_id])).json(json!({ "status": status })),
            &format!("set the agent's status to {status}"),
        )
    }

    /// `PATCH /v1/agents/{id}` with the policy fields that are set.
    pub fn update_policy(&self, agent_id: &str, change: &PolicyChange) -> Result<Agent> {
        let mut body = serde_json::Map::new();
        if let Some(cents) = change.spending_limit {
            body.insert("spendingLimit".into(), cents.into());
        }
        if let Some(frequency) = &change.frequency {
            body.insert("spendingLimitFrequency".into(), frequency.clone().into());
        }
        if let Some(action) = &change.on_limit_exceeded {
            body.insert("onLimitExceeded".into(), action.clone().into());
        }
        self.decode(
            Call::patch(self.url(&["v1", "agents", agent_id])).json(Value::Object(body)),
            "update the spending limit",
        )
    }

    /// `POST /v1/agents/{id}/deregister`. Not retried: it is not documented as idempotent.
    pub fn deregister(&self, agent_id: &str) -> Result<Agent> {
        self.decode(
            Call::post(self.url(&["v1", "agents", agent_id, "deregister"])),
            "deregister the agent",
        )
    }

    pub fn policy(&self, agent_id: &str) -> Result<Policy> {
        self.decode(
            Call::get(self.url(&["v1", "agents", agent_id, "policy"])),
            "read the spending policy",
        )
    }

    pub fn tokens(&self, agent_id: &str) -> Result<Vec<AgentToken>> {
        self.list_all(
            &self.url(&["v1", "agents", agent_id, "tokens"]),
            "list the agent's tokens",
        )
    }

    /// A new agent token and its secret (shown once by the service).
    pub fn create_token(
        &self,
        agent_id: &str,
        name: Option<&str>,
    ) -> Result<(AgentToken, Secret<String>)> {
        let body = match name {
            Some(name) => json!({ "name": name }),
            None => json!({}),
        };
        let reply: NewTokenReply = self.decode(
            // Safe to retry after a lost answer: the service replays the first one for the key.
            Call::post(self.url(&["v1", "agents", agent_id, "tokens"]))
                .json(body)
                .with_idempotency_key(),
            "create an agent token",
        )?;
        let secret = reply.secret.filter(|s| !s.is_empty()).ok_or_else(|| {
            Error::internal(format!(
                "{NAME} created token {} but its answer has no token value",
                reply.token.id
            ))
            .with_provider(PROVIDER)
            .with_hint(format!(
                "revoke it with `agentcred tokens revoke {}` and try again",
                reply.token.id
            ))
        })?;
        Ok((reply.token, Secret::new(secret)))
    }

    pub fn revoke_token(&self, agent_id: &str, token_id: &str) -> Result<AgentToken> {
        self.decode(
            Call::delete(self.url(&["v1", "agents", agent_id, "tokens", token_id])),
            &format!("revoke token {token_id}"),
        )
    }

    pub fn cards(&self, agent_id: &str) -> Result<Vec<Card>> {
        self.list_all(
            &self.url(&["v1", "agents", agent_id, "cards"]),
            "list the agent's cards",
        )
    }

    pub fn create_card(&self, agent_id: &str, request: &CardRequest) -> Result<Card> {
        let mut body = json!({ "purpose": request.purpose });
        if let Some(kind) = &request.card_type {
            body["type"] = kind.clone().into();
        }
        if let Some(cents) = request.max_amount {
            body["maxAmount"] = cents.into();
        }
        self.decode(
            Call::post(self.url(&["v1", "agents", agent_id, "cards"]))
                .json(body)
                .with_idempotency_key(),
            "create a card",
        )
    }

    pub fn card(&self, card_id: &str) -> Result<Card> {
        self.decode(
            Call::get(self.url(&["v1", "cards", card_id])),
            &format!("read card {card_id}"),
        )
    }
}

/// Percent-encode one path segment, so that an id typed by the user (`../x`, `a?b`) stays
/// one segment of the documented path.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    if out == "." || out == ".." {
        out = out.replace('.', "%2E");
    }
    out
}

// ------------------------------------------------------------------------------------------
// Errors

/// Proxy's error envelope as an error that says what to do next.
pub fn error_from(reply: &Reply, action: &str, credential: &Credential) -> Error {
    let body = reply.json_value();
    let nested = body.as_ref().and_then(|b| b.get("error"));
    let field = |name: &str| {
        nested
            .and_then(|e| e.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let code = field("code");
    // ledger.so also shows a flat `{"error": "Invalid API key"}`.
    let message = field("message").or_else(|| nested.and_then(Value::as_str).map(str::to_owned));
    let request_id = body
        .as_ref()
        .and_then(|b| b.get("request_id"))
        .and_then(Value::as_str);
    let detail = message.map(|message| {
        let mut detail = message;
        if let Some(code) = &code {
            detail.push_str(&format!(" ({code})"));
        }
        if let Some(id) = request_id {
            detail.push_str(&format!(" [request {id}]"));
        }
        detail
    });
    let mut err = http::reply_error(NAME, reply, code.clone(), detail);
    err.message = format!("could not {action}: {}", err.message);
    err.provider = Some(PROVIDER.to_owned());

    let operator = matches!(credential, Credential::Operator(_));
    match (reply.status, code.as_deref()) {
        (_, Some("max_cards_reached")) => {
            err.with_code(Code::LimitReached).with_hint(
                "the agent has as many cards as its maxCards allows; close a card, or raise the limit in the Proxy dashboard",
            )
        }
        (_, Some("agent_not_active" | "agent_suspended")) => {
            err.with_code(Code::AgentSuspended).with_hint(
                "the agent is suspended; reactivate it with `agentcred agent activate` (operator key needed)",
            )
        }
        (_, Some("agent_deregistered")) => {
            err.with_code(Code::AgentDeregistered).with_hint(
                "the agent is deregistered; register it again with `agentcred register proxy` (the external id is free again)",
            )
        }
        (_, Some("external_id_conflict")) => err.with_hint(
            "that external id belongs to an agent of another user; use another --external-id, or the user it was registered with",
        ),
        (_, Some("user_not_found")) => err.with_hint(
            "check --user: it must be the id of a user of your organization (user_…)",
        ),
        (_, Some("card_not_found")) => {
            err.with_hint("list the agent's cards with `agentcred cards list`")
        }
        (_, Some("token_not_found")) => {
            err.with_hint("list the agent's tokens with `agentcred tokens list`")
        }
        (_, Some("agent_not_found")) => err.with_hint(
            "the profile's agent is not known to this key's organization and environment; check the key (dev vs live), or register the agent again",
        ),
        (401, _) if !operator => err.with_hint(
            "the profile's agent token was revoked, expired or is unknown; with the operator key \
             (PROXY_API_KEY or `agentcred login proxy`), run `agentcred tokens create --use` to store a new one",
        ),
        (403, _) if !operator => err.with_hint(
            "an agent token may only read its own agent, policy and cards; set PROXY_API_KEY or run `agentcred login proxy` for the rest",
        ),
        (401 | 403, _) => err.with_hint(
            "the organization key was refused; check PROXY_API_KEY, or store the right key with `agentcred login proxy`",
        ),
        (400 | 422, _) => err.with_hint("check the values given on the command line"),
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(encode_segment("card_ab12"), "card_ab12");
        assert_eq!(encode_segment("../x?y"), "..%2Fx%3Fy");
        assert_eq!(encode_segment(".."), "%2E%2E");
    }

    #[test]
    fn environments_by_prefix() {
        assert_eq!(environment("lk_live_x"), "live");
        assert_eq!(environment("lk_dev_x"), "dev");
        assert_eq!(environment("at_dev_x"), "dev");
        assert_eq!(environment("sk_x"), "unknown");
    }

    #[test]
    fn errors_keep_the_message_and_request_id_and_map_policy_codes() {
        let op = Credential::Operator(Secret::new("lk_dev_x".into()));
        let err = error_from(
            &Reply::with_json(
                400,
                json!({"error": {"type": "validation_error", "code": "max_cards_reached",
                                 "message": "too many"}, "request_id": "req_1"}),
            ),
            "create a card",
            &op,
        );
        assert_eq!(err.exit_code(), 8);
        assert!(
            err.message
                .contains("too many (max_cards_reached) [request req_1]")
        );
        assert_eq!(err.service_code.as_deref(), Some("max_cards_reached"));

        let conflict = error_from(
            &Reply::with_json(
                409,
                json!({"error": {"code": "external_id_conflict", "message": "taken"}}),
            ),
            "register the agent",
            &op,
        );
        assert_eq!(conflict.exit_code(), 5);
        assert!(conflict.message.contains("taken"));

        let agent = Credential::Agent(Secret::new("at_dev_x".into()));
        let revoked = error_from(
            &Reply::with_json(
                401,
                json!({"error": {"code": "invalid_token", "message": "revoked"}}),
            ),
            "read the agent",
            &agent,
        );
        assert_eq!(revoked.exit_code(), 4);
        assert!(revoked.hint.unwrap().contains("tokens create"));

        let flat = error_from(
            &Reply::with_json(401, json!({"error": "Invalid API key"})),
            "x",
            &op,
        );
        assert!(flat.message.contains("Invalid API key"));
        assert!(flat.hint.unwrap().contains("PROXY_API_KEY"));
    }
}
