//! Helpers every emulated service shares: error envelopes, JSON responses, request-body and
//! auth-header parsing, ids and secrets, timestamps and exact amount formatting.
//!
//! Nothing here knows about a particular service; a service picks its [`Envelope`] and its id
//! prefixes and builds on these.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value, json};

// ------------------------------------------------------------------------------------------
// Responses and error envelopes

/// A JSON response with `status`.
pub fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// Marks a response whose plain-text body is deliberate, so the framework passes it through
/// instead of rewriting it into the service's JSON envelope. For services documented to answer
/// some errors in plain text (one service's auth middleware), which clients must cope with.
#[derive(Debug, Clone, Copy)]
pub struct DeliberateText;

/// A `text/plain` response that reaches the client as is (see [`DeliberateText`]).
pub fn text_response(status: StatusCode, text: &str) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.to_owned(),
    )
        .into_response();
    response.extensions_mut().insert(DeliberateText);
    response
}

/// An HTML page (a service's web page for people, such as an owner's approval page), passed
/// through as it is even when its status is an error.
pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    response.extensions_mut().insert(DeliberateText);
    response
}

/// `text` with HTML's special characters escaped, for a page.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` percent-encoded for a URL query value.
pub fn query_escape(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The error body shapes of the four services (docs/providers.md §5). Each service answers every
/// error, including the sandbox's own (unknown route, injected fault, unreadable state), in its
/// envelope, so a client's error parsing is exercised on every path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `{"error": code, "message": message}`: an agent-id service (and a card service).
    ErrorMessage,
    /// `{"status": "error", "code": code, "message": message}`: a wallet API.
    StatusCodeMessage,
    /// `{"error": {"code": CODE, "message": message}}`: nested, upper-case codes.
    NestedError,
    /// `{"error": code, "error_description": message, "retryable": bool}`: OAuth style.
    OAuth,
    /// `{"error": {"type", "code", "message"}, "request_id"}`: typed errors with a request id.
    Typed,
    /// `{"error": code, "message": message}` for routes outside any service.
    Sandbox,
}

impl Envelope {
    /// The error body for `status`, with a machine `code` and a human `message`.
    pub fn body(self, status: StatusCode, code: &str, message: &str) -> Value {
        match self {
            Envelope::ErrorMessage | Envelope::Sandbox => {
                json!({"error": code, "message": message})
            }
            Envelope::StatusCodeMessage => {
                json!({"status": "error", "code": code, "message": message})
            }
            Envelope::NestedError => {
                json!({"error": {"code": code.to_ascii_uppercase(), "message": message}})
            }
            Envelope::OAuth => json!({
                "error": code,
                "error_description": message,
                "retryable": matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504),
            }),
            Envelope::Typed => json!({
                "error": {"type": proxy_error_type(status), "code": code, "message": message},
                "request_id": format!("req_{}", random_hex(12)),
            }),
        }
    }

    /// [`Envelope::body`] as a response.
    pub fn response(self, status: StatusCode, code: &str, message: &str) -> Response {
        json_response(status, self.body(status, code, message))
    }

    /// The code a generic error of `status` carries in this envelope (unknown route, rejected
    /// body, injected fault).
    pub fn generic_code(self, status: StatusCode) -> &'static str {
        match status.as_u16() {
            400 | 422 => "invalid_request",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            409 => "conflict",
            413 => "payload_too_large",
            415 => "invalid_content_type",
            429 => "rate_limit_exceeded",
            503 => "service_unavailable",
            _ => "internal_error",
        }
    }
}

fn proxy_error_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "authorization_error",
        404 => "not_found_error",
        409 => "conflict_error",
        422 => "validation_error",
        429 => "rate_limit_error",
        400..=499 => "invalid_request_error",
        _ => "service_error",
    }
}

// ------------------------------------------------------------------------------------------
// Request bodies

/// Whether a Content-Type header value names JSON (`application/json`, `...+json`).
pub fn is_json_content_type(value: &str) -> bool {
    let mime = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Whether a Content-Type header value names a URL-encoded form.
pub fn is_form_content_type(value: &str) -> bool {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

pub fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::CONTENT_TYPE)?.to_str().ok()
}

/// A JSON object request body. A request that declares another content type is refused (the
/// way an express.json() or similar server ignores it), so a client that sends a form by mistake
/// is caught here rather than in production. An absent Content-Type is tolerated.
/// The error string is a human message for the service's 400 envelope.
pub fn json_object_body(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, String> {
    if let Some(ct) = content_type(headers)
        && !is_json_content_type(ct)
    {
        return Err(format!("Content-Type must be application/json (got {ct})"));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("a JSON object body is required".into());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the body must be a JSON object".into()),
        Err(e) => Err(format!("the body is not valid JSON: {e}")),
    }
}

/// A URL-encoded form (body or query string) as ordered pairs.
pub fn form_pairs(input: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(input).into_owned().collect()
}

/// The last value of `name` in a query string, if present.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    form_pairs(query.unwrap_or("").as_bytes())
        .into_iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A field that must be a non-empty string when present. `Ok(None)` when absent or null.
pub fn optional_str<'a>(
    body: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(format!("{field} must be a string")),
    }
}

