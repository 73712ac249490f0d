//! How bytes travel: one reqwest client for every provider.
//!
//! Contract (docs/cli-contract.md §5, §8):
//! - rustls with the ring provider, no OpenSSL; connect timeout 10 s, whole request 30 s
//!   (`AGENTCRED_HTTP_TIMEOUT` seconds when set).
//! - Idempotent requests (GET, and those a provider marks idempotent: a register that is
//!   idempotent by an external id, creates with an `Idempotency-Key`) are retried on connect errors, timeouts, 429 and 5xx,
//!   with exponential backoff and full jitter, honouring `Retry-After` (seconds), within a total
//!   budget. Other requests are sent once: a POST that may have acted is never repeated blindly.
//! - `-v` traces go to stderr. Authorization headers are redacted, JSON fields that carry
//!   secrets are redacted by name, JWT signatures are cut, and every secret this call sent is
//!   scrubbed from the trace text as a last line of defence.
//! - An answer is read into memory up to [`MAX_ANSWER`] (8 MiB); a larger one is an
//!   unavailable error (exit 6; the vault store reports it as its own failure) before more is
//!   read.
//! - Every HTTP status comes back as a [`Reply`]; turning a service's error envelope into an
//!   [`Error`] is the provider's job (it knows the envelope), with [`status_kind`] as the shared
//!   default mapping.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::blocking::Client;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::error::{Code, Error, ErrorKind, Result};
use crate::jwt;
use crate::output::Printer;
use crate::secret::Secret;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Overrides the whole-request timeout, in seconds (like the AWS CLI's `--cli-read-timeout`).
pub const TIMEOUT_ENV: &str = "AGENTCRED_HTTP_TIMEOUT";

/// The whole-request timeout: `AGENTCRED_HTTP_TIMEOUT` seconds, else 30 s.
pub(crate) fn request_timeout() -> Result<Duration> {
    match std::env::var(TIMEOUT_ENV) {
        Ok(value) if !value.trim().is_empty() => {
            // A day is far beyond any answer worth waiting for, and keeps deadlines in range.
            const MAX_SECS: u64 = 24 * 3600;
            let why = match value.trim().parse::<u64>() {
                Ok(0) => "must be at least 1 second".to_owned(),
                Ok(secs) if secs > MAX_SECS => format!("is more than a day ({MAX_SECS} s)"),
                Ok(secs) => return Ok(Duration::from_secs(secs)),
                Err(_) if value.trim().bytes().all(|b| b.is_ascii_digit()) => {
                    format!("is more than a day ({MAX_SECS} s)")
                }
                Err(_) => "is not a whole number of seconds".to_owned(),
            };
            Err(
                Error::usage(format!("{TIMEOUT_ENV}={value:?} {why}")).with_hint(format!(
                    "set {TIMEOUT_ENV} to a whole number of seconds from 1 to {MAX_SECS}, like 30"
                )),
            )
        }
        _ => Ok(REQUEST_TIMEOUT),
    }
}

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Bearer(Secret<String>),
    Basic {
        user: String,
        password: Secret<String>,
    },
    /// A custom header carrying a key, like an `Api-Key`.
    Header {
        name: &'static str,
        value: Secret<String>,
    },
}

/// A request body. Values under keys named in [`SECRET_FIELDS`] are redacted in traces.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
}

/// Field names whose values are secrets, in requests and responses alike.
pub const SECRET_FIELDS: &[&str] = &[
    "token",
    "jwt",
    "api_key",
    "recovery_key",
    "secret",
    "client_secret",
    "access_token",
    "refresh_token",
    "id_token",
    "vc",
    "pan",
    "cvv",
    "password",
    "key_secret",
];

/// A fresh random `Idempotency-Key` (128 bits from the OS).
pub fn idempotency_key() -> String {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 16];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        bytes.iter_mut().for_each(|b| *b = fastrand::u8(..));
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("agentcred-{hex}")
}

#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub url: String,
    pub auth: Auth,
    pub body: Body,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(&'static str, String)>,
    /// Safe to send again after a failure that may or may not have reached the service.
    pub idempotent: bool,
    /// Secrets inside the body, scrubbed from traces even if no field name gives them away.
    pub body_secrets: Vec<Secret<String>>,
    /// More JSON field names whose values are secrets in this call's request and reply (a
    /// credential store's document keeps secrets under names no service uses).
    pub secret_fields: Vec<&'static str>,
}

