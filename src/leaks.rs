//! Finding stored secret values in files (`agentcred leaks scan`).
//!
//! Contract:
//! - Every value is looked for as it is and in the encodings it takes on its way into logs and
//!   transcripts: JSON-escaped, percent-encoded (upper- and lower-case hex, and the form
//!   encoding with `+` for a space), and base64, standard and URL-safe. Each becomes one or more
//!   patterns of one Aho-Corasick automaton, so a file is read once whatever the number of
//!   values.
//! - Base64 text of a value depends on where the value starts in the encoded data: three
//!   alignments (0, 1 or 2 bytes before it in its 3-byte group) give three different encodings.
//!   Each alignment is a pattern of its own, cut down to the characters that depend on the value
//!   alone (the first 0, 2 or 3 characters, and the last one when the value does not end a
//!   group, also carry bits of the neighbouring bytes). A match of such a cut pattern is then
//!   decoded in place and kept only if the value's bytes are all there, so a value that differs
//!   in the bits the cut left out (a decoy one character off) is not reported.
//! - Files are streamed in chunks with an overlap of the longest pattern (and the few
//!   characters the base64 check looks at), so a match across a chunk boundary is found once.
//!   Line numbers count `\n` bytes before the match. A file with a NUL byte in its first 8 KiB
//!   is binary and skipped, as grep does.
//! - Gateway tokens are looked for by their shape, since no process but a running gateway
//!   holds one: `agw_` and 43 base64url characters, or an unsigned JWT whose issuer is
//!   `agentcred-gateway` (what a gateway hands a child whose tools decode a JWT).
//! - Nothing here prints or returns a value: a [`Finding`] names the needle by index.

use std::io::Read;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// Values shorter than this are not looked for: they would match everywhere.
pub const MIN_VALUE_LEN: usize = 8;
/// How much is read at a time.
const CHUNK: usize = 1 << 20;
/// How far into a file a NUL byte makes it binary.
const BINARY_PROBE: usize = 8 * 1024;
/// Context kept around a chunk boundary for the base64 check, beyond the longest pattern.
const MARGIN: usize = 16;
/// How far past its start a gateway-token shape is read to check it.
const SHAPE_SPAN: usize = 1024;
/// A plain gateway token: this prefix and the base64url of 32 random bytes.
const GATEWAY_PREFIX: &str = "agw_";
const GATEWAY_RANDOM_LEN: usize = 43;
/// The issuer of a JWT-shaped gateway token.
const GATEWAY_ISSUER: &str = "agentcred-gateway";

/// One value to look for, and what to call it.
pub struct Needle {
    pub profile: String,
    pub kind: String,
    pub value: Secret<String>,
}

/// How a value appeared.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Literal,
    JsonEscaped,
    PercentEncoded,
    Base64,
    Base64Url,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Literal => "literal",
            Encoding::JsonEscaped => "JSON-escaped",
            Encoding::PercentEncoded => "percent-encoded",
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "base64url",
        }
    }
}

/// What a base64 match must be checked against.
#[derive(Clone, Copy)]
struct Base64Cut {
    url_safe: bool,
    /// Bytes before the value in its first 3-byte group.
    offset: usize,
    /// Characters cut from the front of the encoding.
    skip: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Index into the needles.
    Value(usize),
    /// A gateway token's prefix (`agw_`).
    GatewayPrefix,
    /// An unsigned JWT's header (`{"alg":"none","typ":"JWT"}`) and its dot.
    UnsignedJwt,
}

struct Pattern {
    source: Source,
    encoding: Encoding,
    cut: Option<Base64Cut>,
}

/// A value found in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// 1-based.
    pub line: u64,
    /// Index into the needles the scanner was built from; `None` for a gateway token.
    pub needle: Option<usize>,
    pub encoding: Encoding,
}

/// The outcome of scanning one file.
pub enum FileScan {
    Scanned(Vec<Finding>),
    Binary,
}

/// The newlines of a stream counted so far: `lines` of them before absolute offset `to`.
#[derive(Default)]
struct Lines {
    lines: u64,
    to: u64,
}

