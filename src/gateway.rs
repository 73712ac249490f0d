//! The credential gateway: a loopback HTTP server through which a child process uses a
//! profile's credential without ever holding it (docs/cli-contract.md §10).
//!
//! - It listens on 127.0.0.1 only, and serves each of the profile's endpoints under
//!   `/<name>` (lower case: `/api`, `/wallet`, ...). The path after the name and the query are
//!   appended to the endpoint's recorded base URL; nothing else is ever a destination.
//! - For an isolated run (`exec --isolate --gateway`), two read-only routes answer the
//!   `agentcred mcp` inside it with the same token: `GET /_agentcred/status` and
//!   `/_agentcred/check` ([`crate::relay`]); any other gateway 404s them.
//! - Every request must carry `Authorization: Bearer <gateway token>`, a random value made
//!   per run ([`GatewayToken`]); anything else is 401, compared in constant time, so other
//!   local processes cannot use the gateway. Where the service's own tool decodes its
//!   credential as a JWT, the token has a JWT's shape (`alg: none`, far `exp`): it opens the
//!   gateway and nothing else.
//! - Absolute-form targets (`GET http://host/...`), `//` anywhere in the path, `.` and `..`
//!   segments (also with parameters: `..;x`), backslashes, control characters and their
//!   percent-encoded forms (`%2e`, `%2f`, `%5c`, `%00`...), `%u` escapes and escapes that do
//!   not decode to UTF-8 (overlong `%c0%ae`), and characters that Unicode folding turns into
//!   `.`, `/` or `\` (`‥`, `／`) are refused with 400 before anything is sent; an unknown endpoint name
//!   is 404. The built URL is checked again to still be under the base URL.
//! - The child's `Authorization` is replaced with the real credential (the service's bearer
//!   credential, [`crate::spec::ServiceSpec::agent_credential`]), hop-by-hop headers (and
//!   those the child names in `Connection`) and `Range`/`If-Range` are dropped, and
//!   `Accept-Encoding: identity` is asked for so that bodies can be scanned; an answer in any
//!   other content coding is refused with 502 rather than passed on unscanned.
//! - Credentials come from a [`Broker`]: refreshed when less than a tenth of their lifetime
//!   is left, single-flight. A 401 answer to an idempotent request (GET, HEAD, OPTIONS, PUT,
//!   DELETE) is refreshed once and retried once, if the credential is older than the broker's
//!   floor (else the 401 is passed on); other requests are sent once and their answer passed
//!   on, since a 401 there may follow a body the child must resend.
//! - Bodies stream both ways (idempotent requests are buffered, up to
//!   [`MAX_RETRY_BODY`], so they can be retried). Every response header whose value carries a
//!   secret of the profile has its value redacted (a header named by a secret is renamed
//!   `x-agentcred-redacted`), and the response body is redacted as it streams, JSON-escaped
//!   forms included ([`crate::redact`]); `Content-Length` is dropped since redaction can
//!   change it. The set of secrets is re-read when the profile's files change, so a key
//!   rotated by another process is redacted from the next request on.
//! - Every request passes the profile's [`Guard`] in [`Gateway::exchange`], the one path the
//!   gateway and MCP's `request` share: the policy's rules, approvals, request rate and
//!   spending caps, then the audit log ([`crate::guard`]). A refusal is 403 (429 over the
//!   rate) with the error envelope, `rule` naming what decided, and nothing is forwarded.
//! - A route that issues, exchanges or revokes credentials (each service lists its own,
//!   [`crate::spec::ServiceSpec::issues_credentials`]) is refused with 403 and
//!   `refused_by_policy` (rule `credential_route`), here and in MCP's `request`, unless an
//!   explicit rule of the profile's policy allows it: the child and the model use the agent's
//!   credential, they do not mint their own.
//! - A failure of the gateway itself (a refresh refused, the service unreachable) is answered
//!   502 with the JSON error envelope of docs/cli-contract.md §8 in the body and `X-Agentcred-Error: <code>`; a
//!   service that does not answer within `AGENTCRED_HTTP_TIMEOUT` seconds (30 by default; the
//!   deadline covers the answer's head and each wait for more of its body) is answered 504,
//!   code `service_unavailable`.
//! - A request body of known size is sent with its `Content-Length`, never chunked.
//! - A frozen profile ([`crate::freeze`]) is checked before every request, cheaply (see
//!   [`crate::freeze::Watch`]), and answered 403 with code `frozen`: nothing is sent.
//!
//! Connections are served by [`crate::listen`]: a header-read timeout and a cap on open
//! connections, so that idle connections from other local processes cannot starve the child.
//!
//! Why axum on a current-thread tokio runtime: both are already in the build for the
//! sandbox, axum's one fallback handler sees the raw request target (so the absolute-form and
//! `//host` checks see what the child sent), and one thread serves a loopback gateway for a
//! single child; upstream requests use reqwest's async client (the blocking one cannot run
//! inside a runtime), which streams bodies without buffering them.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures_util::StreamExt;
use url::Url;