impl Call {
    pub fn new(method: Method, url: impl Into<String>) -> Call {
        let idempotent = method == Method::GET || method == Method::HEAD;
        Call {
            method,
            url: url.into(),
            auth: Auth::None,
            body: Body::None,
            query: Vec::new(),
            headers: Vec::new(),
            idempotent,
            body_secrets: Vec::new(),
            secret_fields: Vec::new(),
        }
    }
    pub fn get(url: impl Into<String>) -> Call {
        Call::new(Method::GET, url)
    }
    pub fn post(url: impl Into<String>) -> Call {
        Call::new(Method::POST, url)
    }
    pub fn patch(url: impl Into<String>) -> Call {
        Call::new(Method::PATCH, url)
    }
    pub fn delete(url: impl Into<String>) -> Call {
        Call::new(Method::DELETE, url)
    }
    pub fn auth(mut self, auth: Auth) -> Call {
        self.auth = auth;
        self
    }
    pub fn json(mut self, body: serde_json::Value) -> Call {
        self.body = Body::Json(body);
        self
    }
    pub fn form(mut self, fields: Vec<(String, String)>) -> Call {
        self.body = Body::Form(fields);
        self
    }
    pub fn query(mut self, name: &str, value: impl Into<String>) -> Call {
        self.query.push((name.to_owned(), value.into()));
        self
    }
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Call {
        self.headers.push((name, value.into()));
        self
    }
    /// Mark a non-GET request as safe to retry (idempotent by the service's contract).
    pub fn idempotent(mut self) -> Call {
        self.idempotent = true;
        self
    }
    /// Send a fresh `Idempotency-Key` (the same one on every retry), which makes the request
    /// safe to retry with a service that honours the header.
    pub fn with_idempotency_key(self) -> Call {
        self.header("Idempotency-Key", idempotency_key())
            .idempotent()
    }
    pub fn body_secret(mut self, secret: &Secret<String>) -> Call {
        self.body_secrets.push(secret.clone());
        self
    }
    /// Redact the JSON field `name` in this call's traces, in the request and the reply.
    pub fn secret_field(mut self, name: &'static str) -> Call {
        self.secret_fields.push(name);
        self
    }
}

/// A service's answer, whatever its status.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, if it is JSON.
    pub fn json_value(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Decode a success body; a body that does not match is the service breaking its contract.
    pub fn decode<T: DeserializeOwned>(&self, provider: &str, what: &str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            // HTML where JSON was due, a truncated body: the service's answer is unusable.
            Error::unavailable(format!(
                "{provider} answered {what} with an unexpected body ({})",
                crate::output::neutralize(&e.to_string(), false)
            ))
            .with_provider(provider)
            .with_status(self.status)
            .with_hint("run again with -v to see the response; the service's API may have changed")
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A reply with a JSON body, for the providers' error-mapping tests.
    #[cfg(test)]
    pub fn with_json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: HeaderMap::new(),
            body: serde_json::to_vec(&body).expect("a Value serializes"),
        }
    }
}

/// The default error kind for an HTTP status (docs/cli-contract.md §8).
pub fn status_kind(status: u16) -> ErrorKind {
    match status {
        400 | 405 | 415 | 422 => ErrorKind::Usage,
        401 | 403 => ErrorKind::Auth,
        404 | 410 => ErrorKind::NotFound,
        409 | 412 => ErrorKind::Conflict,
        // Anything else (a redirect never asked for, 431, an unknown status) is the service
        // answering what agentcred cannot use: a failed exchange with the service, not a bug.
        _ => ErrorKind::Unavailable,
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            budget: Duration::from_secs(20),
        }
    }
}

