//! FluxA: Agent ID service (`/register`, `/refresh`) and Wallet API (`/api/agent/self/status`,
//! `/api/mandates`). See docs/providers.md §1 and §7.
//!
//! Register and refresh take no auth; the wallet takes `Authorization: Bearer <login JWT>`.
//! FluxA's errors come in several envelopes: `{"error": "..."}` from the Agent ID service and
//! for a VC sent where a JWT is due, and `{"status":"error","code","message"}` from the wallet.

use serde::Deserialize;

use crate::error::{Code, Error, Result};
use crate::http::{self, Auth, Call, Http, Reply};
use crate::secret::Secret;

pub const PROVIDER: &str = "fluxa";

/// FluxA's agent wallet app, where owners authorize agents (docs/providers.md §1.1; FluxA's own
/// client reads `AGENT_WALLET_APP`). Used only when a 403 does not name the page itself.
pub const AGENT_WALLET_APP: &str = "https://agentwallet.fluxapay.xyz";

/// The page where the owner authorizes `agent_id`, as FluxA's own client builds it.
pub fn authorization_url(agent_id: &str, name: Option<&str>) -> String {
    let q = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut url = format!("{AGENT_WALLET_APP}/add-agent?agentId={}", q(agent_id));
    if let Some(name) = name {
        url.push_str(&format!("&name={}", q(name)));
    }
    url
}

/// Whether the agent's owner has linked it to a wallet.
pub enum Link {
    Authorized,
    /// Not yet; where the owner approves it, when the service said.
    NeedsOwner(Option<String>),
}

/// `GET {wallet}/api/mandates` as FluxA's client uses it: a link check (200 linked, 403
/// `agent_not_authorized` not yet).
pub fn link_check(http: &Http, wallet_url: &str, jwt: &Secret<String>) -> Result<Link> {
    let call = Call::get(format!("{wallet_url}/api/mandates")).auth(Auth::Bearer(jwt.clone()));
    let reply = http.send(PROVIDER, &call)?;
    if reply.is_success() {
        return Ok(Link::Authorized);
    }
    let err = error_from(&reply, "check the wallet link");
    if err.code() == Code::NotAuthorizedByOwner {
        Ok(Link::NeedsOwner(err.authorization_url().map(str::to_owned)))
    } else {
        Err(err)
    }
}

pub struct Registered {
    pub agent_id: String,
    pub token: Secret<String>,
    pub jwt: Secret<String>,
}

#[derive(Deserialize)]
struct RegisterReply {
    agent_id: String,
    token: String,
    jwt: String,
}

#[derive(Deserialize)]
struct RefreshReply {
    jwt: String,
}

/// `POST {agentid}/register`. Not idempotent (each call creates an agent), so never retried.
pub fn register(
    http: &Http,
    agentid_url: &str,
    name: &str,
    email: Option<&str>,
    client_info: &str,
) -> Result<Registered> {
    let mut body = serde_json::json!({ "agent_name": name, "client_info": client_info });
    if let Some(email) = email {
        body["email"] = email.into();
    }
    let reply = http.send(
        PROVIDER,
        &Call::post(format!("{agentid_url}/register")).json(body),
    )?;
    if !reply.is_success() {
        return Err(error_from(&reply, "register the agent"));
    }
    let parsed: RegisterReply = reply.decode(PROVIDER, "register")?;
    Ok(Registered {
        agent_id: parsed.agent_id,
        token: Secret::new(parsed.token),
        jwt: Secret::new(parsed.jwt),
    })
}

/// `POST {agentid}/refresh` with the agent id and its long-lived token.
pub fn refresh(
    http: &Http,
    agentid_url: &str,
    agent_id: &str,
    token: &Secret<String>,
) -> Result<Secret<String>> {
    // Safe to retry: the refresh token is not rotated, and a second JWT replaces the first.
    let call = Call::post(format!("{agentid_url}/refresh"))
        .json(serde_json::json!({ "agent_id": agent_id, "token": token.expose() }))
        .body_secret(token)
        .idempotent();
    let reply = http.send(PROVIDER, &call)?;
    if !reply.is_success() {
        let mut err = error_from(&reply, "refresh the JWT");
        if reply.status == 401 {
            err = err.with_hint(
                "the stored refresh token was rejected; the agent may have been removed at FluxA. \
                 Register again with `agentcred register fluxa --name NAME --profile NEW`",
            );
        }
        return Err(err);
    }
    let parsed: RefreshReply = reply.decode(PROVIDER, "refresh")?;
    Ok(Secret::new(parsed.jwt))
}

/// Decode any of FluxA's error envelopes into an error that says what to do.
pub fn error_from(reply: &Reply, action: &str) -> Error {
    let body = reply.json_value();
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    // {"status":"error","code":...,"message":...} or {"error":"code","message":...}
    let code = field("code").or_else(|| field("error"));
    let message = field("message");
    let detail = match (&code, &message) {
        (Some(code), Some(message)) => Some(format!("{message} ({code})")),
        (Some(code), None) => Some(code.clone()),
        (None, Some(message)) => Some(message.clone()),
        (None, None) => None,
    };
    let mut err = http::reply_error("FluxA", reply, code.clone(), detail);
    err.message = format!("could not {action}: {}", err.message);
    err.provider = Some(PROVIDER.to_owned());
    match code.as_deref() {
        Some("agent_not_authorized") => {
            let err = err.with_code(Code::NotAuthorizedByOwner);
            match field("authorizationUrl") {
                Some(url) => err
                    .with_hint(format!(
                        "the agent's owner has not authorized it for a FluxA wallet yet; ask them to open {url} and approve it"
                    ))
                    .with_authorization_url(url),
                None => err.with_hint(
                    "the agent is not linked to a FluxA wallet (or was deleted); ask the wallet owner to \
                     authorize it in the FluxA agent wallet app",
                ),
            }
        }
        Some("wrong_token_type") => err.with_hint(
            "the service received an Agent VC where the login JWT is due; run `agentcred refresh` to store a login JWT",
        ),
        Some("agent_auth_failed") | Some("invalid_token") if err.hint.is_none() => err.with_hint(
            "run `agentcred refresh`; if that fails too, the agent's token was revoked and the agent must be registered again",
        ),
        _ if reply.status == 400 => err.with_hint("check the values given on the command line"),
        _ => err,
    }
}