impl Lines {
    /// Count on up to `buffer[at]`, where `buffer` starts at absolute offset `base` (nothing
    /// to do when that is not past `to`).
    fn count_to(&mut self, buffer: &[u8], base: u64, at: usize) {
        let abs = base + at as u64;
        if abs > self.to {
            let from = (self.to - base) as usize;
            self.lines += memchr::memchr_iter(b'\n', &buffer[from..at]).count() as u64;
            self.to = abs;
        }
    }
}

/// The automaton over every encoding of every value.
pub struct Scanner {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    values: Vec<Vec<u8>>,
    longest: usize,
}

fn lenient(alphabet: &base64::alphabet::Alphabet) -> GeneralPurpose {
    GeneralPurpose::new(
        alphabet,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    )
}

fn engine(url_safe: bool) -> GeneralPurpose {
    if url_safe {
        lenient(&base64::alphabet::URL_SAFE)
    } else {
        lenient(&base64::alphabet::STANDARD)
    }
}

/// The textual encodings of `value` (besides base64), deduplicated, the literal first.
fn text_forms(value: &str) -> Vec<(Encoding, String)> {
    let mut forms = vec![(Encoding::Literal, value.to_owned())];
    let json = serde_json::to_string(value).unwrap_or_default();
    // serde_json writes a string between quotes; the escaped text is what is inside them.
    let json = json
        .strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or_default()
        .to_owned();
    forms.push((Encoding::JsonEscaped, json.clone()));
    if json.contains('/') {
        forms.push((Encoding::JsonEscaped, json.replace('/', "\\/")));
    }
    let percent = |lower: bool, form: bool| {
        let mut out = String::new();
        for byte in value.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    out.push(byte as char)
                }
                b' ' if form => out.push('+'),
                _ if lower => out.push_str(&format!("%{byte:02x}")),
                _ => out.push_str(&format!("%{byte:02X}")),
            }
        }
        out
    };
    for (lower, form) in [(false, false), (true, false), (false, true)] {
        forms.push((Encoding::PercentEncoded, percent(lower, form)));
    }
    let mut seen = std::collections::HashSet::new();
    forms.retain(|(_, text)| seen.insert(text.clone()));
    forms
}

/// The base64 encodings of `value` at each alignment, cut to the characters that depend on
/// the value alone.
fn base64_forms(value: &[u8]) -> Vec<(Encoding, String, Base64Cut)> {
    let mut out = Vec::new();
    for url_safe in [false, true] {
        let encoding = if url_safe {
            Encoding::Base64Url
        } else {
            Encoding::Base64
        };
        for offset in 0..3 {
            let mut data = vec![0u8; offset];
            data.extend_from_slice(value);
            let text = engine(url_safe).encode(&data);
            // The first character holding only value bits: byte `offset` starts at bit 8*offset.
            let skip = (8 * offset).div_ceil(6);
            // The last character holding only value bits, unless the value ends a group.
            let end = if data.len() % 3 == 0 {
                text.len()
            } else {
                (8 * data.len()) / 6
            };
            if end <= skip {
                continue;
            }
            out.push((
                encoding,
                text[skip..end].to_owned(),
                Base64Cut {
                    url_safe,
                    offset,
                    skip,
                },
            ));
        }
    }
    // A value without `+`/`/` in its encodings has the same text in both alphabets.
    let mut seen = std::collections::HashSet::new();
    out.retain(|(_, text, _)| seen.insert(text.clone()));
    out
}