pub struct Http {
    /// For https: built on first use, since setting up TLS (reading the system's trust
    /// roots) costs milliseconds that `agentcred token` with a fresh credential, which sends
    /// no request at all, should not pay.
    tls: OnceLock<Client>,
    /// For plain http, which agentcred allows only to loopback hosts (the sandbox, a local
    /// test server): the same client without trust roots, so a loopback request does not read
    /// the ~150 files of the system's certificate store either. Redirects are never followed,
    /// so this client cannot end up on an https URL.
    plain: OnceLock<Client>,
    trace: bool,
    retry: RetryPolicy,
    /// Where waits and traces are told: prose on stderr, or JSON lines under `--json`.
    printer: Printer,
    /// A fixed whole-request timeout instead of [`TIMEOUT_ENV`] (a credential store's answer
    /// limit).
    timeout: Option<Duration>,
}

impl Http {
    pub fn new(trace: bool, printer: Printer) -> Http {
        Http {
            tls: OnceLock::new(),
            plain: OnceLock::new(),
            trace,
            retry: RetryPolicy::default(),
            printer,
            timeout: None,
        }
    }

    /// Give up on any request (connection included) after `timeout`, whatever
    /// [`TIMEOUT_ENV`] says.
    pub fn with_timeout(mut self, timeout: Duration) -> Http {
        self.timeout = Some(timeout);
        self
    }

    /// Where this client tells of waits and traces; a client made for another thread tells
    /// the same place.
    pub fn printer(&self) -> &Printer {
        &self.printer
    }

    fn client(&self, url: &str) -> Result<&Client> {
        let plain = url.starts_with("http://");
        let cell = if plain { &self.plain } else { &self.tls };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        // reqwest is built without a default crypto provider; choose ring once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = match self.timeout {
            Some(timeout) => timeout,
            None => request_timeout()?,
        };
        let mut builder = Client::builder()
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .timeout(timeout)
            .user_agent(concat!("agentcred/", env!("CARGO_PKG_VERSION")))
            // Never follow a redirect with credentials attached to another host.
            .redirect(reqwest::redirect::Policy::none());
        if plain {
            builder = builder.tls_certs_only(std::iter::empty());
        }
        let client = builder
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(cell.get_or_init(|| client))
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Http {
        self.retry = retry;
        self
    }

