//! The audit log: an append-only, hash-chained record of every release and use of a
//! credential, written by agentcred itself (never by the agent it serves).
//!
//! # Where and what
//!
//! `DATA/audit.jsonl` ([`log_path`]), mode 0600, one JSON object per line:
//!
//! ```json
//! {"seq":12,"ts":"2026-12-06T12:00:00.123Z","event":"request","profile":"px",
//!  "method":"POST","endpoint":"api","path":"/v1/agents/ag_1/cards","status":201,
//!  "decision":"allow","rule":"POST api:/v1/agents/*/cards","amount":{...},
//!  "prev":"<sha256 hex of the previous entry>","hash":"<sha256 hex of this entry>"}
//! ```
//!
//! `seq` counts from 1 across every file of the log; `prev` is the previous entry's `hash`
//! (64 zeros for the first entry); `hash` is the SHA-256 of the entry's own JSON text written
//! without its `hash` field (keys in the order written). An edited byte changes that entry's
//! hash; a removed or reordered entry breaks `seq` and `prev` at the line where it happened, so
//! [`verify`] names the first bad line.
//!
//! Events: `token`, `refresh`, `exec_start`, `exec_end`, `request` (the gateway and the MCP
//! `request` tool, with the policy's decision), `approval_requested`, `approval_given`,
//! `approval_denied`, `approval_used`, `policy_set`, and those other modules add (`freeze`).
//! No entry ever holds a secret value: callers pass what was done, never with what.
//!
//! # Concurrency
//!
//! An append takes a process-wide mutex and then an exclusive lock on `DATA/audit.lock`, reads
//! the last entry of the log, and writes the new line with one `write` call on a file opened for
//! appending, so concurrent writers (many processes, many gateway connections) never interleave
//! or lose entries, and each sees the entry before it. No fsync: an entry is one line, written
//! whole or not at all by one call, and the cost per request stays in microseconds.
//!
//! # Rotation
//!
//! When `audit.jsonl` would grow past [`max_bytes`] (16 MiB, `AGENTCRED_AUDIT_MAX_BYTES`), it is
//! renamed `audit.<FIRST-SEQ>.jsonl` and a new `audit.jsonl` starts; its first entry's `prev` is
//! the last hash of the rotated file, so [`verify`] checks the chain across every file, oldest
//! first. Removing the oldest rotated files is detected as entries missing before the first
//! `seq` found.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Code, Error, Result};
use crate::fsutil::{self, FileLock};
use crate::paths::Paths;

/// The log's file name in the data directory.
pub const FILE_NAME: &str = "audit.jsonl";
/// Overrides the rotation size (bytes).
pub const MAX_BYTES_ENV: &str = "AGENTCRED_AUDIT_MAX_BYTES";
const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;
const LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// The `prev` of the very first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// How much of the log's end is read to find its last entry (grown when a line is longer).
const TAIL_CHUNK: u64 = 1024;

/// Serializes the appends of this process (the file lock serializes processes).
static APPEND: Mutex<()> = Mutex::new(());

/// One entry to append: its event name, its profile, and the event's own fields.
#[derive(Debug, Clone)]
pub struct Event {
    event: String,
    profile: Option<String>,
    fields: Map<String, Value>,
}

impl Event {
    pub fn new(event: impl Into<String>) -> Event {
        Event {
            event: event.into(),
            profile: None,
            fields: Map::new(),
        }
    }

    pub fn profile(mut self, profile: impl Into<String>) -> Event {
        self.profile = Some(profile.into());
        self
    }

    /// Add a field; `null` values are left out.
    pub fn field(mut self, name: &str, value: impl Into<Value>) -> Event {
        let value = value.into();
        if !value.is_null() {
            self.fields.insert(name.to_owned(), value);
        }
        self
    }

    /// The `reason` given with `--reason` / `AGENTCRED_REASON`, if any.
    pub fn reason(self, reason: Option<&str>) -> Event {
        match reason {
            Some(r) if !r.is_empty() => self.field("reason", r),
            _ => self,
        }
    }
}

/// `DATA/audit.jsonl`.
pub fn log_path(paths: &Paths) -> PathBuf {
    paths.data_dir.join(FILE_NAME)
}