use crate::broker::Broker;
use crate::error::{Error, Result};
use crate::guard::{Admitted, Asked, Guard, OperatorAuth, Refused};
use crate::profile::Endpoints;
use crate::redact::{REDACTED, Secrets};
use crate::secret::Secret;
use crate::session::Session;
use crate::spec::ToolValue;
use crate::timefmt;

/// The name a response header gets when its own name is a secret.
const REDACTED_HEADER: &str = "x-agentcred-redacted";
/// Idempotent requests are buffered up to this size so that they can be retried after a 401.
pub const MAX_RETRY_BODY: usize = 8 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The gateway token's `exp`, when it takes a JWT's shape: far enough for any run.
const JWT_SHAPED_VALIDITY_SECS: i64 = 10 * 365 * 24 * 3600;

/// The per-run secret the child sends as `Authorization: Bearer`.
#[derive(Clone)]
pub struct GatewayToken(Secret<String>);

impl GatewayToken {
    /// A new random token; JWT-shaped when a tool will decode it as a JWT.
    pub fn generate(jwt_shaped: bool) -> Result<GatewayToken> {
        use ring::rand::SecureRandom;
        let mut bytes = [0u8; 32];
        ring::rand::SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| Error::internal("the system's random number generator failed"))?;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let random = b64.encode(bytes);
        let token = if jwt_shaped {
            let now = timefmt::now_unix();
            let header = serde_json::json!({"alg": "none", "typ": "JWT"});
            let claims = serde_json::json!({
                "iss": "agentcred-gateway",
                "sub": "gateway",
                "iat": now,
                "exp": now + JWT_SHAPED_VALIDITY_SECS,
                "jti": random,
            });
            format!(
                "{}.{}.",
                b64.encode(header.to_string()),
                b64.encode(claims.to_string())
            )
        } else {
            format!("agw_{random}")
        };
        Ok(GatewayToken(Secret::new(token)))
    }

    /// The value itself, for the child's environment or `agentcred gateway`'s output.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    fn accepts(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some((scheme, presented)) = value.trim().split_once(' ') else {
            return false;
        };
        scheme.eq_ignore_ascii_case("bearer") && constant_time_eq(presented.trim(), self.expose())
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a request target was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 400: a target that could reach somewhere else.
    BadTarget(&'static str),
    /// 404: no endpoint of that name.
    UnknownEndpoint(String),
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::BadTarget(_) => StatusCode::BAD_REQUEST,
            Refusal::UnknownEndpoint(_) => StatusCode::NOT_FOUND,
        }
    }

    pub fn message(&self, endpoints: &[&str]) -> String {
        match self {
            Refusal::BadTarget(why) => format!("refused: {why}"),
            Refusal::UnknownEndpoint(name) => format!(
                "no endpoint named '{name}'; this gateway serves /{}",
                endpoints.join(", /")
            ),
        }
    }
}

/// The forwarding core, shared by the HTTP server and the MCP `request` tool.
pub struct Gateway {
    broker: Broker,
    /// Endpoint name → base URL, as recorded in the profile.
    endpoints: BTreeMap<String, Url>,
    client: reqwest::Client,
    /// The profile's policy and the audit log ([`crate::guard`]); every request
    /// [`Gateway::exchange`] forwards passes it.
    guard: Option<Arc<Guard>>,
    /// How long the service has to answer (`AGENTCRED_HTTP_TIMEOUT`).
    timeout: Duration,
    freeze: Option<crate::freeze::Watch>,
}

/// What [`Gateway::exchange`] made of a request.
pub enum Answer {
    /// Forwarded; the service's answer.
    Upstream(Upstream),
    /// Refused by the profile's policy (403 or 429), nothing forwarded.
    Refused(Refused),
    /// A target that could leave the endpoint (400) or names no endpoint (404).
    Target(Refusal),
}

/// A response from the service, with its body still to be read through the redactor.
pub struct Upstream {
    pub status: StatusCode,
    pub headers: HeaderMap,
    response: reqwest::Response,
    secrets: Secrets,
}