    /// Send `call`, retrying if it is idempotent. `provider` names the service in messages.
    pub fn send(&self, provider: &str, call: &Call) -> Result<Reply> {
        // A key a header cannot carry would otherwise be dropped and the request sent
        // unauthenticated: refuse it instead (the value is never shown).
        if let Auth::Header { name, value } = &call.auth
            && (HeaderName::from_bytes(name.as_bytes()).is_err()
                || HeaderValue::from_str(value.expose()).is_err())
        {
            return Err(Error::usage(format!(
                "the {name} key holds characters an HTTP header cannot carry"
            ))
            .with_provider(provider)
            .with_hint(
                "check the key (a line break or a control character in it?) and give it again",
            ));
        }
        let client = self.client(&call.url)?;
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(client, call, attempt);
            let retry_after = match &outcome {
                Ok(reply) if reply.status == 429 || reply.status >= 500 => {
                    Some(parse_retry_after(reply.header("retry-after")))
                }
                Ok(_) => None,
                // Also a connection closed or reset before the whole answer arrived: the
                // server may have acted, which is why only idempotent calls get here again.
                Err(e) if is_lost_in_transit(e) => Some(None),
                Err(_) => None,
            };
            let give_up =
                retry_after.is_none() || !call.idempotent || attempt >= self.retry.max_attempts;
            if !give_up {
                // A server that asks for a longer pause than we are willing to take gets its
                // answer reported rather than a retry that ignores what it asked.
                let wait = match retry_after.flatten() {
                    Some(asked) if asked > self.retry.max_delay => None,
                    Some(asked) => Some(asked),
                    None => Some(self.backoff(attempt)),
                };
                if let Some(wait) = wait.filter(|w| started.elapsed() + *w <= self.retry.budget) {
                    // Say why we wait, so that a retrying command is never silent.
                    let why = match &outcome {
                        Ok(reply) => format!("answered {}", reply.status),
                        Err(e) => describe_reqwest(e),
                    };
                    self.printer.notice(
                        "retrying",
                        format!(
                            "{provider}: {} {} {why}; retrying in {:.1} s (attempt {} of {})",
                            call.method,
                            strip_query(&call.url),
                            wait.as_secs_f64(),
                            attempt + 1,
                            self.retry.max_attempts
                        ),
                    );
                    std::thread::sleep(wait);
                    attempt += 1;
                    continue;
                }
            }
            if matches!(&outcome, Ok(reply) if reply.status == OVERSIZED) {
                return Err(Error::unavailable(format!(
                    "{provider} answered {} {} with more than {} MiB; the answer was not read",
                    call.method,
                    strip_query(&call.url),
                    MAX_ANSWER / (1024 * 1024)
                ))
                .with_provider(provider)
                .with_hint("no answer agentcred expects is that large: check the endpoint (or the vault address) points at the right server"));
            }
            return outcome
                .map(|reply| scrub_error_body(reply, call))
                .map_err(|e| transport_error(provider, call, &e, attempt));
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        // Full jitter: uniformly random in [0, base * 2^(attempt-1)], so that many clients
        // retrying after the same outage do not arrive together.
        let ceiling = self
            .retry
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(10));
        let ceiling = ceiling.min(self.retry.max_delay);
        Duration::from_millis(fastrand::u64(0..=ceiling.as_millis() as u64))
    }

    fn send_once(
        &self,
        client: &Client,
        call: &Call,
        attempt: u32,
    ) -> std::result::Result<Reply, reqwest::Error> {
        let request = build_request(client, call);
        if self.trace {
            self.trace_request(call, attempt);
        }
        let started = Instant::now();
        // A slow answer is never silent: past SLOW_ANSWER a watcher says what we wait for.
        let result = std::thread::scope(|scope| {
            let (answered, wait) = std::sync::mpsc::channel::<()>();
            let printer = &self.printer;
            let what = format!("{} {}", call.method, strip_query(&call.url));
            scope.spawn(move || {
                if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    wait.recv_timeout(SLOW_ANSWER)
                {
                    printer.notice(
                        "waiting",
                        format!("waiting for the service to answer {what}..."),
                    );
                }
            });
            let result = request.send().and_then(read_reply);
            let _ = answered.send(());
            result
        });
        if self.trace {
            match &result {
                Ok(reply) => self.trace_reply(call, reply, started.elapsed()),
                Err(e) => self.printer.notice(
                    "http_trace",
                    format!(
                        "< error after {} ms: {}",
                        started.elapsed().as_millis(),
                        describe_reqwest(e)
                    ),
                ),
            }
        }
        result
    }

    fn trace_request(&self, call: &Call, attempt: u32) {
        let mut url = call.url.clone();
        if !call.query.is_empty() {
            let q: Vec<String> = call.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            url = format!("{url}?{}", q.join("&"));
        }
        let mut lines = vec![format!(
            "> {} {url}{}",
            call.method,
            if attempt > 1 {
                format!(" (attempt {attempt})")
            } else {
                String::new()
            }
        )];
        match &call.auth {
            Auth::None => {}
            Auth::Bearer(_) => lines.push("> authorization: Bearer <redacted>".into()),
            Auth::Basic { user, .. } => {
                lines.push(format!("> authorization: Basic <redacted> (user {user})"))
            }
            Auth::Header { name, .. } => {
                lines.push(format!("> {}: <redacted>", name.to_ascii_lowercase()))
            }
        }
        for (name, value) in &call.headers {
            lines.push(format!("> {name}: {value}"));
        }
        match &call.body {
            Body::None => {}
            Body::Json(value) => lines.push(format!(
                "> {}",
                redact_json_with(value, &call.secret_fields)
            )),
            Body::Form(fields) => {
                let shown: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| {
                        if is_secret_field(k) {
                            format!("{k}=<redacted>")
                        } else {
                            format!("{k}={v}")
                        }
                    })
                    .collect();
                lines.push(format!("> {}", shown.join("&")));
            }
        }
        self.emit_trace(call, lines);
    }

    fn trace_reply(&self, call: &Call, reply: &Reply, elapsed: Duration) {
        let mut lines = vec![format!("< {} ({} ms)", reply.status, elapsed.as_millis())];
        for name in ["content-type", "retry-after", "etag", "idempotent-replayed"] {
            if let Some(value) = reply.header(name) {
                lines.push(format!("< {name}: {value}"));
            }
        }
        if !reply.body.is_empty() {
            let shown = match reply.json_value() {
                Some(value) => redact_json_with(&value, &call.secret_fields),
                None => truncate(&reply.text(), 2000),
            };
            lines.push(format!("< {shown}"));
        }
        self.emit_trace(call, lines);
    }

    fn emit_trace(&self, call: &Call, lines: Vec<String>) {
        let text = jwt::redact_signatures(&lines.join("\n"));
        self.printer
            .notice("http_trace", scrub_sent_secrets(text, call));
    }
}