fn lock_path(paths: &Paths) -> PathBuf {
    paths.lock_dir.join("audit.lock")
}

/// The rotation size: `AGENTCRED_AUDIT_MAX_BYTES` when it is a positive number, else 16 MiB.
pub fn max_bytes() -> u64 {
    std::env::var(MAX_BYTES_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_MAX_BYTES)
}

/// Append `event` to the log; answers the entry's `seq`.
pub fn append(paths: &Paths, event: Event) -> Result<u64> {
    append_rotating_at(paths, event, max_bytes())
}

fn append_rotating_at(paths: &Paths, event: Event, max_bytes: u64) -> Result<u64> {
    let _inside = APPEND.lock().unwrap_or_else(|p| p.into_inner());
    let lock = lock_path(paths);
    let _lock = FileLock::acquire(&lock, LOCK_TIMEOUT).map_err(|e| local(&lock, "lock", &e))?;
    let path = log_path(paths);
    let last = last_entry(paths).map_err(|e| local(&path, "read", &e))?;
    let (seq, prev) = match &last {
        Some(last) => (last.seq + 1, last.hash.clone()),
        None => (1, GENESIS.to_owned()),
    };
    let line = render(seq, &prev, event);
    let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    if size > 0 && size + line.len() as u64 + 1 > max_bytes {
        rotate(&path).map_err(|e| local(&path, "rotate", &e))?;
    }
    write_line(&path, &line).map_err(|e| local(&path, "write", &e))?;
    Ok(seq)
}

/// The entry's line: its fields in a fixed order, then `prev`, then `hash` over all before it.
fn render(seq: u64, prev: &str, event: Event) -> String {
    let mut entry = Map::new();
    entry.insert("seq".into(), seq.into());
    entry.insert(
        "ts".into(),
        crate::timefmt::from_unix_millis(now_millis()).into(),
    );
    entry.insert("event".into(), event.event.into());
    if let Some(profile) = event.profile {
        entry.insert("profile".into(), profile.into());
    }
    for (name, value) in event.fields {
        if !matches!(
            name.as_str(),
            "seq" | "ts" | "event" | "profile" | "prev" | "hash"
        ) {
            entry.insert(name, value);
        }
    }
    entry.insert("prev".into(), prev.into());
    let hash = hash_of(&entry);
    entry.insert("hash".into(), hash.into());
    Value::Object(entry).to_string()
}

fn hash_of(entry_without_hash: &Map<String, Value>) -> String {
    let text = serde_json::to_string(entry_without_hash).unwrap_or_default();
    hex(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref())
}

/// The SHA-256 of `bytes`, hex (a request body's digest, for approvals and the log).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn write_line(path: &Path, line: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fsutil::create_private_dir(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    file.write_all(&bytes)
}

/// Rename the full log to `audit.<FIRST-SEQ>.jsonl`; the next append starts a new one.
fn rotate(path: &Path) -> std::io::Result<()> {
    let mut first = String::new();
    File::open(path)?
        .take(64 * 1024)
        .read_to_string(&mut first)?;
    let seq = first
        .lines()
        .next()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .and_then(|v| v["seq"].as_u64())
        .unwrap_or(0);
    let rotated = path.with_file_name(format!("audit.{seq:012}.jsonl"));
    fs::rename(path, rotated)
}

/// The last entry's `seq` and `hash`.
struct Last {
    seq: u64,
    hash: String,
}

/// The log's last entry: in `audit.jsonl`, or (right after a rotation) in the newest rotated
/// file.
fn last_entry(paths: &Paths) -> std::io::Result<Option<Last>> {
    // The current file first: a directory scan only right after a rotation.
    let current = log_path(paths);
    let mut found = last_line(&current)?.map(|line| (current, line));
    if found.is_none() {
        for file in rotated_files(paths)?.into_iter().rev() {
            if let Some(line) = last_line(&file)? {
                found = Some((file, line));
                break;
            }
        }
    }
    let Some((file, line)) = found else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(&line).map_err(|_| {
        std::io::Error::other(format!(
            "the last line of {} is not an audit entry; run `agentcred audit verify`",
            file.display()
        ))
    })?;
    Ok(Some(Last {
        seq: value["seq"].as_u64().unwrap_or(0),
        hash: value["hash"].as_str().unwrap_or(GENESIS).to_owned(),
    }))
}

