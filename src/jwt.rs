//! JWTs decoded locally, without verifying them, and their signatures kept out of traces.
//!
//! `status` shows when each short-lived credential expires and `token --min-valid` decides
//! whether to refresh, both from the JWT's own `exp`, read here without a network call. Nothing
//! here checks a signature: the issuer does that, and we only read what it wrote. A value read
//! from an unverified token is a hint for scheduling a refresh, never a reason to trust it.
//!
//! A JWT here is the JWS compact form: three base64url segments joined by dots, the first two
//! decoding to JSON objects (header and claims). Segments are unpadded, as RFC 7515 writes
//! them, but `=` padding is tolerated. The signature may be empty (`alg: none`) for
//! [`decode`]; when present it must be valid base64url.
//!
//! [`redact_signatures`] is for `-v` traces: a JWT without its signature cannot be replayed, yet
//! its header and claims stay readable for debugging. It errs toward redacting: a signature is
//! replaced whenever the two segments before it decode to JSON objects, even if the signature
//! itself would not decode. It finds a token where one starts, at an `e` (every base64url JSON
//! object starts with `e`: `{"` is `eyJ`) that does not follow another base64url character,
//! so text that merely has dots in it (emails, versions, domain names) is never touched.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::Value;

const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What a JWT says about itself. The named fields are copied out of `claims` (and the header)
/// for convenience; `claims` holds the whole payload object.
#[derive(Debug, Clone, Default)]
pub struct JwtInfo {
    pub typ: Option<String>,
    pub alg: Option<String>,
    /// Expiry, unix seconds (a fractional NumericDate is rounded down).
    pub exp: Option<i64>,
    /// Issued at, unix seconds.
    pub iat: Option<i64>,
    pub sub: Option<String>,
    pub claims: Value,
}

/// Decode header and claims; `None` unless `token` is exactly one well-formed JWT (no
/// surrounding whitespace, no `Bearer ` prefix).
pub fn decode(token: &str) -> Option<JwtInfo> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let whole_segment = |part: &str| segment_len(part.as_bytes()) == part.len();
    if !whole_segment(header) || !whole_segment(payload) || !whole_segment(signature) {
        return None;
    }
    if !signature.is_empty() && BASE64URL.decode(signature).is_err() {
        return None;
    }
    let header = json_object(header)?;
    let claims = json_object(payload)?;
    let string = |object: &Value, key: &str| object.get(key)?.as_str().map(str::to_owned);
    Some(JwtInfo {
        typ: string(&header, "typ"),
        alg: string(&header, "alg"),
        exp: claims.get("exp").and_then(numeric_date),
        iat: claims.get("iat").and_then(numeric_date),
        sub: string(&claims, "sub"),
        claims,
    })
}

/// Seconds of validity left at `now` (negative once expired). `None` when the token does not
/// decode or has no usable `exp`: callers treat that as expired and refresh.
pub fn remaining(token: &str, now: i64) -> Option<i64> {
    Some(decode(token)?.exp?.saturating_sub(now))
}

/// Whether `s` is exactly one JWT, as [`decode`] reads it.
pub fn looks_like_jwt(s: &str) -> bool {
    decode(s).is_some()
}

