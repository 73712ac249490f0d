//! Stored secret values taken out of what leaves agentcred for a reader that must not hold
//! them: the responses the credential gateway passes to a child, and MCP tool results.
//!
//! Contract (docs/cli-contract.md §10): no response the gateway forwards and no tool result carries a value the
//! profile holds in its store. Unlike the `-v` traces (which redact by field name), this
//! redacts by value: every occurrence of every known secret, wherever it sits (a header, a
//! JSON field of any name, an error message that echoes a token), is replaced by
//! [`REDACTED`]. Bodies are redacted as they stream, holding back only the few bytes at a
//! chunk's end that could be the start of a secret continuing in the next chunk.
//!
//! A secret is also found in its JSON-escaped forms (any character written `\u00XX`, a `/`
//! written `\/`), since a service that echoes a credential inside a JSON string may escape
//! it; other transformations (base64, case changes, a value split in parts) are not
//! recognized, so a service that reflects credentials that way defeats redaction.
//!
//! Besides the sets a caller builds, the process keeps one set of every secret it has read
//! ([`remember`], [`process_secrets`]): error messages quote service text, and the last line
//! of defence before anything is printed scrubs them with it.

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};

use serde_json::Value;

/// What a secret value is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Values shorter than this are not treated as secrets: every credential agentcred keeps is
/// far longer, and redacting a short common string would mangle unrelated text.
pub const MIN_SECRET_LEN: usize = 8;

/// The secret values to look for, longest first (so that a secret containing another is
/// replaced whole).
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    values: Vec<Vec<u8>>,
}