fn last_line(path: &Path) -> std::io::Result<Option<String>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let mut chunk = TAIL_CHUNK;
    loop {
        let start = len.saturating_sub(chunk);
        file.seek(SeekFrom::Start(start))?;
        let mut bytes = Vec::new();
        Read::by_ref(&mut file)
            .take(len - start)
            .read_to_end(&mut bytes)?;
        let trimmed = match bytes.iter().rposition(|b| *b != b'\n') {
            Some(end) => &bytes[..=end],
            None => return Ok(None),
        };
        match trimmed.iter().rposition(|b| *b == b'\n') {
            Some(at) => return Ok(Some(String::from_utf8_lossy(&trimmed[at + 1..]).into())),
            None if start == 0 => return Ok(Some(String::from_utf8_lossy(trimmed).into())),
            None => chunk *= 4,
        }
    }
}

/// The rotated files beside the log, oldest first.
pub fn rotated_files(paths: &Paths) -> std::io::Result<Vec<PathBuf>> {
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    let entries = match fs::read_dir(&paths.data_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(seq) = name
            .strip_prefix("audit.")
            .and_then(|rest| rest.strip_suffix(".jsonl"))
            .and_then(|seq| seq.parse::<u64>().ok())
        {
            found.push((seq, entry.path()));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, path)| path).collect())
}

/// Every file of the log, oldest first (rotated ones, then `audit.jsonl` if it exists).
pub fn files(paths: &Paths) -> Result<Vec<PathBuf>> {
    let mut files =
        rotated_files(paths).map_err(|e| local(&paths.data_dir, "list the audit files in", &e))?;
    let current = log_path(paths);
    if current.exists() {
        files.push(current);
    }
    Ok(files)
}

/// Every entry of the log, oldest first (unverified; `audit verify` checks them).
pub fn read_all(paths: &Paths) -> Result<Vec<Value>> {
    let mut entries = Vec::new();
    for file in files(paths)? {
        let text = fs::read_to_string(&file).map_err(|e| local(&file, "read", &e))?;
        entries.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .filter_map(|l| serde_json::from_str::<Value>(l).ok()),
        );
    }
    Ok(entries)
}

/// What [`verify`] found.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Verified {
    /// Entries checked.
    pub entries: u64,
    /// Files checked, oldest first.
    pub files: Vec<String>,
}

/// Check every entry of every file: each parses, its hash is its own, its `seq` follows the
/// previous one and its `prev` is the previous entry's hash. The first bad line is named by
/// its file and line number (exit 8, code `audit_broken`).
pub fn verify(paths: &Paths) -> Result<Verified> {
    let files = files(paths)?;
    let mut expected_seq = 1u64;
    let mut prev = GENESIS.to_owned();
    let mut count = 0u64;
    for file in &files {
        let text = fs::read(file).map_err(|e| local(file, "read", &e))?;
        let shown = file.display().to_string();
        for (index, raw) in text.split(|b| *b == b'\n').enumerate() {
            let line_no = index + 1;
            if raw.is_empty() {
                // Only the end of the file may be empty (the last newline).
                if index + 1 == text.split(|b| *b == b'\n').count() {
                    continue;
                }
                return Err(broken(&shown, line_no, "an empty line"));
            }
            let Ok(line) = std::str::from_utf8(raw) else {
                return Err(broken(&shown, line_no, "not UTF-8 text"));
            };
            let Ok(Value::Object(mut entry)) = serde_json::from_str::<Value>(line) else {
                return Err(broken(&shown, line_no, "not a JSON object"));
            };
            let Some(Value::String(hash)) = entry.remove("hash") else {
                return Err(broken(&shown, line_no, "it has no hash"));
            };
            if hash_of(&entry) != hash {
                return Err(broken(
                    &shown,
                    line_no,
                    "its content does not match its hash (the entry was edited)",
                ));
            }
            let seq = entry.get("seq").and_then(Value::as_u64);
            if seq != Some(expected_seq) {
                let why = match seq {
                    Some(seq) if seq > expected_seq && count == 0 => format!(
                        "the log starts at entry {seq}: entries 1 to {} are missing (a rotated file was removed?)",
                        seq - 1
                    ),
                    Some(seq) if seq > expected_seq => format!(
                        "entry {seq} follows entry {} (entries were removed)",
                        expected_seq - 1
                    ),
                    Some(seq) => format!(
                        "entry {seq} follows entry {} (entries were reordered or repeated)",
                        expected_seq - 1
                    ),
                    None => "it has no sequence number".to_owned(),
                };
                return Err(broken(&shown, line_no, &why));
            }
            if entry.get("prev").and_then(Value::as_str) != Some(prev.as_str()) {
                return Err(broken(
                    &shown,
                    line_no,
                    "its link to the previous entry does not match (an entry before it was changed or replaced)",
                ));
            }
            prev = hash;
            expected_seq += 1;
            count += 1;
        }
    }
    Ok(Verified {
        entries: count,
        files: files.iter().map(|f| f.display().to_string()).collect(),
    })
}