impl Scanner {
    /// A scanner for `needles`; values shorter than [`MIN_VALUE_LEN`] are left out (the
    /// caller says so).
    pub fn new(needles: &[Needle]) -> Result<Scanner> {
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let mut patterns = Vec::new();
        let mut values = Vec::new();
        for (index, needle) in needles.iter().enumerate() {
            let value = needle.value.expose();
            values.push(value.as_bytes().to_vec());
            if value.len() < MIN_VALUE_LEN {
                continue;
            }
            for (encoding, text) in text_forms(value) {
                texts.push(text.into_bytes());
                patterns.push(Pattern {
                    source: Source::Value(index),
                    encoding,
                    cut: None,
                });
            }
            for (encoding, text, cut) in base64_forms(value.as_bytes()) {
                texts.push(text.into_bytes());
                patterns.push(Pattern {
                    source: Source::Value(index),
                    encoding,
                    cut: Some(cut),
                });
            }
        }
        let unsigned_header = format!(
            "{}.",
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(serde_json::json!({"alg": "none", "typ": "JWT"}).to_string())
        );
        for (source, text) in [
            (Source::GatewayPrefix, GATEWAY_PREFIX.to_owned()),
            (Source::UnsignedJwt, unsigned_header),
        ] {
            texts.push(text.into_bytes());
            patterns.push(Pattern {
                source,
                encoding: Encoding::Literal,
                cut: None,
            });
        }
        let longest = texts.iter().map(Vec::len).max().unwrap_or(0) + SHAPE_SPAN;
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&texts)
            .or_else(|_| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&texts)
            })
            .map_err(|e| Error::internal(format!("cannot build the matcher: {e}")))?;
        Ok(Scanner {
            automaton,
            patterns,
            values,
            longest,
        })
    }

    /// Scan one file (streamed); `progress` is told how many bytes were read.
    pub fn scan_file(
        &self,
        path: &Path,
        progress: &mut dyn FnMut(u64),
    ) -> std::io::Result<FileScan> {
        let file = std::fs::File::open(path)?;
        self.scan_reader(file, progress)
    }

    /// Scan a stream; see the module doc for the chunking.
    pub fn scan_reader(
        &self,
        mut reader: impl Read,
        progress: &mut dyn FnMut(u64),
    ) -> std::io::Result<FileScan> {
        let keep = self.longest + 2 * MARGIN;
        let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK + keep);
        // Absolute offset of buffer[0]; matches ending at or before `owned_to` were reported.
        let mut base: u64 = 0;
        let mut owned_to: u64 = 0;
        let mut lines = Lines::default();
        let mut findings = Vec::new();
        let mut first = true;
        loop {
            // Up to CHUNK more bytes, appended without zero-filling room for them first: most
            // files are far smaller than a chunk, and filling 1 MiB for each was most of a
            // scan's time.
            let read = (&mut reader).take(CHUNK as u64).read_to_end(&mut buffer)?;
            progress(read as u64);
            let eof = read == 0 || read < CHUNK;
            if first {
                first = false;
                let probe = &buffer[..buffer.len().min(BINARY_PROBE)];
                if memchr::memchr(0, probe).is_some() {
                    return Ok(FileScan::Binary);
                }
            }
            let end = base + buffer.len() as u64;
            // A match is this buffer's when its checks can read all they need here.
            let own_until = if eof {
                end
            } else {
                end.saturating_sub((MARGIN + SHAPE_SPAN) as u64)
            };
            for (start, needle, pattern) in self.matches(&buffer, base, owned_to..own_until) {
                lines.count_to(&buffer, base, start);
                let finding = Finding {
                    line: lines.lines + 1,
                    needle,
                    encoding: self.patterns[pattern].encoding,
                };
                if !findings.contains(&finding) {
                    findings.push(finding);
                }
            }
            owned_to = own_until;
            if eof {
                break;
            }
            // Keep the tail that a match ending after `owned_to` may start in.
            let cut = buffer.len().saturating_sub(keep);
            lines.count_to(&buffer, base, cut);
            buffer.drain(..cut);
            base += cut as u64;
        }
        findings.sort();
        Ok(FileScan::Scanned(findings))
    }

    /// The matches in `buffer` (which starts at absolute offset `base`) that end in `owned`
    /// (after its start, up to its end) and pass their checks, as `(start in buffer, needle,
    /// pattern)` in order; the needle is `None` for a gateway token.
    fn matches(
        &self,
        buffer: &[u8],
        base: u64,
        owned: std::ops::Range<u64>,
    ) -> Vec<(usize, Option<usize>, usize)> {
        let mut found = Vec::new();
        for m in self.automaton.find_overlapping_iter(buffer) {
            let abs_end = base + m.end() as u64;
            if abs_end <= owned.start || abs_end > owned.end {
                continue;
            }
            let pattern = &self.patterns[m.pattern().as_usize()];
            let needle = match pattern.source {
                Source::Value(needle) => {
                    if let Some(cut) = pattern.cut
                        && !self.base64_holds(buffer, m.start(), needle, cut)
                    {
                        continue;
                    }
                    Some(needle)
                }
                Source::GatewayPrefix if is_gateway_token(&buffer[m.end()..]) => None,
                Source::UnsignedJwt if is_gateway_jwt(&buffer[m.end()..]) => None,
                _ => continue,
            };
            found.push((m.start(), needle, m.pattern().as_usize()));
        }
        found.sort();
        found
    }

    /// Whether the base64 text around a cut pattern's match decodes to the whole value.
    fn base64_holds(&self, buffer: &[u8], start: usize, needle: usize, cut: Base64Cut) -> bool {
        let value = &self.values[needle];
        let Some(group_start) = start.checked_sub(cut.skip) else {
            return false;
        };
        let total = cut.offset + value.len();
        let chars = total.div_ceil(3) * 4;
        let alphabet_char = |b: u8| {
            b.is_ascii_alphanumeric()
                || if cut.url_safe {
                    b == b'-' || b == b'_'
                } else {
                    b == b'+' || b == b'/'
                }
        };
        let mut end = group_start;
        while end < buffer.len() && end < group_start + chars && alphabet_char(buffer[end]) {
            end += 1;
        }
        // A partial last group (the text ends, or padding follows) decodes to fewer bytes.
        let usable = (end - group_start) / 4 * 4
            + match (end - group_start) % 4 {
                0 | 1 => 0,
                rest => rest,
            };
        let Ok(decoded) = engine(cut.url_safe).decode(&buffer[group_start..group_start + usable])
        else {
            return false;
        };
        decoded.len() >= total && &decoded[cut.offset..total] == value.as_slice()
    }
}