impl Gateway {
    pub fn new(broker: Broker, endpoints: &Endpoints) -> Result<Gateway> {
        let mut parsed = BTreeMap::new();
        for (name, base) in endpoints {
            let url = Url::parse(base).map_err(|e| {
                Error::usage(format!("endpoint {name} is not a URL ({e})"))
                    .with_hint("check the profile with `agentcred profiles show`")
            })?;
            parsed.insert(name.to_ascii_lowercase(), url);
        }
        // reqwest is built without a default crypto provider; choose ring once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = crate::http::request_timeout()?;
        // The deadline covers the wait for the answer's head and each wait for more of its
        // body, so a service that stops answering never holds a request for ever, while a
        // long body that keeps flowing is passed on whole.
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(timeout)
            .user_agent(concat!("agentcred-gateway/", env!("CARGO_PKG_VERSION")))
            // A redirect is passed to the child as it is: following it would send the
            // credential wherever the service points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Gateway {
            broker,
            endpoints: parsed,
            client,
            guard: None,
            timeout,
            freeze: None,
        })
    }

    /// Put every request through `guard` (policy, ledger, approvals, audit).
    pub fn with_guard(mut self, guard: Guard) -> Gateway {
        if let Some(operator) = guard.operator() {
            self.broker.remember_secret(&operator.secret);
        }
        self.guard = Some(Arc::new(guard));
        self
    }

    /// One request of the child's, `path` being `/<endpoint>/...`: checked, judged by the
    /// profile's policy, forwarded, settled and recorded. The gateway and the MCP `request`
    /// tool both come here.
    pub async fn exchange(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<Answer> {
        let url = match self.resolve(path, query) {
            Ok(url) => url,
            Err(refusal) => return Ok(Answer::Target(refusal)),
        };
        if let Some(frozen) = self.freeze.as_ref().and_then(crate::freeze::Watch::check) {
            return Err(frozen);
        }
        let Some(guard) = &self.guard else {
            return self
                .forward(method, url, headers, body)
                .await
                .map(Answer::Upstream);
        };
        let rest = path.strip_prefix('/').unwrap_or(path);
        let (endpoint, tail) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let mut asked = Asked {
            method: method.as_str().to_owned(),
            endpoint: endpoint.to_ascii_lowercase(),
            path: tail.to_owned(),
            body: axum::body::Bytes::new(),
        };
        let body = if guard.needs_body(&asked.method, &asked.endpoint, &asked.path) {
            let bytes = axum::body::to_bytes(body, MAX_RETRY_BODY)
                .await
                .map_err(|e| {
                    Error::usage(format!(
                        "the request body could not be read or is larger than {MAX_RETRY_BODY} bytes ({e})"
                    ))
                })?;
            asked.body = bytes.clone();
            Body::from(bytes)
        } else {
            body
        };
        let verdict = {
            let guard = Arc::clone(guard);
            off_runtime(guard.blocking(), move || guard.admit(&asked)).await?
        };
        let admitted = match verdict {
            Ok(admitted) => admitted,
            Err(refused) => return Ok(Answer::Refused(refused)),
        };
        let operator = if admitted.as_operator() {
            guard.operator().cloned()
        } else {
            None
        };
        let forwarded = self
            .forward_as(method, url, headers, body, operator.as_ref(), true)
            .await;
        let status = forwarded.as_ref().ok().map(|u| u.status.as_u16());
        settle(guard, admitted, status).await.map_err(|e| {
            Error::internal(format!(
                "the request was forwarded{} but could not be recorded: {}",
                status
                    .map(|s| format!(" (the service answered {s})"))
                    .unwrap_or_default(),
                e.message
            ))
            .with_hint("fix the audit log's directory; the answer was withheld")
        })?;
        forwarded.map(Answer::Upstream)
    }

    /// Refuse every request while the profile is frozen.
    pub fn with_freeze_watch(mut self, watch: crate::freeze::Watch) -> Gateway {
        self.freeze = Some(watch);
        self
    }

    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    pub fn endpoint_names(&self) -> Vec<&str> {
        self.endpoints.keys().map(String::as_str).collect()
    }

    /// The upstream URL for `/<name>/rest?query`, or why it is refused.
    pub fn resolve(&self, path: &str, query: Option<&str>) -> std::result::Result<Url, Refusal> {
        check_target(path, query)?;
        let rest = path.strip_prefix('/').unwrap_or(path);
        let (name, tail) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, ""),
        };
        let base = self
            .endpoints
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| Refusal::UnknownEndpoint(name.to_owned()))?;
        let base_path = base.path().trim_end_matches('/');
        let mut url = base.clone();
        url.set_path(&format!("{base_path}{tail}"));
        url.set_query(query.filter(|q| !q.is_empty()));
        // The URL parser normalizes; whatever it made must still be under the base.
        let still_under = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none()
            && (url.path() == base_path
                || url.path().starts_with(&format!("{base_path}/"))
                || (base_path.is_empty() && url.path() == "/"));
        if !still_under {
            return Err(Refusal::BadTarget("the path leaves the endpoint"));
        }
        Ok(url)
    }

    /// Send one request on to the service with the real credential attached.
    pub async fn forward(
        &self,
        method: Method,
        url: Url,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<Upstream> {
        self.forward_as(method, url, headers, body, None, false)
            .await
    }

    /// [`Gateway::forward`], with the operator key instead of the agent's credential when
    /// `operator` is given (a route the policy opened `as = "operator"`). `guarded`: the
    /// profile's guard already judged the request, credential routes included (an explicit
    /// policy rule may open one); otherwise they are refused here.
    async fn forward_as(
        &self,
        method: Method,
        url: Url,
        headers: &HeaderMap,
        body: Body,
        operator: Option<&OperatorAuth>,
        guarded: bool,
    ) -> Result<Upstream> {
        if let Some(frozen) = self.freeze.as_ref().and_then(crate::freeze::Watch::check) {
            return Err(frozen);
        }
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        );
        let mut headers = outgoing_headers(headers);
        if !guarded {
            self.refuse_credential_route(&method, &url)?;
        }
        if let Some(operator) = operator {
            let name = HeaderName::from_bytes(operator.header.as_bytes())
                .map_err(|_| Error::internal("the operator key's header name is not valid"))?;
            headers.remove(name);
            let known_size = axum::body::HttpBody::size_hint(&body)
                .exact()
                .is_some_and(|n| n <= MAX_RETRY_BODY as u64);
            let body = if known_size {
                let bytes = axum::body::to_bytes(body, MAX_RETRY_BODY)
                    .await
                    .map_err(|e| {
                        Error::usage(format!(
                            "the request body could not be read or is larger than {MAX_RETRY_BODY} bytes ({e})"
                        ))
                    })?;
                reqwest::Body::from(bytes)
            } else {
                reqwest::Body::wrap_stream(body.into_data_stream())
            };
            let response = self
                .send_with(
                    &method,
                    &url,
                    &headers,
                    (operator.header, &operator.value),
                    body,
                )
                .await?;
            return self.upstream(response).await;
        }
        let retry = idempotent && self.broker.can_refresh();
        // A body of known size (a Content-Length, or one built in memory) is sent with its
        // Content-Length, as it came: some services cannot read a chunked body.
        let known_size = axum::body::HttpBody::size_hint(&body)
            .exact()
            .is_some_and(|n| n <= MAX_RETRY_BODY as u64);
        // Idempotent requests are buffered so they can be sent again after a 401; others
        // stream through once.
        let (buffered, streamed) = if retry || known_size {
            let bytes = axum::body::to_bytes(body, MAX_RETRY_BODY)
                .await
                .map_err(|e| {
                    Error::usage(format!(
                        "the request body could not be read or is larger than {MAX_RETRY_BODY} bytes ({e})"
                    ))
                })?;
            (Some(bytes), None)
        } else {
            (None, Some(body))
        };
        let credential = self.broker.credential().await?;
        let first = match (&buffered, streamed) {
            (Some(bytes), _) => reqwest::Body::from(bytes.clone()),
            (None, Some(body)) => reqwest::Body::wrap_stream(body.into_data_stream()),
            (None, None) => reqwest::Body::from(Vec::new()),
        };
        let mut response = self
            .send(&method, &url, &headers, &credential, first)
            .await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED
            && retry
            && let Some(bytes) = buffered
            && let Some(renewed) = self.broker.renew_rejected(&credential).await?
        {
            drop(response);
            response = self
                .send(
                    &method,
                    &url,
                    &headers,
                    &renewed,
                    reqwest::Body::from(bytes),
                )
                .await?;
        }
        self.upstream(response).await
    }

    async fn upstream(&self, response: reqwest::Response) -> Result<Upstream> {
        refuse_encoded(&response, self.broker.provider())?;
        let secrets = self.broker.current_secrets().await;
        let status =
            StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let headers = incoming_headers(response.headers(), &secrets);
        Ok(Upstream {
            status,
            headers,
            response,
            secrets,
        })
    }

    /// The one place where the gateway and MCP refuse a route that issues, exchanges or
    /// revokes credentials ([`crate::spec::ServiceSpec::issues_credentials`]): refused by
    /// policy (403 through the gateway, exit code 8 in an MCP tool error).
    fn refuse_credential_route(&self, method: &Method, url: &Url) -> Result<()> {
        let provider = self.broker.provider();
        let under = self.endpoints.iter().filter_map(|(name, base)| {
            let base_path = base.path().trim_end_matches('/');
            let same_origin = url.origin() == base.origin();
            let rest = url.path().strip_prefix(base_path)?;
            (same_origin && (rest.is_empty() || rest.starts_with('/'))).then_some((
                name,
                base_path.len(),
                rest,
            ))
        });
        let Some((endpoint, _, rest)) = under.max_by_key(|(_, len, _)| *len) else {
            return Ok(());
        };
        if !provider
            .spec()
            .issues_credentials(method.as_str(), endpoint, rest)
        {
            return Ok(());
        }
        Err(Error::policy(format!(
            "{method} /{endpoint}{rest} issues or revokes {} credentials; neither the gateway nor the MCP server forwards it",
            provider.display_name()
        ))
        .with_provider(provider.id())
        .with_hint(
            "credentials are agentcred's to manage: use `agentcred` itself (register, refresh, keys, tokens) outside the child; the child uses the gateway's credential",
        ))
    }

    async fn send(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        credential: &Secret<String>,
        body: reqwest::Body,
    ) -> Result<reqwest::Response> {
        let bearer = Secret::new(format!("Bearer {}", credential.expose()));
        self.send_with(method, url, headers, ("Authorization", &bearer), body)
            .await
    }

    /// Send with `auth` (header name, value) as the only credential.
    async fn send_with(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        auth: (&str, &Secret<String>),
        body: reqwest::Body,
    ) -> Result<reqwest::Response> {
        let method = reqwest::Method::from_bytes(method.as_str().as_bytes())
            .map_err(|_| Error::usage(format!("method {method} is not supported")))?;
        let mut value = HeaderValue::from_str(auth.1.expose())
            .map_err(|_| Error::internal("the stored credential is not a valid header value"))?;
        value.set_sensitive(true);
        let mut request = self
            .client
            .request(method, url.as_str())
            .body(body)
            .header(auth.0, value)
            .header(reqwest::header::ACCEPT_ENCODING, "identity");
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_bytes());
        }
        let answer = match tokio::time::timeout(self.timeout, request.send()).await {
            Ok(answer) => answer,
            Err(_) => {
                return Err(self.no_answer(url));
            }
        };
        answer.map_err(|e| {
            if e.is_timeout() {
                return self.no_answer(url);
            }
            let what = if e.is_connect() {
                "could not connect"
            } else if e.is_timeout() {
                "timed out"
            } else {
                "failed"
            };
            Error::unavailable(format!(
                "{} {}{} {what}",
                self.broker.provider().display_name(),
                url.origin().ascii_serialization(),
                url.path()
            ))
            .with_provider(self.broker.provider().id())
            .with_hint("check that the service is reachable, then try again")
        })
    }
}

