//! `/_sandbox/*`: the control routes tests (and curious humans) use to look at and steer the
//! sandbox. Every one but `health` needs `Authorization: Bearer <control token>`, the random
//! token `sandbox serve` prints (`AGENTCRED_SANDBOX_TOKEN`): the server listens on loopback,
//! where every local user can reach it, and the request log holds what clients sent. Errors
//! use the sandbox's own `{"error": code, "message": ...}` envelope. Control requests are not
//! logged, counted, delayed or faulted.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::state::{AppState, Fault, StateDoc, StateError};
use super::support::{Envelope, json_response, query_param};

/// Latency beyond this is refused: a typo should not hang a test suite.
const MAX_LATENCY_MS: u64 = 60_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/requests", get(list_requests).delete(clear_requests))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/knobs", get(get_knobs).put(put_knobs))
}

/// The control token check, in front of every control route but `health`.
pub async fn require_token(
    State(app): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let open = request
        .uri()
        .path()
        .trim_end_matches('/')
        .ends_with("/health");
    let presented = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let token = app.control_token();
    let accepted = !token.is_empty()
        && presented.is_some_and(|p| {
            p.len() == token.len()
                && p.bytes()
                    .zip(token.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        });
    if open || accepted {
        return next.run(request).await;
    }
    Envelope::Sandbox.response(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "the control routes need Authorization: Bearer <the token `sandbox serve` printed as AGENTCRED_SANDBOX_TOKEN>",
    )
}

fn bad_request(message: impl AsRef<str>) -> Response {
    Envelope::Sandbox.response(StatusCode::BAD_REQUEST, "invalid_request", message.as_ref())
}

fn json_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the body must be a JSON object".into()),
        Err(e) => Err(format!("the body is not valid JSON: {e}")),
    }
}

/// `GET /_sandbox/health`: liveness, where the state lives and the service base URLs.
async fn health(State(app): State<AppState>) -> Response {
    let services: Map<String, Value> = super::service_urls(app.base_url())
        .into_iter()
        .map(|(var, url)| (var.to_owned(), Value::String(url)))
        .collect();
    json_response(
        StatusCode::OK,
        json!({
            "status": "ok",
            "base_url": app.base_url(),
            "state_file": app.store().path().display().to_string(),
            "services": services,
        }),
    )
}

/// `GET /_sandbox/requests[?method=M&path=P]`: the request log (optionally filtered by exact
/// method and path) and the per-route counts (never filtered).
async fn list_requests(State(app): State<AppState>, uri: Uri) -> Response {
    let method = query_param(uri.query(), "method");
    let path = query_param(uri.query(), "path");
    let store = app.store().clone();
    let view = tokio::task::spawn_blocking(move || store.log().view()).await;
    let log = match view {
        Ok(Ok(log)) => log,
        Ok(Err(e)) => return e.response(Envelope::Sandbox),
        Err(e) => return StateError::Internal(e.to_string()).response(Envelope::Sandbox),
    };
    let requests: Vec<&_> = log
        .requests
        .iter()
        .filter(|r| {
            method
                .as_deref()
                .is_none_or(|m| r.method.eq_ignore_ascii_case(m))
        })
        .filter(|r| path.as_deref().is_none_or(|p| r.path == p))
        .collect();
    json_response(
        StatusCode::OK,
        json!({"requests": requests, "counts": log.counts}),
    )
}

/// `DELETE /_sandbox/requests`: forget the log and the counts (`seq` keeps increasing).
async fn clear_requests(State(app): State<AppState>) -> Response {
    let store = app.store().clone();
    match tokio::task::spawn_blocking(move || store.log().clear()).await {
        Ok(Ok(cleared)) => json_response(StatusCode::OK, json!({"cleared": cleared})),
        Ok(Err(e)) => e.response(Envelope::Sandbox),
        Err(e) => StateError::Internal(e.to_string()).response(Envelope::Sandbox),
    }
}

async fn list_faults(State(app): State<AppState>) -> Response {
    app.read_response(Envelope::Sandbox, |doc| {
        json_response(StatusCode::OK, json!({"faults": doc.faults}))
    })
    .await
}

/// `POST /_sandbox/faults`: add one fault; 201 `{"fault": ..., "faults": [all]}`.
async fn add_fault(State(app): State<AppState>, body: Bytes) -> Response {
    let mut fault: Fault = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(e) => return bad_request(format!("not a fault: {e}")),
    };
    if !fault.path.starts_with('/') {
        return bad_request("path must be the full request path, starting with /");
    }
    if !(400..=599).contains(&fault.status) {
        return bad_request("status must be an error status (400..599)");
    }
    if fault.count == 0 {
        return bad_request("count must be at least 1");
    }
    if let Some(method) = &mut fault.method {
        *method = method.to_ascii_uppercase();
    }
    app.transact_response(Envelope::Sandbox, move |doc| {
        doc.faults.push(fault.clone());
        json_response(
            StatusCode::CREATED,
            json!({"fault": fault, "faults": doc.faults}),
        )
    })
    .await
}