/// A field that must be a non-empty (after trimming) string.
pub fn required_str<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, String> {
    match optional_str(body, field)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(format!("{field} is required")),
    }
}

/// How a request body is shown in the request log: parsed JSON when it is JSON, the fields of a
/// URL-encoded form as an object, otherwise the text (lossy UTF-8); `null` when empty.
/// What a secret-named field's value is logged as: a mark with a short digest of it, so that
/// a test can tell which secret was sent without the log (which every reader of the control
/// routes sees) holding it.
pub fn log_fingerprint(secret: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, secret.as_bytes());
    let hex: String = digest.as_ref()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("<redacted:{hex}>")
}

/// Whether a field's name says it holds a secret (`client_secret`, `refresh_token`,
/// `apiKey`, `password`, ...).
fn is_secret_name(name: &str) -> bool {
    let name: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    name.contains("secret")
        || name.contains("password")
        || name.ends_with("token")
        || name.ends_with("key")
        || name == "assertion"
        || name == "clientassertion"
}

/// `value` with every secret-named field's string replaced by [`log_fingerprint`].
fn redact_for_log(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) if is_secret_name(&k) => {
                            Value::String(log_fingerprint(&s))
                        }
                        other => redact_for_log(other),
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact_for_log).collect()),
        other => other,
    }
}

/// A request body as the log keeps it: secret-named fields (JSON or form) are fingerprinted.
pub fn body_for_log(content_type: Option<&str>, body: &[u8]) -> Value {
    redact_for_log(raw_body_for_log(content_type, body))
}

fn raw_body_for_log(content_type: Option<&str>, body: &[u8]) -> Value {
    /// Bodies beyond this are cut, to keep the state file (read on every request) small.
    const MAX_LOGGED: usize = 64 * 1024;
    if body.is_empty() {
        return Value::Null;
    }
    if body.len() > MAX_LOGGED {
        return json!({"truncated": true, "bytes": body.len()});
    }
    let ct = content_type.unwrap_or("");
    if is_form_content_type(ct) {
        let mut map = Map::new();
        for (k, v) in form_pairs(body) {
            map.insert(k, Value::String(v));
        }
        return Value::Object(map);
    }
    if (ct.is_empty() || is_json_content_type(ct))
        && let Ok(value) = serde_json::from_slice::<Value>(body)
    {
        return value;
    }
    Value::String(String::from_utf8_lossy(body).into_owned())
}

// ------------------------------------------------------------------------------------------
// Authentication headers

/// The credential a request carries. `Authorization` wins over `Api-Key` when both are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    Bearer(String),
    Basic {
        user: String,
        password: String,
    },
    /// The `Api-Key: <key>` header.
    ApiKey(String),
    /// An Authorization header with another scheme, or a Basic one that does not decode.
    Other,
}

impl Auth {
    pub fn from_headers(headers: &HeaderMap) -> Auth {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let Ok(value) = value.to_str() else {
                return Auth::Other;
            };
            let value = value.trim();
            let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
            let rest = rest.trim();
            if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
                return Auth::Bearer(rest.to_owned());
            }
            if scheme.eq_ignore_ascii_case("basic") {
                return decode_basic(rest).unwrap_or(Auth::Other);
            }
            return Auth::Other;
        }
        if let Some(key) = headers.get("api-key").and_then(|v| v.to_str().ok()) {
            return Auth::ApiKey(key.trim().to_owned());
        }
        Auth::None
    }

    /// The request log's name for the scheme.
    pub fn scheme(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Bearer(_) => "bearer",
            Auth::Basic { .. } => "basic",
            Auth::ApiKey(_) => "api-key",
            Auth::Other => "other",
        }
    }

    pub fn bearer(&self) -> Option<&str> {
        match self {
            Auth::Bearer(token) => Some(token),
            _ => None,
        }
    }

    pub fn basic(&self) -> Option<(&str, &str)> {
        match self {
            Auth::Basic { user, password } => Some((user, password)),
            _ => None,
        }
    }
}

fn decode_basic(encoded: &str) -> Option<Auth> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some(Auth::Basic {
        user: user.to_owned(),
        password: password.to_owned(),
    })
}

// ------------------------------------------------------------------------------------------
// Ids and secrets