/// The request `call` describes, with its query, headers, credential and body.
fn build_request(client: &Client, call: &Call) -> reqwest::blocking::RequestBuilder {
    let mut request = client.request(call.method.clone(), &call.url);
    if !call.query.is_empty() {
        request = request.query(&call.query);
    }
    request = request.header(reqwest::header::ACCEPT, "application/json");
    for (name, value) in &call.headers {
        request = request.header(*name, value);
    }
    request = match &call.auth {
        Auth::None => request,
        Auth::Bearer(token) => request.bearer_auth(token.expose()),
        Auth::Basic { user, password } => request.basic_auth(user, Some(password.expose())),
        Auth::Header { name, value } => {
            let mut headers = HeaderMap::new();
            if let (Ok(n), Ok(mut v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value.expose()),
            ) {
                v.set_sensitive(true);
                headers.insert(n, v);
            }
            request.headers(headers)
        }
    };
    match &call.body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Form(fields) => request.form(fields),
    }
}

/// The answer, with at most [`MAX_ANSWER`] bytes of its body taken into memory whatever its
/// size: a larger one comes back empty with the status [`OVERSIZED`].
fn read_reply(
    mut response: reqwest::blocking::Response,
) -> std::result::Result<Reply, reqwest::Error> {
    let mut status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut capped = Capped::default();
    match response.copy_to(&mut capped) {
        Err(_) if capped.over => {
            capped.body = Vec::new();
            status = OVERSIZED;
        }
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    let body = capped.body;
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// The largest answer read from a service or the vault; a larger one is refused (the
/// `OVERSIZED` pseudo-status, reported as unavailable) rather than held in memory.
pub const MAX_ANSWER: usize = 8 * 1024 * 1024;
/// The status of a [`Reply`] whose body was larger than [`MAX_ANSWER`] (no HTTP status is 0).
const OVERSIZED: u16 = 0;

/// A body sink that stops past [`MAX_ANSWER`].
#[derive(Default)]
struct Capped {
    body: Vec<u8>,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.body.len() + buf.len() > MAX_ANSWER {
            self.over = true;
            return Err(std::io::Error::other("the answer is too large"));
        }
        self.body.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every secret `call` sends (its auth and the body secrets it names), long enough to replace
/// safely.
fn sent_secrets(call: &Call) -> Vec<&str> {
    let mut known: Vec<&str> = call
        .body_secrets
        .iter()
        .map(|s| s.expose().as_str())
        .collect();
    match &call.auth {
        Auth::Bearer(s) | Auth::Header { value: s, .. } | Auth::Basic { password: s, .. } => {
            known.push(s.expose())
        }
        Auth::None => {}
    }
    known.retain(|s| s.len() >= 4);
    known
}

/// `text` with every secret `call` sent replaced by `<redacted>`.
fn scrub_sent_secrets(mut text: String, call: &Call) -> String {
    for secret in sent_secrets(call) {
        text = text.replace(secret, "<redacted>");
    }
    text
}

/// An error body is only ever quoted in messages, so a service that echoes the credential it
/// was sent ("invalid token tok_...") must not put that credential into an error message: the
/// secrets of the call are scrubbed from it here, once for every provider.
fn scrub_error_body(mut reply: Reply, call: &Call) -> Reply {
    if reply.is_success() || reply.body.is_empty() {
        return reply;
    }
    let Ok(text) = std::str::from_utf8(&reply.body) else {
        return reply;
    };
    if sent_secrets(call).iter().any(|s| text.contains(s)) {
        reply.body = scrub_sent_secrets(text.to_owned(), call).into_bytes();
    }
    reply
}

fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_FIELDS.iter().any(|f| *f == lower)
        || lower.ends_with("_secret")
        || lower.ends_with("_token")
}

/// A copy of `value` with every secret-bearing field replaced, rendered compactly.
pub fn redact_json(value: &serde_json::Value) -> String {
    redact_json_with(value, &[])
}

/// [`redact_json`], also redacting the fields named in `more`.
fn redact_json_with(value: &serde_json::Value, more: &[&str]) -> String {
    fn walk(value: &serde_json::Value, more: &[&str]) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let secret = is_secret_field(k) || more.contains(&k.as_str());
                        let shown = if secret && !v.is_null() {
                            serde_json::Value::String("<redacted>".into())
                        } else {
                            walk(v, more)
                        };
                        (k.clone(), shown)
                    })
                    .collect(),
            ),
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(|v| walk(v, more)).collect())
            }
            other => other.clone(),
        }
    }
    truncate(&walk(value, more).to_string(), 4000)
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

