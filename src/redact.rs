//! Stored secret values taken out of what leaves agentcred for a reader that must not hold
//! them: the responses the credential gateway passes to a child, and MCP tool results.
//!
//! Contract (§10): no response the gateway forwards and no tool result carries a value the
//! profile holds in its store. Unlike the `-v` traces (which redact by field name), this
//! redacts by value: every occurrence of every known secret, wherever it sits (a header, a
//! JSON field of any name, an error message that echoes a token), is replaced by
//! [`REDACTED`]. Bodies are redacted as they stream, holding back only the few bytes at a
//! chunk's end that could be the start of a secret continuing in the next chunk.

use std::borrow::Cow;

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

    /// The secret that starts at the beginning of `bytes`, if any.
    fn match_at(&self, bytes: &[u8]) -> Option<usize> {
        self.values
            .iter()
            .find(|s| bytes.starts_with(s))
            .map(Vec::len)
    }

    /// Whether `tail` (cut short by the end of a chunk) could be the start of a secret.
    fn could_start(&self, tail: &[u8]) -> bool {
        self.values
            .iter()
            .any(|s| s.len() > tail.len() && s.starts_with(tail))
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
        let longest = self.secrets.longest();
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