impl Secrets {
    pub fn new<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> Secrets {
        let mut values: Vec<Vec<u8>> = values
            .into_iter()
            .map(|v| v.as_ref().as_bytes().to_vec())
            .filter(|v| v.len() >= MIN_SECRET_LEN)
            .collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        Secrets { values }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn longest(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }

    /// The length of the secret (as written: literally or JSON-escaped) that starts at the
    /// beginning of `bytes`, if any.
    fn match_at(&self, bytes: &[u8]) -> Option<usize> {
        self.values
            .iter()
            .find_map(|s| match match_escaped(s, bytes) {
                Match::Full(len) => Some(len),
                Match::Partial | Match::No => None,
            })
    }

    /// Whether `tail` (cut short by the end of a chunk) could be the start of a secret.
    fn could_start(&self, tail: &[u8]) -> bool {
        self.values
            .iter()
            .any(|s| matches!(match_escaped(s, tail), Match::Partial))
    }

    /// Every value of `self` and of `other`.
    pub fn union(&self, other: &Secrets) -> Secrets {
        let mut values = self.values.clone();
        values.extend(other.values.iter().cloned());
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        Secrets { values }
    }

    /// Whether `text` contains a secret, compared without regard to ASCII case (a header
    /// name, which HTTP lower-cases).
    pub fn contains_any_case_insensitive(&self, text: &str) -> bool {
        let text = text.to_ascii_lowercase();
        self.values.iter().any(|v| {
            let v = v.to_ascii_lowercase();
            text.as_bytes().windows(v.len()).any(|w| w == v.as_slice())
        })
    }

    /// Whether `value` is one of the secrets.
    pub fn holds(&self, value: &str) -> bool {
        self.values.iter().any(|v| v == value.as_bytes())
    }

    pub fn contains_any(&self, bytes: &[u8]) -> bool {
        (0..bytes.len()).any(|i| self.match_at(&bytes[i..]).is_some())
    }

    /// `bytes` with every secret replaced.
    pub fn redact_bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        if self.values.is_empty() || !self.contains_any(bytes) {
            return Cow::Borrowed(bytes);
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match self.match_at(&bytes[i..]) {
                Some(len) => {
                    out.extend_from_slice(REDACTED.as_bytes());
                    i += len;
                }
                None => {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
        }
        Cow::Owned(out)
    }

    pub fn redact_str(&self, text: &str) -> String {
        match self.redact_bytes(text.as_bytes()) {
            Cow::Borrowed(_) => text.to_owned(),
            // Secrets are whole UTF-8 strings and the mark is ASCII, so this stays UTF-8.
            Cow::Owned(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// `value` with every secret replaced in every string and key, at any depth.
    pub fn redact_json(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.redact_str(s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.redact_json(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.redact_str(k), self.redact_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    pub fn stream(&self) -> StreamRedactor {
        StreamRedactor {
            secrets: self.clone(),
            carry: Vec::new(),
        }
    }
}

/// Redacts a body that arrives in chunks, where a secret may be split across two of them.
#[derive(Debug)]
pub struct StreamRedactor {
    secrets: Secrets,
    carry: Vec<u8>,
}

impl StreamRedactor {
    /// The redacted bytes that can be released after `chunk`; a possible secret prefix at
    /// the end is held back until the next chunk (or [`StreamRedactor::finish`]).
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        if self.secrets.is_empty() {
            return chunk.to_vec();
        }
        let mut buffer = std::mem::take(&mut self.carry);
        buffer.extend_from_slice(chunk);
        let mut out = Vec::with_capacity(buffer.len());
        // A JSON-escaped character takes six bytes.
        let longest = self.secrets.longest() * ESCAPED_LEN;
        let mut i = 0;
        while i < buffer.len() {
            let rest = &buffer[i..];
            // Near the end, wait for more rather than decide on half a secret.
            if rest.len() < longest && self.secrets.could_start(rest) {
                self.carry = rest.to_vec();
                return out;
            }
            match self.secrets.match_at(rest) {
                Some(len) => {
                    out.extend_from_slice(REDACTED.as_bytes());
                    i += len;
                }
                None => {
                    out.push(buffer[i]);
                    i += 1;
                }
            }
        }
        out
    }

    /// What was held back, once the body has ended.
    pub fn finish(self) -> Vec<u8> {
        self.secrets.redact_bytes(&self.carry).into_owned()
    }
}

/// `err` with every secret replaced in the texts it shows (message, hint, service code).
pub fn redact_error(secrets: &Secrets, mut err: crate::error::Error) -> crate::error::Error {
    if secrets.is_empty() {
        return err;
    }
    err.message = secrets.redact_str(&err.message);
    err.hint = err.hint.map(|hint| secrets.redact_str(&hint));
    err.service_code = err.service_code.map(|code| secrets.redact_str(&code));
    err
}

/// The longest form of one character in a JSON string (`\u0041`).
const ESCAPED_LEN: usize = 6;

enum Match {
    /// The secret, in this many bytes.
    Full(usize),
    /// The bytes end where the secret could still go on.
    Partial,
    No,
}

/// Whether `bytes` starts with `secret`, each character of it written literally or
/// JSON-escaped (`\u0073`, `\u0053`, `\/`).
fn match_escaped(secret: &[u8], bytes: &[u8]) -> Match {
    let mut at = 0;
    for &want in secret {
        let Some(&got) = bytes.get(at) else {
            return Match::Partial;
        };
        if got == want {
            at += 1;
            continue;
        }
        if got != b'\\' {
            return Match::No;
        }
        let rest = &bytes[at + 1..];
        match rest.first() {
            None => return Match::Partial,
            Some(b'/') if want == b'/' => at += 2,
            Some(b'u') => {
                let hex = &rest[1..rest.len().min(5)];
                let expected = format!("{want:04x}");
                if !hex.eq_ignore_ascii_case(&expected.as_bytes()[..hex.len()]) {
                    return Match::No;
                }
                if hex.len() < 4 {
                    return Match::Partial;
                }
                at += ESCAPED_LEN;
            }
            Some(_) => return Match::No,
        }
    }
    Match::Full(at)
}

/// Every secret this process has read, and the loaders of those it may hold but has not read
/// yet (a profile's other stored secrets), run on first need.
struct Known {
    values: Vec<crate::secret::Secret<String>>,
    loaders: Vec<Box<dyn FnOnce() -> Vec<crate::secret::Secret<String>> + Send>>,
}

static KNOWN: Mutex<Known> = Mutex::new(Known {
    values: Vec::new(),
    loaders: Vec::new(),
});

/// Remember secret values this process holds, for [`process_secrets`].
pub fn remember<'a>(values: impl IntoIterator<Item = &'a crate::secret::Secret<String>>) {
    let mut known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    for value in values {
        if !known.values.contains(value) {
            known.values.push(value.clone());
        }
    }
}

/// Register a way to read more secrets this process may hold (every secret of a profile it
/// opened), run only when [`process_secrets`] is asked for, so that commands that succeed
/// never pay for it.
pub fn remember_lazily(
    loader: impl FnOnce() -> Vec<crate::secret::Secret<String>> + Send + 'static,
) {
    KNOWN
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .loaders
        .push(Box::new(loader));
}

/// Every secret this process has read or can read for the profiles it opened.
pub fn process_secrets() -> Secrets {
    let loaders = std::mem::take(&mut KNOWN.lock().unwrap_or_else(PoisonError::into_inner).loaders);
    // Outside the lock: a loader reads stores, which remember what they read.
    let loaded: Vec<_> = loaders.into_iter().flat_map(|load| load()).collect();
    remember(&loaded);
    let known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    Secrets::new(known.values.iter().map(|s| s.expose().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_is_replaced_and_short_values_are_ignored() {
        let secrets = Secrets::new(["tok_abcdefgh", "short"]);
        assert_eq!(
            secrets.redact_str("a tok_abcdefgh b tok_abcdefghtok_abcdefgh short"),
            "a <redacted> b <redacted><redacted> short"
        );
        assert!(matches!(secrets.redact_bytes(b"clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_secret_split_across_chunks_is_still_caught() {
        let secret = "jwt_0123456789abcdef";
        let secrets = Secrets::new([secret]);
        let body = format!("{{\"echo\":\"{secret}\",\"n\":1}} and {secret}");
        // Every split point, including inside the secret.
        for cut in 0..body.len() {
            let mut stream = secrets.stream();
            let mut out = stream.push(&body.as_bytes()[..cut]);
            out.extend(stream.push(&body.as_bytes()[cut..]));
            out.extend(stream.finish());
            let text = String::from_utf8(out).unwrap();
            assert!(!text.contains(secret), "cut {cut}: {text}");
            assert_eq!(text.matches(REDACTED).count(), 2, "cut {cut}: {text}");
        }
        // Byte by byte.
        let mut stream = secrets.stream();
        let mut out = Vec::new();
        for b in body.as_bytes() {
            out.extend(stream.push(&[*b]));
        }
        out.extend(stream.finish());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"echo\":\"<redacted>\",\"n\":1} and <redacted>"
        );
    }

    #[test]
    fn a_prefix_that_does_not_complete_is_released() {
        let secrets = Secrets::new(["secret_value_1"]);
        let mut stream = secrets.stream();
        let mut out = stream.push(b"x secret_val");
        assert_eq!(out, b"x ");
        out.extend(stream.push(b"ue_2 y"));
        out.extend(stream.finish());
        assert_eq!(out, b"x secret_value_2 y");
    }

    #[test]
    fn json_escaped_forms_are_caught_whole_and_across_chunks() {
        let secret = "sk_live/0123456789";
        let secrets = Secrets::new([secret]);
        let escaped = r#"{"echo":"\u0073k_live\/0123\u00345678\u0039"}"#;
        assert_eq!(secrets.redact_str(escaped), r#"{"echo":"<redacted>"}"#);
        let upper = r#"\u0053k_live/0123456789"#;
        assert_eq!(secrets.redact_str(upper), upper, "a different character");
        for cut in 0..escaped.len() {
            let mut stream = secrets.stream();
            let mut out = stream.push(&escaped.as_bytes()[..cut]);
            out.extend(stream.push(&escaped.as_bytes()[cut..]));
            out.extend(stream.finish());
            assert_eq!(
                String::from_utf8(out).unwrap(),
                r#"{"echo":"<redacted>"}"#,
                "cut {cut}"
            );
        }
    }

    #[test]
    fn json_strings_and_keys_at_any_depth() {
        let secrets = Secrets::new(["rk_0123456789"]);
        let value = serde_json::json!({"a": ["x rk_0123456789 y", {"rk_0123456789": 1}], "n": 2});
        let redacted = secrets.redact_json(&value);
        assert!(
            !redacted.to_string().contains("rk_0123456789"),
            "{redacted}"
        );
        assert_eq!(redacted["n"], 2);
    }
}