impl Gateway {
    /// The service did not answer within the deadline (the gateway answers 504).
    fn no_answer(&self, url: &Url) -> Error {
        Error::unavailable(format!(
            "{} {}{} {NO_ANSWER} {} s",
            self.broker.provider().display_name(),
            url.origin().ascii_serialization(),
            url.path(),
            self.timeout.as_secs()
        ))
        .with_provider(self.broker.provider().id())
        .with_hint(format!(
            "the service is slow or stuck; try again later (the deadline is {} seconds)",
            crate::http::TIMEOUT_ENV
        ))
    }
}

/// What an error says when the service did not answer in time.
const NO_ANSWER: &str = "did not answer within";

impl Upstream {
    /// The body as the child receives it: streamed, with every secret redacted.
    pub fn into_body(self) -> Body {
        let stream = futures_util::stream::unfold(
            (self.response.bytes_stream(), Some(self.secrets.stream())),
            |(mut chunks, redactor)| async move {
                let mut redactor = redactor?;
                match chunks.next().await {
                    Some(Ok(chunk)) => {
                        let out = redactor.push(&chunk);
                        Some((Ok(axum::body::Bytes::from(out)), (chunks, Some(redactor))))
                    }
                    Some(Err(e)) => Some((Err(std::io::Error::other(e)), (chunks, None))),
                    None => Some((
                        Ok(axum::body::Bytes::from(redactor.finish())),
                        (chunks, None),
                    )),
                }
            },
        );
        Body::from_stream(stream)
    }