/// Replace the signature of every JWT inside `text` with `<redacted>`, keeping
/// `header.payload` readable. Everything else is returned unchanged.
pub fn redact_signatures(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !is_base64url(bytes[i - 1]);
        if bytes[i] == b'e'
            && starts_word
            && let Some((sig_start, sig_end)) = find_signature(&text[i..])
        {
            // All indices are at ASCII bytes, hence at char boundaries.
            out.push_str(&text[copied..i + sig_start]);
            out.push_str("<redacted>");
            copied = i + sig_end;
            i = copied;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// If `text` starts with a JWT whose signature is not empty, the byte range of its signature.
fn find_signature(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let header_end = segment_len(bytes);
    let payload_start = header_end + 1;
    if header_end == 0 || bytes.get(header_end) != Some(&b'.') {
        return None;
    }
    let payload_end = payload_start + segment_len(&bytes[payload_start..]);
    let signature_start = payload_end + 1;
    if payload_end == payload_start || bytes.get(payload_end) != Some(&b'.') {
        return None;
    }
    let signature_end = signature_start + segment_len(&bytes[signature_start..]);
    if signature_end == signature_start {
        return None;
    }
    json_object(&text[..header_end])?;
    json_object(&text[payload_start..payload_end])?;
    Some((signature_start, signature_end))
}

/// Length of the base64url segment at the start of `bytes`: alphabet characters followed by at
/// most two `=` of padding.
fn segment_len(bytes: &[u8]) -> usize {
    let chars = bytes.iter().take_while(|&&b| is_base64url(b)).count();
    let padding = bytes[chars..]
        .iter()
        .take(2)
        .take_while(|&&b| b == b'=')
        .count();
    chars + padding
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn json_object(segment: &str) -> Option<Value> {
    let bytes = BASE64URL.decode(segment).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    value.is_object().then_some(value)
}

/// An RFC 7519 NumericDate as whole unix seconds, rounded down. Fractions are allowed by the
/// RFC; they are read from the number's decimal text, not through floating point arithmetic.
/// Anything else (strings, exponents, values beyond i64) is `None`.
fn numeric_date(value: &Value) -> Option<i64> {
    let number = value.as_number()?;
    if let Some(whole) = number.as_i64() {
        return Some(whole);
    }
    let text = number.to_string();
    let (whole, fraction) = text.split_once('.')?;
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let below_zero = text.starts_with('-') && fraction.bytes().any(|b| b != b'0');
    if below_zero {
        whole.checked_sub(1)
    } else {
        Some(whole)
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
    use serde_json::json;

    use super::*;

    fn segment(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
    }

    /// A token shaped like the real thing: ES256 signatures are 64 bytes, RS256 ones 256.
    fn token(alg: &str, claims: Value) -> String {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "key-2026-04"});
        let signature_len = if alg == "RS256" { 256 } else { 64 };
        let signature: Vec<u8> = (0..signature_len).map(|i| (i * 37 + 11) as u8).collect();
        format!(
            "{}.{}.{}",
            segment(&header),
            segment(&claims),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    fn signature_of(token: &str) -> &str {
        token.rsplit('.').next().unwrap()
    }

    fn head_of(token: &str) -> &str {
        &token[..token.rfind('.').unwrap()]
    }

    #[test]
    fn decodes_header_and_claims() {
        let jwt = token(
            "ES256",
            json!({"sub": "agent_123", "iat": 1_775_246_400, "exp": 1_775_250_000, "scope": "pay"}),
        );
        let info = decode(&jwt).unwrap();
        assert_eq!(info.alg.as_deref(), Some("ES256"));
        assert_eq!(info.typ.as_deref(), Some("JWT"));
        assert_eq!(info.sub.as_deref(), Some("agent_123"));
        assert_eq!(info.iat, Some(1_775_246_400));
        assert_eq!(info.exp, Some(1_775_250_000));
        assert_eq!(info.claims["scope"], "pay");
        assert!(looks_like_jwt(&jwt));

        let rs = decode(&token("RS256", json!({"exp": 1}))).unwrap();
        assert_eq!(rs.alg.as_deref(), Some("RS256"));
        assert_eq!(rs.sub, None);
    }

    #[test]
    fn padding_is_tolerated() {
        // Lengths chosen so that both segments need padding.
        let header = URL_SAFE.encode(br#"{"alg":"HS256","k":"v"}"#);
        let claims = URL_SAFE.encode(br#"{"exp":17}"#);
        assert!(header.ends_with('=') && claims.ends_with('='));
        let signature = URL_SAFE.encode([7u8; 32]);
        let jwt = format!("{header}.{claims}.{signature}");
        assert_eq!(decode(&jwt).unwrap().exp, Some(17));
    }

    #[test]
    fn unsigned_tokens_decode() {
        let jwt = format!(
            "{}.{}.",
            segment(&json!({"alg": "none"})),
            segment(&json!({}))
        );
        let info = decode(&jwt).unwrap();
        assert_eq!(info.alg.as_deref(), Some("none"));
        assert_eq!(info.exp, None);
    }

    #[test]
    fn remaining_validity() {
        let jwt = token("ES256", json!({"exp": 1_000_900}));
        assert_eq!(remaining(&jwt, 1_000_000), Some(900));
        assert_eq!(remaining(&jwt, 1_000_900), Some(0));
        assert_eq!(remaining(&jwt, 1_001_000), Some(-100));
        assert_eq!(remaining(&jwt, i64::MIN), Some(i64::MAX));
        assert_eq!(remaining(&token("ES256", json!({"sub": "x"})), 0), None);
        assert_eq!(
            remaining(&token("ES256", json!({"exp": "1000900"})), 0),
            None
        );
        assert_eq!(remaining("not a token", 0), None);
    }

    #[test]
    fn numeric_dates() {
        let cases = [
            (json!(1_775_250_000), Some(1_775_250_000)),
            (json!(1_775_250_000.9), Some(1_775_250_000)),
            (json!(1.7e9), Some(1_700_000_000)),
            (json!(-1.5), Some(-2)),
            (json!(-0.0), Some(0)),
            (json!(1e300), None),
            (json!(u64::MAX), None),
            (json!("1775250000"), None),
            (json!(null), None),
        ];
        for (value, expected) in cases {
            assert_eq!(numeric_date(&value), expected, "{value}");
        }
    }

    #[test]
    fn malformed_tokens_do_not_decode() {
        let good = token("ES256", json!({"exp": 1}));
        let (header, rest) = good.split_once('.').unwrap();
        let (claims, signature) = rest.split_once('.').unwrap();
        let array = URL_SAFE_NO_PAD.encode(b"[1,2]");
        let text = URL_SAFE_NO_PAD.encode(b"hello");
        let bad = [
            String::new(),
            "a.b.c".into(),
            "eyJ.eyJ.sig".into(),
            "...".into(),
            format!("{header}.{claims}"),
            format!("{good}.{signature}"),
            format!(" {good}"),
            format!("{good}\n"),
            format!("Bearer {good}"),
            format!("{array}.{claims}.{signature}"),
            format!("{header}.{text}.{signature}"),
            format!("{header}.{claims}.{signature}!"),
            format!("{header}.{claims}.a"),
            format!("{header}.{claims}.sig+nature/"),
            format!("{header}x.{claims}.{signature}"),
            format!("{header}.{claims}==a.{signature}"),
        ];
        for token in &bad {
            assert!(decode(token).is_none(), "{token:?}");
            assert!(!looks_like_jwt(token), "{token:?}");
        }
    }

    #[test]
    fn redacts_a_token_in_a_json_body() {
        let jwt = token("ES256", json!({"sub": "agent_123", "exp": 1_775_250_000}));
        let body = format!(r#"{{"status":"ok","jwt":"{jwt}","agent_id":"a.b.c"}}"#);
        let redacted = redact_signatures(&body);
        assert_eq!(
            redacted,
            format!(
                r#"{{"status":"ok","jwt":"{}.<redacted>","agent_id":"a.b.c"}}"#,
                head_of(&jwt)
            )
        );
        assert!(!redacted.contains(signature_of(&jwt)));
        // What stays is still readable.
        let kept = format!("{}.", head_of(&jwt));
        assert_eq!(decode(&kept).unwrap().sub.as_deref(), Some("agent_123"));
    }

    #[test]
    fn redacts_bearer_lines_and_every_token() {
        let es = token("ES256", json!({"exp": 1}));
        let rs = token("RS256", json!({"exp": 2}));
        let trace = format!(
            "> POST /refresh\n> Authorization: Bearer {es}\n< 200 OK\n< {{\"access_token\":\"{rs}\"}}\n\
             url: /cb?token={es}&next=1\nlast one, ending a sentence: {rs}."
        );
        let redacted = redact_signatures(&trace);
        assert_eq!(
            redacted,
            format!(
                "> POST /refresh\n> Authorization: Bearer {0}.<redacted>\n< 200 OK\n< {{\"access_token\":\"{1}.<redacted>\"}}\n\
                 url: /cb?token={0}.<redacted>&next=1\nlast one, ending a sentence: {1}.<redacted>.",
                head_of(&es),
                head_of(&rs)
            )
        );
        // Redacting twice changes nothing more.
        assert_eq!(redact_signatures(&redacted), redacted);
    }

    #[test]
    fn redacts_padded_tokens_and_keeps_unicode_around_them() {
        let header = URL_SAFE.encode(br#"{"alg":"HS256","k":"v"}"#);
        let claims = URL_SAFE.encode(br#"{"exp":17}"#);
        let jwt = format!("{header}.{claims}.{}", URL_SAFE.encode([9u8; 32]));
        assert_eq!(
            redact_signatures(&format!("«{jwt}» ✓")),
            format!("«{header}.{claims}.<redacted>» ✓")
        );
    }

    #[test]
    fn leaves_text_with_mere_dots_alone() {
        let jwt = token("ES256", json!({"exp": 1}));
        let untouched = [
            "first.last@example.com wrote to ops.team@agents.example.co.uk",
            "agentcred 1.2.3 (rustc 1.95.0), see https://api.example.com/v1.2/agents.list",
            "e.g. eval.example.com or every.evening.end",
            "eyJ.eyJ.eyJ and eyJhbGciOiJIUzI1NiJ9.not-json.sig",
            "",
            "...",
            "e",
            "ends with e.",
        ];
        for text in untouched {
            assert_eq!(redact_signatures(text), text);
        }
        // Glued to a longer word, it is not a token of its own.
        let glued = format!("prefix{jwt}");
        assert_eq!(redact_signatures(&glued), glued);
        // Unsigned tokens have nothing to redact.
        let unsigned = format!(
            "{}.{}.",
            segment(&json!({"alg": "none"})),
            segment(&json!({}))
        );
        assert_eq!(redact_signatures(&unsigned), unsigned);
    }

    #[test]
    fn redacts_even_a_signature_that_would_not_decode() {
        let header = segment(&json!({"alg": "ES256"}));
        let claims = segment(&json!({"sub": "x"}));
        let text = format!("{header}.{claims}.abcde");
        assert_eq!(
            redact_signatures(&text),
            format!("{header}.{claims}.<redacted>")
        );
    }
}
