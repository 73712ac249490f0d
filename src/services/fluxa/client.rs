//! FluxA: Agent ID service (`/register`, `/refresh`) and Wallet API (`/api/agent/self/status`,
//! `/api/mandates`). See providers.md §1 and §7.
//!
//! Register and refresh take no auth; the wallet takes `Authorization: Bearer <login JWT>`.
//! FluxA's errors come in several envelopes: `{"error": "..."}` from the Agent ID service and
//! for a VC sent where a JWT is due, and `{"status":"error","code","message"}` from the wallet.

use serde::Deserialize;

use crate::error::{Code, Error, Result};
use crate::http::{self, Call, Http, Reply};
use crate::secret::Secret;

pub const PROVIDER: &str = "fluxa";

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
    let call = Call::post(format!("{agentid_url}/refresh"))
        .json(serde_json::json!({ "agent_id": agent_id, "token": token.expose() }))
        .body_secret(token);
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
            err.with_code(Code::NotAuthorizedByOwner).with_hint(
                "the agent is not linked to a FluxA wallet (or was deleted); ask the wallet owner to \
                 authorize it in the FluxA agent wallet app",
            )
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