    /// The whole body, redacted, up to `limit` bytes; whether it was cut.
    pub async fn collect(self, limit: usize) -> Result<(Vec<u8>, bool)> {
        let mut redactor = self.secrets.stream();
        let mut chunks = self.response.bytes_stream();
        let mut out = Vec::new();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk
                .map_err(|e| Error::unavailable(format!("the service's answer broke off: {e}")))?;
            out.extend(redactor.push(&chunk));
            if out.len() > limit {
                out.truncate(limit);
                return Ok((out, true));
            }
        }
        out.extend(redactor.finish());
        let cut = out.len() > limit;
        out.truncate(limit);
        Ok((out, cut))
    }
}

/// Run `work` (blocking: file locks, a vault's HTTP calls) on the blocking pool when
/// `blocking`, else here: a local file lock costs microseconds, a spawn more.
async fn off_runtime<T: Send + 'static>(
    blocking: bool,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    if blocking {
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| Error::internal(format!("the policy check failed: {e}")))?
    } else {
        work()
    }
}

async fn settle(guard: &Arc<Guard>, admitted: Admitted, status: Option<u16>) -> Result<()> {
    let guard = Arc::clone(guard);
    off_runtime(guard.blocking(), move || guard.settle(&admitted, status)).await
}

/// Refuse targets that could leave the endpoint, before any parsing that might normalize
/// them away.
pub fn check_target(path: &str, query: Option<&str>) -> std::result::Result<(), Refusal> {
    if !path.starts_with('/') {
        return Err(Refusal::BadTarget(
            "the target must be a path (origin form)",
        ));
    }
    if path.starts_with("//") || path.contains("//") {
        return Err(Refusal::BadTarget("'//' in the path"));
    }
    if path.contains('\\') {
        return Err(Refusal::BadTarget("'\\' in the path"));
    }
    if path.chars().any(|c| c.is_control())
        || query.is_some_and(|q| q.chars().any(char::is_control))
    {
        return Err(Refusal::BadTarget("control characters in the target"));
    }
    let lower = path.to_ascii_lowercase();
    // Encoded dots, slashes, backslashes, NULs and percent signs (double encoding) are all
    // ways to smuggle a segment past this check into a server that decodes them.
    for encoded in ["%2e", "%2f", "%5c", "%00", "%25"] {
        if lower.contains(encoded) {
            return Err(Refusal::BadTarget(
                "an encoded '.', '/', '\\', '%' or NUL in the path",
            ));
        }
    }
    // `..;x` is `..` to servers that strip path parameters (Tomcat, Jetty).
    if path.split('/').any(|segment| {
        let head = segment.split(';').next().unwrap_or_default();
        head == ".." || head == "."
    }) {
        return Err(Refusal::BadTarget("a '.' or '..' segment in the path"));
    }
    // `%u002e` is a dot to legacy IIS; overlong UTF-8 (`%c0%ae`) is a dot to lax decoders.
    if lower.contains("%u") {
        return Err(Refusal::BadTarget("a '%u' escape in the path"));
    }
    let Ok(decoded) = String::from_utf8(percent_decode(path)) else {
        return Err(Refusal::BadTarget(
            "an escape that is not UTF-8 (an overlong form?) in the path",
        ));
    };
    // Servers that fold Unicode compatibility forms (NFKC) read `‥` as `..` and `／` as `/`.
    if decoded.chars().any(|c| FOLDS_TO_DOT_OR_SLASH.contains(&c)) {
        return Err(Refusal::BadTarget(
            "a character that Unicode folding turns into '.', '/' or '\\' in the path",
        ));
    }
    Ok(())
}