fn broken(file: &str, line: usize, why: &str) -> Error {
    Error::coded(
        Code::AuditBroken,
        format!("the audit log is broken at {file} line {line}: {why}"),
    )
    .with_hint(
        "the log was changed after it was written; keep a copy for investigation. New entries \
         still chain from its last line",
    )
}

/// A local file problem: exit 2 with the path (never a secret: only paths and OS errors).
fn local(path: &Path, what: &str, e: &std::io::Error) -> Error {
    Error::usage(format!(
        "cannot {what} the audit log {}: {e}",
        path.display()
    ))
    .with_hint("check that the data directory is yours and writable (AGENTCRED_HOME moves it)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        (dir, paths)
    }

    #[test]
    fn entries_chain_and_verify() {
        let (_dir, paths) = paths();
        for i in 0..5 {
            let seq = append(
                &paths,
                Event::new("request").profile("p").field("status", i),
            )
            .unwrap();
            assert_eq!(seq, i + 1);
        }
        assert_eq!(verify(&paths).unwrap().entries, 5);
        let text = fs::read_to_string(log_path(&paths)).unwrap();
        let lines: Vec<&str> = text.lines().collect();

        // One byte changed in entry 3.
        let edited = text.replacen("\"status\":2", "\"status\":7", 1);
        fs::write(log_path(&paths), &edited).unwrap();
        let err = verify(&paths).unwrap_err();
        assert_eq!(err.code(), Code::AuditBroken);
        assert!(err.message.contains("line 3"), "{}", err.message);

        // Entry 2 removed.
        let removed = [lines[0], lines[2], lines[3], lines[4]].join("\n") + "\n";
        fs::write(log_path(&paths), removed).unwrap();
        assert!(verify(&paths).unwrap_err().message.contains("line 2"));

        // Entries 4 and 5 swapped.
        let swapped = [lines[0], lines[1], lines[2], lines[4], lines[3]].join("\n") + "\n";
        fs::write(log_path(&paths), swapped).unwrap();
        assert!(verify(&paths).unwrap_err().message.contains("line 4"));
    }

    #[test]
    fn rotation_keeps_the_chain_across_files() {
        let (_dir, paths) = paths();
        // Small enough that every three entries rotate.
        let line = render(1, GENESIS, Event::new("token").profile("p"));
        let limit = (line.len() as u64 + 1) * 3;
        for _ in 0..10 {
            append_rotating_at(&paths, Event::new("token").profile("p"), limit).unwrap();
        }
        assert!(rotated_files(&paths).unwrap().len() >= 2);
        assert_eq!(verify(&paths).unwrap().entries, 10);
        assert_eq!(read_all(&paths).unwrap().len(), 10);
        // The oldest file removed: detected.
        fs::remove_file(&rotated_files(&paths).unwrap()[0]).unwrap();
        assert!(verify(&paths).unwrap_err().message.contains("missing"));
    }

    #[test]
    fn concurrent_appends_never_interleave() {
        let (_dir, paths) = paths();
        std::thread::scope(|s| {
            for t in 0..8 {
                let paths = &paths;
                s.spawn(move || {
                    for i in 0..25 {
                        append(paths, Event::new("request").field("n", t * 100 + i)).unwrap();
                    }
                });
            }
        });
        assert_eq!(verify(&paths).unwrap().entries, 200);
    }
}