/// A wait as a person reads it: seconds up to a minute ("2 s"), else a duration ("1h 30m");
/// beyond a day, also "(more than a day)" so that a huge value reads as what it is.
fn retry_wait(wait: Duration) -> String {
    let secs = wait.as_secs().max(1);
    if secs <= 60 {
        return format!("{secs} s");
    }
    let shown = crate::duration::human(Duration::from_secs(secs));
    if secs > 24 * 3600 {
        format!("{shown} (more than a day)")
    } else {
        shown
    }
}

fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    // reqwest's Display includes the URL, which never carries secrets here (they go in
    // headers and bodies); the source chain says what actually went wrong.
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A request that may not have completed: no connection, a timeout, or a connection closed or
/// reset before the whole response arrived.
fn is_lost_in_transit(e: &reqwest::Error) -> bool {
    e.is_connect() || e.is_timeout() || e.is_request() || e.is_body()
}

fn transport_error(provider: &str, call: &Call, e: &reqwest::Error, attempts: u32) -> Error {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let tries = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let mut err = Error::unavailable(format!(
        "{} {} {what}{tries}: {}",
        call.method,
        strip_query(&call.url),
        describe_reqwest(e)
    ))
    .with_provider(provider);
    err = if call.idempotent {
        err.with_hint("check the network and the service's status, then try again")
    } else if e.is_connect() {
        // No connection was made (refused, no route, a name that does not resolve): the
        // request cannot have reached the service.
        err.with_hint(
            "no connection was made, so nothing reached the service; check the address and the network, then try again",
        )
    } else {
        err.with_hint("the request may or may not have reached the service; check its state (for example with `agentcred status`) before retrying")
    };
    err
}

/// How long a request may take before a line says we are waiting for it (docs/cli-contract.md §12).
const SLOW_ANSWER: Duration = Duration::from_secs(1);

fn strip_query(url: &str) -> String {
    shown_url(url.split('?').next().unwrap_or(url))
}

/// A URL as messages may show it: any `user:password@` removed, even from a URL that does not
/// parse.
pub fn shown_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => rest[at + 1..].to_owned(),
        None => rest.to_owned(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{rest}"),
        None => rest,
    }
}