/// `n` random bytes from the operating system's CSPRNG.
///
/// Secrets handed to clients come from here even in the sandbox, so that nothing a test or an
/// agent's SDK sees can be guessed from another run.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if SystemRandom::new().fill(&mut buf).is_err() {
        // ring fails only when the OS has no entropy source at all; fastrand still gives
        // unique (if predictable) values, which is all the sandbox's fake secrets need.
        buf.iter_mut().for_each(|b| *b = fastrand::u8(..));
    }
    buf
}

/// `n` random bytes as `2n` lowercase hex digits.
pub fn random_hex(n: usize) -> String {
    hex(&random_bytes(n))
}

/// A random RFC 4122 version-4 UUID.
pub fn uuid_v4() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Lowercase hex SHA-256 of `data`: how the services' records keep secrets, as real services
/// do. (The state file still holds fake secrets elsewhere: the request log records bodies as
/// sent, and idempotency replays keep their responses for 24 h; see `state.rs`.)
pub fn sha256_hex(data: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, data).as_ref())
}

// ------------------------------------------------------------------------------------------
// Time

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub fn now_secs() -> i64 {
    now_ms().div_euclid(1000)
}

/// Unix milliseconds as ISO-8601 UTC with milliseconds: `2026-06-01T00:00:00.000Z`.
pub fn iso_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

/// 00:00:00.000 UTC on the first day of the month that holds `ms`.
pub fn start_of_month_ms(ms: i64) -> i64 {
    let (y, m, _) = civil_from_days(ms.div_euclid(86_400_000));
    days_from_civil(y, m, 1) * 86_400_000
}

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian, days since 1970-01-01).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

// ------------------------------------------------------------------------------------------
// Amounts

/// An atomic amount as an exact decimal string: `format_atomic(12_500_000, 6) == "12.5"`,
/// `format_atomic(0, 6) == "0"`. Integer arithmetic only, so no value is ever rounded.
pub fn format_atomic(atomic: u64, decimals: u32) -> String {
    let digits = atomic.to_string();
    let decimals = decimals as usize;
    if decimals == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (int, frac) = padded.split_at(padded.len() - decimals);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_atomic_amounts_exactly() {
        assert_eq!(format_atomic(12_500_000, 6), "12.5");
        assert_eq!(format_atomic(100_000_000, 6), "100");
        assert_eq!(format_atomic(0, 6), "0");
        assert_eq!(format_atomic(1, 6), "0.000001");
        assert_eq!(format_atomic(123_456_789, 6), "123.456789");
        assert_eq!(format_atomic(5000, 2), "50");
        assert_eq!(format_atomic(5001, 2), "50.01");
        assert_eq!(format_atomic(7, 0), "7");
        assert_eq!(format_atomic(u64::MAX, 6), "18446744073709.551615");
    }

    #[test]
    fn iso_timestamps_have_milliseconds_and_z() {
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_ms(1_782_864_000_000), "2026-07-01T00:00:00.000Z");
        assert_eq!(iso_ms(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(start_of_month_ms(1_709_251_199_999), 1_706_745_600_000);
        assert_eq!(
            iso_ms(start_of_month_ms(1_782_950_400_123)),
            "2026-07-01T00:00:00.000Z"
        );
    }

    #[test]
    fn auth_headers_are_classified() {
        let mut h = HeaderMap::new();
        assert_eq!(Auth::from_headers(&h), Auth::None);
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(Auth::from_headers(&h).bearer(), Some("abc"));
        h.insert(
            header::AUTHORIZATION,
            "Basic dXNlcjpwYTpzcw==".parse().unwrap(),
        );
        assert_eq!(Auth::from_headers(&h).basic(), Some(("user", "pa:ss")));
        h.insert(header::AUTHORIZATION, "Digest x".parse().unwrap());
        assert_eq!(Auth::from_headers(&h).scheme(), "other");
        h.remove(header::AUTHORIZATION);
        h.insert("api-key", "lk_dev_1".parse().unwrap());
        assert_eq!(Auth::from_headers(&h), Auth::ApiKey("lk_dev_1".into()));
    }

    #[test]
    fn uuids_are_version_4() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn logged_bodies_are_parsed_by_content_type() {
        assert_eq!(
            body_for_log(Some("application/json"), br#"{"a":1}"#),
            json!({"a": 1})
        );
        assert_eq!(
            body_for_log(
                Some("application/x-www-form-urlencoded"),
                b"grant_type=client_credentials&x=a+b"
            ),
            json!({"grant_type": "client_credentials", "x": "a b"})
        );
        assert_eq!(body_for_log(Some("text/plain"), b"hi"), json!("hi"));
        assert_eq!(body_for_log(None, b""), Value::Null);
    }
}