/// The characters whose compatibility (NFKC) form is made of dots, or is `/` or `\`: one and
/// two dot leaders, the ellipsis, small and fullwidth full stops, and the fullwidth solidus
/// and reverse solidus.
const FOLDS_TO_DOT_OR_SLASH: [char; 7] = [
    '\u{2024}', '\u{2025}', '\u{2026}', '\u{FE52}', '\u{FF0E}', '\u{FF0F}', '\u{FF3C}',
];

/// `path` with each `%XX` escape decoded (others left as they are).
fn percent_decode(path: &str) -> Vec<u8> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// A body in a content coding cannot be scanned for secrets as it streams: the gateway asks
/// for `identity`, and refuses (502) an answer that comes compressed anyway rather than pass
/// bytes it cannot redact.
fn refuse_encoded(response: &reqwest::Response, provider: crate::spec::Provider) -> Result<()> {
    let codings: Vec<String> = response
        .headers()
        .get_all(reqwest::header::CONTENT_ENCODING)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("unreadable").split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    if codings.is_empty() {
        return Ok(());
    }
    Err(Error::unavailable(format!(
        "{} answered with Content-Encoding: {}, which the gateway cannot scan for secrets; the answer was dropped",
        provider.display_name(),
        codings.join(", ")
    ))
    .with_provider(provider.id())
    .with_hint("the gateway asks for identity encoding; something in front of the service (a CDN) compresses anyway: make it honour Accept-Encoding: identity"))
}

/// Request headers never forwarded: a byte range lets the child reassemble a secret from
/// parts that each escape redaction.
const NOT_FORWARDED: &[HeaderName] = &[header::RANGE, header::IF_RANGE];

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
const HOP_BY_HOP: &[HeaderName] = &[
    header::CONNECTION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::PROXY_AUTHORIZATION,
    header::PROXY_AUTHENTICATE,
];

fn is_hop_by_hop(name: &HeaderName) -> bool {
    HOP_BY_HOP.contains(name) || name.as_str() == "keep-alive"
}