/// Build an error from a non-success reply: `message` and `service_code` come from the
/// provider's envelope decoder.
pub fn reply_error(
    provider: &str,
    reply: &Reply,
    service_code: Option<String>,
    message: Option<String>,
) -> Error {
    let kind = status_kind(reply.status);
    let detail = message.unwrap_or_else(|| {
        // A JSON body nobody decoded is quoted with its secret-named fields redacted.
        let text = match reply.json_value() {
            Some(value) => redact_json(&value),
            None => reply.text(),
        };
        let text = text.trim();
        if text.is_empty() {
            "no details".to_owned()
        } else {
            truncate(&jwt::redact_signatures(text), 300)
        }
    });
    // The service's text stays on one line, its control characters escaped: a line break
    // in it could otherwise print a line that looks like agentcred's own (a forged `hint:`).
    let detail = crate::output::neutralize(&detail, false);
    let mut err = Error::new(
        kind,
        format!("{provider} answered {}: {detail}", reply.status),
    )
    .with_provider(provider)
    .with_status(reply.status);
    if let Some(code) = service_code {
        err = err.with_service_code(code);
    }
    if reply.status == 429 {
        err = err.with_code(Code::RateLimited);
        let asked = parse_retry_after(reply.header("retry-after"));
        err = match asked {
            Some(wait) => err
                .with_retry_after(wait.as_secs().max(1))
                .with_hint(format!(
                    "the service is rate-limiting; try again in {}",
                    retry_wait(wait)
                )),
            None => err.with_hint("the service is rate-limiting; wait a moment and try again"),
        };
    } else if kind == ErrorKind::Unavailable {
        err = err.with_hint("the service is failing; wait a moment and try again");
    }
    let text = err.message.to_ascii_lowercase();
    if kind == ErrorKind::Auth && text.contains("revoked") {
        err = err.with_code(Code::CredentialRevoked);
    } else if kind == ErrorKind::Auth && text.contains("expired") {
        err = err.with_code(Code::CredentialExpired);
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_no_header_can_carry_is_refused_not_dropped() {
        let http = Http::new(
            false,
            Printer::new(false, true, crate::output::ColorChoice::Never),
        );
        let call = Call::get("http://127.0.0.1:9/x").auth(Auth::Header {
            name: "Api-Key",
            value: Secret::new("lk_dev_a\nb".to_owned()),
        });
        let err = http.send("demo", &call).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(!err.message.contains("lk_dev_a"), "{}", err.message);
    }

    #[test]
    fn secret_fields_are_redacted_at_any_depth() {
        let body = serde_json::json!({
            "agent_id": "ag_1", "token": "tok_abc", "nested": [{"api_key": "sk_x", "name": "ok"}],
            "token_type": "Bearer", "expires_in": 300, "client_secret": "cs"
        });
        let shown = redact_json(&body);
        for leaked in ["tok_abc", "sk_x", "\"cs\""] {
            assert!(!shown.contains(leaked), "{shown}");
        }
        assert!(shown.contains("ag_1") && shown.contains("Bearer") && shown.contains("ok"));
    }

    #[test]
    fn statuses_map_to_contract_kinds() {
        assert_eq!(status_kind(401), ErrorKind::Auth);
        assert_eq!(status_kind(404), ErrorKind::NotFound);
        assert_eq!(status_kind(409), ErrorKind::Conflict);
        assert_eq!(status_kind(412), ErrorKind::Conflict);
        assert_eq!(status_kind(429), ErrorKind::Unavailable);
        assert_eq!(status_kind(503), ErrorKind::Unavailable);
        assert_eq!(status_kind(400), ErrorKind::Usage);
    }

    #[test]
    fn https_and_loopback_http_get_their_own_clients() {
        let http = Http::new(
            false,
            Printer::new(false, true, crate::output::ColorChoice::Never),
        );
        let tls = http.client("https://api.example.com/x").unwrap() as *const Client;
        let plain = http.client("http://127.0.0.1:1/x").unwrap() as *const Client;
        assert_ne!(tls, plain);
        // Built once each.
        assert_eq!(
            http.client("https://other.example.com").unwrap() as *const Client,
            tls
        );
        assert_eq!(
            http.client("http://localhost:2").unwrap() as *const Client,
            plain
        );
    }

    #[test]
    fn error_bodies_never_carry_what_the_call_sent() {
        let token = Secret::from("tok_echoed_secret");
        let call = Call::post("https://x.example/refresh")
            .json(serde_json::json!({"token": token.expose()}))
            .body_secret(&token)
            .auth(Auth::Bearer(Secret::from("jwt_sent_as_bearer")));
        let reply = |status: u16, body: &str| Reply {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        };
        let scrubbed = scrub_error_body(
            reply(401, "bad token tok_echoed_secret for jwt_sent_as_bearer"),
            &call,
        );
        assert_eq!(scrubbed.text(), "bad token <redacted> for <redacted>");
        // A success body is data: it is left alone.
        let ok = scrub_error_body(reply(200, r#"{"token":"tok_echoed_secret"}"#), &call);
        assert!(ok.text().contains("tok_echoed_secret"));
        // A JSON error body nobody decoded is quoted with its secret fields redacted.
        let err = reply_error(
            "X",
            &reply(400, r#"{"detail":"bad","api_key":"sk_never_shown"}"#),
            None,
            None,
        );
        assert!(!err.message.contains("sk_never_shown"), "{}", err.message);
        assert!(err.message.contains("bad"), "{}", err.message);
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after(Some("2")), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }
}