async fn clear_faults(State(app): State<AppState>) -> Response {
    app.transact_response(Envelope::Sandbox, |doc| {
        let cleared = doc.faults.len();
        doc.faults.clear();
        json_response(StatusCode::OK, json!({"cleared": cleared}))
    })
    .await
}

fn knobs_view(app: &AppState, doc: &StateDoc) -> Value {
    json!({
        "jwt_ttl_secs": doc.knobs.effective_jwt_ttls(),
        "jwt_exp_in_secs": doc.knobs.jwt_exp_in_secs,
        "latency_ms": doc.knobs.latency_ms,
        // Set by AGENTCRED_SANDBOX_JWT_TTL for this process only; wins over jwt_ttl_secs.
        "jwt_ttl_override": app.jwt_ttl_override(),
    })
}

async fn get_knobs(State(app): State<AppState>) -> Response {
    let view_app = app.clone();
    app.read_response(Envelope::Sandbox, move |doc| {
        json_response(StatusCode::OK, knobs_view(&view_app, doc))
    })
    .await
}

/// A knob set per service that issues JWTs (`{"SERVICE": value or null}`): each value read by
/// `read`, `null` meaning "back to the default".
fn per_service<T>(
    knob: &str,
    value: &Value,
    read: fn(&Value) -> Option<T>,
    also: &str,
) -> Result<Vec<(String, Option<T>)>, String> {
    let Value::Object(per_service) = value else {
        return Err(format!("{knob} must be an object of service: seconds"));
    };
    let mut out = Vec::new();
    for (service, v) in per_service {
        if !crate::jwt_ttl_defaults().any(|(s, _)| s == service) {
            let known: Vec<&str> = crate::jwt_ttl_defaults().map(|(s, _)| s).collect();
            return Err(format!(
                "no JWTs issued by service {service:?} (known: {})",
                known.join(", ")
            ));
        }
        match (v, read(v)) {
            (Value::Null, _) => out.push((service.clone(), None)),
            (_, Some(secs)) => out.push((service.clone(), Some(secs))),
            (_, None) => {
                return Err(format!(
                    "{knob}.{service} must be a whole number of seconds {also}"
                ));
            }
        }
    }
    Ok(out)
}

/// `PUT /_sandbox/knobs`: partial update, e.g. `{"jwt_ttl_secs": {"SERVICE": 2}, "latency_ms": 0}`.
/// A service's TTL set to `null` goes back to its default. `{"jwt_exp_in_secs": {"SERVICE": -60}}`
/// makes the service issue JWTs that expired a minute ago (`null` ends it). Answers the knobs
/// now in effect.
async fn put_knobs(State(app): State<AppState>, body: Bytes) -> Response {
    let input = match json_object(&body) {
        Ok(map) => map,
        Err(message) => return bad_request(message),
    };
    let mut ttls: Vec<(String, Option<u64>)> = Vec::new();
    let mut exps: Vec<(String, Option<i64>)> = Vec::new();
    let mut latency = None;
    for (key, value) in &input {
        match key.as_str() {
            "jwt_ttl_secs" => match per_service(key, value, Value::as_u64, "or null") {
                Ok(values) => ttls = values,
                Err(message) => return bad_request(message),
            },
            "jwt_exp_in_secs" => {
                match per_service(
                    key,
                    value,
                    Value::as_i64,
                    "(negative: already expired) or null",
                ) {
                    Ok(values) => exps = values,
                    Err(message) => return bad_request(message),
                }
            }
            "latency_ms" => match value.as_u64() {
                Some(ms) if ms <= MAX_LATENCY_MS => latency = Some(ms),
                _ => {
                    return bad_request(format!(
                        "latency_ms must be a whole number from 0 to {MAX_LATENCY_MS}"
                    ));
                }
            },
            other => return bad_request(format!("unknown knob {other:?}")),
        }
    }
    let view_app = app.clone();
    app.transact_response(Envelope::Sandbox, move |doc| {
        for (service, ttl) in ttls {
            match ttl {
                Some(secs) => doc.knobs.jwt_ttl_secs.insert(service, secs),
                None => doc.knobs.jwt_ttl_secs.remove(&service),
            };
        }
        for (service, offset) in exps {
            match offset {
                Some(secs) => doc.knobs.jwt_exp_in_secs.insert(service, secs),
                None => doc.knobs.jwt_exp_in_secs.remove(&service),
            };
        }
        if let Some(ms) = latency {
            doc.knobs.latency_ms = ms;
        }
        json_response(StatusCode::OK, knobs_view(&view_app, doc))
    })
    .await
}