/// The child's headers as sent on: without hop-by-hop ones and those the gateway sets itself
/// (its own token in `Authorization` is replaced by the credential, `Host` is the service's,
/// `Accept-Encoding` is identity so bodies can be scanned).
fn outgoing_headers(headers: &HeaderMap) -> HeaderMap {
    // Headers the child names in `Connection` are hop-by-hop too (RFC 9110 §7.6.1).
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or_default().split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let mut out = HeaderMap::new();
    for (name, value) in headers {
        let own = [header::HOST, header::AUTHORIZATION, header::ACCEPT_ENCODING].contains(name);
        if !is_hop_by_hop(name)
            && !own
            && !NOT_FORWARDED.contains(name)
            && !named.iter().any(|n| n == name.as_str())
        {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// The service's headers as passed to the child: without hop-by-hop ones and
/// `Content-Length` (redaction may change the length), each value redacted.
fn incoming_headers(headers: &reqwest::header::HeaderMap, secrets: &Secrets) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in headers {
        let Ok(name) = HeaderName::from_bytes(name.as_str().as_bytes()) else {
            continue;
        };
        if is_hop_by_hop(&name) || name == header::CONTENT_LENGTH {
            continue;
        }
        // Header names arrive lower-cased: a secret used as one is looked for in any case.
        let name = if secrets.contains_any_case_insensitive(name.as_str()) {
            HeaderName::from_static(REDACTED_HEADER)
        } else {
            name
        };
        let redacted = secrets.redact_bytes(value.as_bytes());
        let value = HeaderValue::from_bytes(&redacted)
            .unwrap_or_else(|_| HeaderValue::from_static(REDACTED));
        out.append(name, value);
    }
    out
}

/// The gateway's own error answer with the docs/cli-contract.md §8 envelope: 403 for a request a policy refuses,
/// 504 when the service did not answer in time, else 502.
fn error_response(err: &Error) -> Response {
    let body = err.to_json();
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or("internal")
        .to_owned();
    let status = if err.kind == crate::error::ErrorKind::Policy {
        StatusCode::FORBIDDEN
    } else if err.message.contains(NO_ANSWER) {
        StatusCode::GATEWAY_TIMEOUT
    } else {
        StatusCode::BAD_GATEWAY
    };
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&code) {
        response.headers_mut().insert("x-agentcred-error", value);
    }
    response
}

fn plain(status: StatusCode, message: String) -> Response {
    let body = serde_json::json!({"error": {"code": "gateway_refused", "message": message}});
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

struct ServerState {
    gateway: Arc<Gateway>,
    token: GatewayToken,
    /// Questions from an isolated run's `agentcred mcp` ([`crate::relay`]), when served.
    relay: Option<crate::relay::Asks>,
}

async fn handle(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    if !state.token.accepts(request.headers()) {
        let mut response = plain(
            StatusCode::UNAUTHORIZED,
            "send the gateway token (AGENTCRED_GATEWAY_TOKEN) as Authorization: Bearer".into(),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"agentcred-gateway\""),
        );
        return response;
    }
    let uri = request.uri();
    if uri.scheme().is_some() || uri.authority().is_some() {
        return plain(
            StatusCode::BAD_REQUEST,
            "refused: an absolute-form target; send the path only".into(),
        );
    }
    if let Some(rest) = uri.path().strip_prefix(crate::relay::PREFIX) {
        return relay_response(&state, request.method(), rest, uri.query()).await;
    }
    let path = uri.path().to_owned();
    let query = uri.query().map(str::to_owned);
    let (parts, body) = request.into_parts();
    match state
        .gateway
        .exchange(parts.method, &path, query.as_deref(), &parts.headers, body)
        .await
    {
        Ok(Answer::Upstream(upstream)) => {
            let status = upstream.status;
            let headers = upstream.headers.clone();
            let mut response = Response::new(upstream.into_body());
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            response
        }
        Ok(Answer::Refused(refused)) => refused_response(&refused),
        Ok(Answer::Target(refusal)) => {
            let message = refusal.message(&state.gateway.endpoint_names());
            plain(refusal.status(), message)
        }
        Err(err) => error_response(&err),
    }
}

/// A policy's refusal: 403 (or 429 with `Retry-After`) with the error envelope, whose `error`
/// carries `code`, `rule`, `message` (and for an approval its id and command).
fn refused_response(refused: &Refused) -> Response {
    let status = StatusCode::from_u16(refused.status).unwrap_or(StatusCode::FORBIDDEN);
    let body = refused.error.to_json();
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(refused.error.code().as_str()) {
        response.headers_mut().insert("x-agentcred-error", value);
    }
    if let Some(secs) = refused.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// The answer to a question from an isolated run ([`crate::relay`]): GET only, and only where
/// this gateway serves one.
async fn relay_response(
    state: &ServerState,
    method: &axum::http::Method,
    rest: &str,
    query: Option<&str>,
) -> Response {
    let (Some(asks), Some(ask)) = (&state.relay, crate::relay::route(rest, query)) else {
        return plain(
            StatusCode::NOT_FOUND,
            format!("{}{rest} is not served here", crate::relay::PREFIX),
        );
    };
    if method != axum::http::Method::GET {
        return plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET is served here".into(),
        );
    }
    match ask {
        Ok(ask) => match crate::relay::ask(asks, ask).await {
            Ok(value) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                value.to_string(),
            )
                .into_response(),
            Err(err) => error_response(&err),
        },
        Err(err) => error_response(&err),
    }
}

/// A bound, not yet serving gateway listener on 127.0.0.1.
pub struct Listener {
    listener: std::net::TcpListener,
    pub addr: SocketAddr,
}