fn base64url_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// After `agw_`: exactly the random part of a gateway token.
fn is_gateway_token(rest: &[u8]) -> bool {
    rest.len() >= GATEWAY_RANDOM_LEN
        && rest[..GATEWAY_RANDOM_LEN]
            .iter()
            .all(|b| base64url_char(*b))
        && rest
            .get(GATEWAY_RANDOM_LEN)
            .is_none_or(|b| !base64url_char(*b))
}

/// After an unsigned JWT's header: claims naming the gateway as issuer.
fn is_gateway_jwt(rest: &[u8]) -> bool {
    let len = rest
        .iter()
        .take(SHAPE_SPAN)
        .position(|b| !base64url_char(*b))
        .unwrap_or(rest.len().min(SHAPE_SPAN));
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&rest[..len])
        .ok()
        .and_then(|claims| serde_json::from_slice::<serde_json::Value>(&claims).ok())
        .is_some_and(|claims| claims["iss"] == GATEWAY_ISSUER)
}

/// Every regular file under `paths` (directories walked in name order, symbolic links met
/// while walking not followed, so a link cannot loop or lead out of the tree); what could not be
/// read is reported to `unreadable`.
pub fn files(paths: &[PathBuf], unreadable: &mut dyn FnMut(&Path, std::io::Error)) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut out, unreadable),
            Ok(meta) if meta.is_file() => out.push(path.clone()),
            Ok(_) => {}
            Err(e) => unreadable(path, e),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, unreadable: &mut dyn FnMut(&Path, std::io::Error)) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return unreadable(dir, e),
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, out, unreadable),
            Ok(t) if t.is_file() => out.push(path),
            Ok(_) => {}
            Err(e) => unreadable(&path, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &str = "fxr_live_Q2h1bmt5U2VjcmV0LzEyMw+x";

    fn scanner(values: &[&str]) -> Scanner {
        let needles: Vec<Needle> = values
            .iter()
            .map(|v| Needle {
                profile: "p".into(),
                kind: "k".into(),
                value: Secret::new((*v).to_owned()),
            })
            .collect();
        Scanner::new(&needles).unwrap()
    }

    fn scan(scanner: &Scanner, text: &[u8]) -> Vec<Finding> {
        match scanner.scan_reader(text, &mut |_| {}).unwrap() {
            FileScan::Scanned(f) => f,
            FileScan::Binary => panic!("binary"),
        }
    }

    /// A value with one character changed at `at`.
    fn decoy(value: &str, at: usize) -> String {
        let mut bytes = value.as_bytes().to_vec();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn base64_at_every_alignment_inside_longer_text_is_found() {
        let s = scanner(&[VALUE]);
        for url_safe in [false, true] {
            for prefix in ["", "a", "ab", "abc", "{\"k\":1,"] {
                for suffix in ["", "z", "zz", "zzz", "\"}"] {
                    let data = format!("{prefix}{VALUE}{suffix}");
                    let text = engine(url_safe).encode(data.as_bytes());
                    let line = format!("first line\nhdr: x{text}=\n");
                    let found = scan(&s, line.as_bytes());
                    assert_eq!(
                        found.len(),
                        1,
                        "{prefix:?} {suffix:?} {url_safe}: {found:?}"
                    );
                    assert_eq!(found[0].line, 2);
                }
            }
        }
    }

    #[test]
    fn decoys_one_character_off_are_not_found_in_any_encoding() {
        let s = scanner(&[VALUE]);
        for at in [0, 1, 2, 10, VALUE.len() - 2, VALUE.len() - 1] {
            let d = decoy(VALUE, at);
            for prefix in ["", "a", "ab"] {
                let data = format!("{prefix}{d}");
                for url_safe in [false, true] {
                    let text = engine(url_safe).encode(data.as_bytes());
                    assert!(scan(&s, text.as_bytes()).is_empty(), "{at} {prefix:?}");
                }
            }
            assert!(scan(&s, d.as_bytes()).is_empty());
            assert!(scan(&s, serde_json::to_string(&d).unwrap().as_bytes()).is_empty());
        }
    }

    #[test]
    fn text_encodings_are_found_with_their_lines() {
        let value = "s3cr3t/with spaces+\"quotes\"";
        let s = scanner(&[value]);
        let json = serde_json::to_string(value).unwrap();
        let percent = "s3cr3t%2Fwith%20spaces%2B%22quotes%22";
        let form = "s3cr3t%2Fwith+spaces%2B%22quotes%22";
        let lower = "s3cr3t%2fwith%20spaces%2b%22quotes%22";
        let text = format!("a\nb {value}\n{json}\n\nq={percent}&f={form}\nlower={lower}\n");
        let found = scan(&s, text.as_bytes());
        let lines: Vec<(u64, Encoding)> = found.iter().map(|f| (f.line, f.encoding)).collect();
        assert!(lines.contains(&(2, Encoding::Literal)), "{lines:?}");
        assert!(lines.contains(&(3, Encoding::JsonEscaped)), "{lines:?}");
        assert!(lines.contains(&(5, Encoding::PercentEncoded)), "{lines:?}");
        assert!(lines.contains(&(6, Encoding::PercentEncoded)), "{lines:?}");
    }

    #[test]
    fn a_match_across_a_chunk_boundary_is_found_once_with_its_line() {
        let s = scanner(&[VALUE]);
        for shift in [
            0usize,
            1,
            5,
            VALUE.len() / 2,
            VALUE.len() - 1,
            VALUE.len() + 3,
        ] {
            let mut text = Vec::new();
            let mut lines = 1;
            while text.len() + 100 < CHUNK - shift {
                text.extend_from_slice(
                    b"some log line with nothing in it ......................\n",
                );
                lines += 1;
            }
            text.resize(CHUNK - shift, b'.');
            text.extend_from_slice(VALUE.as_bytes());
            text.extend_from_slice(b"\nmore\n");
            let found = scan(&s, &text);
            assert_eq!(found.len(), 1, "shift {shift}: {found:?}");
            assert_eq!(found[0].line, lines, "shift {shift}");
        }
    }

    #[test]
    fn gateway_tokens_are_found_by_their_shape() {
        let s = scanner(&[VALUE]);
        for jwt_shaped in [false, true] {
            let token = crate::gateway::GatewayToken::generate(jwt_shaped).unwrap();
            let text = format!("x\nexport AGENTCRED_GATEWAY_TOKEN={}\n", token.expose());
            let found = scan(&s, text.as_bytes());
            assert_eq!(found.len(), 1, "{jwt_shaped}: {found:?}");
            assert_eq!((found[0].line, found[0].needle), (2, None));
        }
        // Not the shape: too short, too long, another issuer.
        for text in [
            "agw_short".to_owned(),
            format!("agw_{}", "a".repeat(44)),
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJvdGhlciJ9.".to_owned(),
        ] {
            assert!(scan(&s, text.as_bytes()).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_nul_byte_near_the_start_makes_a_file_binary() {
        let s = scanner(&[VALUE]);
        let mut data = b"\x7fELF\0\0".to_vec();
        data.extend_from_slice(VALUE.as_bytes());
        assert!(matches!(
            s.scan_reader(&data[..], &mut |_| {}).unwrap(),
            FileScan::Binary
        ));
    }
}