impl Listener {
    pub fn bind(port: u16) -> Result<Listener> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
            Error::unavailable(format!("cannot listen on 127.0.0.1:{port}: {e}"))
                .with_hint("pick another port with --port N (0 picks a free one)")
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::internal(format!("cannot set up the listener: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::internal(format!("cannot read the listener's address: {e}")))?;
        Ok(Listener { listener, addr })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The gateway URL of each endpoint, by endpoint name.
    pub fn endpoint_urls(&self, gateway: &Gateway) -> BTreeMap<String, String> {
        gateway
            .endpoint_names()
            .into_iter()
            .map(|name| (name.to_owned(), format!("{}/{name}", self.base_url())))
            .collect()
    }

    /// Serve until `shutdown` completes, then let requests in flight finish (for a while).
    pub async fn serve(
        self,
        gateway: Arc<Gateway>,
        token: GatewayToken,
        relay: Option<crate::relay::Asks>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let listener = tokio::net::TcpListener::from_std(self.listener)
            .map_err(|e| Error::internal(format!("cannot set up the listener: {e}")))?;
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::new(ServerState {
                gateway,
                token,
                relay,
            }));
        crate::listen::serve(listener, app, shutdown).await
    }
}

/// How long a stopping gateway lets requests in flight finish.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// A gateway serving one profile on a thread of its own, until [`Running::stop`].
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The gateway URL of each endpoint, by name.
    pub urls: BTreeMap<String, String>,
    pub token: GatewayToken,
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl Running {
    /// Take over `session`'s profile (see [`Broker::start`]) and serve it on 127.0.0.1:`port`.
    pub fn start(session: Session<'_>, trace: bool, port: u16, guard: Guard) -> Result<Running> {
        Running::start_relaying(session, trace, port, None, guard)
    }

    /// [`Running::start`], also answering an isolated run's questions through `relay`.
    pub fn start_relaying(
        session: Session<'_>,
        trace: bool,
        port: u16,
        relay: Option<crate::relay::Asks>,
        guard: Guard,
    ) -> Result<Running> {
        let spec = session.provider().spec();
        let jwt_shaped = spec
            .tool_env
            .iter()
            .any(|t| t.value == ToolValue::Credential { jwt_shaped: true });
        let endpoints = session.endpoints.clone();
        let watch = crate::freeze::Watch::start(&session)?;
        let broker = Broker::start(session, trace)?;
        let gateway = Arc::new(
            Gateway::new(broker, &endpoints)?
                .with_guard(guard)
                .with_freeze_watch(watch),
        );
        let listener = Listener::bind(port)?;
        let base_url = listener.base_url();
        let urls = listener.endpoint_urls(&gateway);
        let token = GatewayToken::generate(jwt_shaped)?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let served_token = token.clone();
        let thread = std::thread::Builder::new()
            .name("agentcred-gateway".into())
            .spawn(move || {
                let runtime = runtime()?;
                runtime.block_on(async move {
                    let mut graceful = stopped.clone();
                    let mut deadline = stopped;
                    let shutdown = async move {
                        let _ = graceful.wait_for(|stop| *stop).await;
                    };
                    tokio::select! {
                        served = listener.serve(gateway, served_token, relay, shutdown) => served,
                        _ = async move {
                            let _ = deadline.wait_for(|stop| *stop).await;
                            tokio::time::sleep(STOP_GRACE).await;
                        } => Ok(()),
                    }
                })
            })
            .map_err(|e| Error::internal(format!("cannot start the gateway thread: {e}")))?;
        Ok(Running {
            base_url,
            urls,
            token,
            stop,
            thread: Some(thread),
        })
    }

    /// Stop serving (requests in flight get a few seconds to finish).
    pub fn stop(mut self) -> Result<()> {
        let _ = self.stop.send(true);
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::internal("the gateway thread panicked")),
            None => Ok(()),
        }
    }
}

/// A current-thread runtime for the gateway (one loopback client; see the module doc).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the gateway's runtime: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_that_could_leave_the_endpoint_are_refused() {
        for bad in [
            "//evil.example/x",
            "/api//evil.example",
            "/api/../x",
            "/api/./x",
            "/api/%2e%2e/x",
            "/api/%2E%2e/x",
            "/api/.%2e/x",
            "/api/%2fetc",
            "/api/%5c..",
            "/api/%252e%252e/",
            "/api/a\\..\\b",
            "api/x",
            "/api/x\u{0}",
            "/api/..;/x",
            "/api/.;x/y",
            "/api/%c0%ae%c0%ae/x",
            "/api/%e0%80%ae/x",
            "/api/%u002e%u002e/x",
            "/api/%ff",
            "/api/%e2%80%a5/x",
            "/api/\u{2025}/x",
            "/api/%ef%bc%8e%ef%bc%8e/x",
            "/api/a%ef%bc%8fb",
        ] {
            assert!(
                matches!(check_target(bad, None), Err(Refusal::BadTarget(_))),
                "{bad:?} should be refused"
            );
        }
        for good in [
            "/api",
            "/api/",
            "/api/v1/agents/ag_1",
            "/wallet/api/a.b/c..d",
            "/api/caf%c3%a9;v=1",
        ] {
            assert_eq!(check_target(good, None), Ok(()), "{good:?}");
        }
    }

    #[test]
    fn the_gateway_token_is_compared_whole() {
        let token = GatewayToken(Secret::new("agw_abc".into()));
        let mut headers = HeaderMap::new();
        assert!(!token.accepts(&headers));
        headers.insert(header::AUTHORIZATION, "Bearer agw_abc".parse().unwrap());
        assert!(token.accepts(&headers));
        headers.insert(header::AUTHORIZATION, "bearer agw_ab".parse().unwrap());
        assert!(!token.accepts(&headers));
        headers.insert(header::AUTHORIZATION, "Basic agw_abc".parse().unwrap());
        assert!(!token.accepts(&headers));
    }

    #[test]
    fn a_jwt_shaped_token_decodes_unsigned_with_a_far_expiry() {
        let token = GatewayToken::generate(true).unwrap();
        let info = crate::jwt::decode(token.expose()).expect("decodes as a JWT");
        assert_eq!(info.alg.as_deref(), Some("none"));
        assert!(info.exp.unwrap() - timefmt::now_unix() > 365 * 24 * 3600);
        assert!(token.expose().ends_with('.'));
        let plain = GatewayToken::generate(false).unwrap();
        assert!(plain.expose().starts_with("agw_") && plain.expose().len() > 40);
        assert_ne!(
            plain.expose(),
            GatewayToken::generate(false).unwrap().expose()
        );
    }
}
