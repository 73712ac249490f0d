//! The request log: every service request the sandbox received, appended to a file of its own.
//!
//! # Contract
//!
//! The log lives next to the state file, as `<state file>.requests` (JSON lines, mode 0600),
//! so that recording a request never rewrites the emulated world: an append is one `write` of
//! one line under the log's own short cross-process lock (`<state file>.requests.lock`), and
//! any number of processes serving one state file (`sandbox serve` and the embedded sandbox of
//! every `--sandbox` command) append to it safely. Every request gets a `seq` one above the
//! last one logged, across processes; it is never reset, so tests can use it as a cursor.
//!
//! The file's first line may be a header, `{"header":{"seq":N,"counts":{...}}}`: the `seq` of
//! the last request no longer in the file (0 when none), and the counts of the requests no
//! longer in the file. Every other line is one [`RequestRecord`]. What a reader sees:
//!
//! - the log: the last [`REQUEST_LOG_LIMIT`] records;
//! - the counts per `"METHOD /full/path"`: the header's plus those of every record in the file.
//!
//! When the file outgrows [`COMPACT_BYTES`], the appender that notices rewrites it (atomically,
//! under the lock) down to a header and the newest records; clearing writes a header only.
//! Readers take no lock: appends are whole lines and rewrites are renames, and a last line
//! without its newline (a write in progress, or torn by a crash) is ignored; the next append
//! starts a new line after it.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use agentcred_core::fsutil::{FileLock, write_private_volatile};
use serde::{Deserialize, Serialize};

use super::persist::{LOCK_TIMEOUT, REQUEST_LOG_LIMIT, RequestRecord, StateError};

/// A log file longer than this is compacted by the next append.
pub const COMPACT_BYTES: u64 = 2 * 1024 * 1024;

/// What a compaction keeps at most, in bytes (and at most [`REQUEST_LOG_LIMIT`] records).
const KEEP_BYTES: usize = 1024 * 1024;

/// The request log of one state file.
#[derive(Debug)]
pub struct RequestLog {
    path: PathBuf,
    lock_path: PathBuf,
    /// Where this process's last append left the file: threads of one process queue here
    /// (not on the file lock's polling), and an append that finds the file as this process
    /// left it needs no read to know the last `seq`.
    cursor: Mutex<Option<Cursor>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    dev: u64,
    ino: u64,
    len: u64,
    last_seq: u64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
struct Header {
    seq: u64,
    counts: BTreeMap<String, u64>,
}

#[derive(Serialize, Deserialize)]
struct HeaderLine {
    header: Header,
}

/// Just the numbers of a line, for finding the last `seq` without decoding a whole record.
#[derive(Deserialize)]
struct LineSeq {
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    header: Option<HeaderSeq>,
}

#[derive(Deserialize)]
struct HeaderSeq {
    #[serde(default)]
    seq: u64,
}

/// The log as a reader sees it.
#[derive(Debug, Default)]
pub struct LogView {
    /// The newest [`REQUEST_LOG_LIMIT`] records, oldest first.
    pub requests: Vec<RequestRecord>,
    /// Requests per `"METHOD /full/path"` since the log was last cleared.
    pub counts: BTreeMap<String, u64>,
}

/// The whole file, parsed.
struct Parsed {
    header: Header,
    records: Vec<(RequestRecord, usize)>,
}

impl RequestLog {
    /// The log of the state file at `state_path`.
    pub fn for_state(state_path: &Path) -> RequestLog {
        let with_suffix = |suffix: &str| {
            let mut name = state_path.file_name().unwrap_or_default().to_os_string();
            name.push(suffix);
            state_path.with_file_name(name)
        };
        RequestLog {
            path: with_suffix(".requests"),
            lock_path: with_suffix(".requests.lock"),
            cursor: Mutex::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Log `record` with the next `seq`, which is returned (blocking).
    pub fn append(&self, mut record: RequestRecord) -> Result<u64, StateError> {
        let mut cursor = self.cursor.lock().unwrap_or_else(PoisonError::into_inner);
        let _lock = self.lock()?;
        let (mut file, mut at) = self.open_append()?;
        if at.len > COMPACT_BYTES {
            self.compact()?;
            (file, at) = self.open_append()?;
        }
        let (last_seq, ends_in_newline) = match *cursor {
            Some(known) if (known.dev, known.ino, known.len) == (at.dev, at.ino, at.len) => {
                (known.last_seq, true)
            }
            _ => self.last_seq(&mut file, at.len)?,
        };
        record.seq = last_seq + 1;
        let mut line = Vec::with_capacity(512);
        if !ends_in_newline {
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, &record)
            .map_err(|e| StateError::Internal(e.to_string()))?;
        line.push(b'\n');
        file.write_all(&line).map_err(|e| self.io("write", e))?;
        *cursor = Some(Cursor {
            len: at.len + line.len() as u64,
            last_seq: record.seq,
            ..at
        });
        Ok(record.seq)
    }

    /// The log and the counts (blocking; takes no lock).
    pub fn view(&self) -> Result<LogView, StateError> {
        let parsed = self.parse()?;
        let mut counts = parsed.header.counts;
        for (record, _) in &parsed.records {
            *counts.entry(record.count_key()).or_insert(0) += 1;
        }
        let skip = parsed.records.len().saturating_sub(REQUEST_LOG_LIMIT);
        Ok(LogView {
            requests: parsed
                .records
                .into_iter()
                .skip(skip)
                .map(|(r, _)| r)
                .collect(),
            counts,
        })
    }

    /// Forget the log and the counts; `seq` keeps increasing. Returns how many logged requests
    /// were forgotten (at most [`REQUEST_LOG_LIMIT`]).
    pub fn clear(&self) -> Result<usize, StateError> {
        let mut cursor = self.cursor.lock().unwrap_or_else(PoisonError::into_inner);
        let _lock = self.lock()?;
        let parsed = self.parse()?;
        let last_seq = parsed
            .records
            .last()
            .map_or(parsed.header.seq, |(r, _)| r.seq);
        self.rewrite(
            &Header {
                seq: last_seq,
                counts: BTreeMap::new(),
            },
            &[],
        )?;
        *cursor = None;
        Ok(parsed.records.len().min(REQUEST_LOG_LIMIT))
    }

    /// Rewrite the file down to a header and its newest records (the lock is held).
    fn compact(&self) -> Result<(), StateError> {
        let parsed = self.parse()?;
        let mut kept_bytes = 0;
        let keep = parsed
            .records
            .iter()
            .rev()
            .take(REQUEST_LOG_LIMIT)
            .take_while(|(_, size)| {
                kept_bytes += size;
                kept_bytes <= KEEP_BYTES
            })
            .count();
        let (dropped, kept) = parsed.records.split_at(parsed.records.len() - keep);
        let mut header = parsed.header;
        for (record, _) in dropped {
            *header.counts.entry(record.count_key()).or_insert(0) += 1;
            header.seq = header.seq.max(record.seq);
        }
        self.rewrite(&header, kept)
    }

    fn rewrite(
        &self,
        header: &Header,
        records: &[(RequestRecord, usize)],
    ) -> Result<(), StateError> {
        let encode = |e: serde_json::Error| StateError::Internal(e.to_string());
        let mut bytes = serde_json::to_vec(&HeaderLine {
            header: header.clone(),
        })
        .map_err(encode)?;
        bytes.push(b'\n');
        for (record, _) in records {
            serde_json::to_writer(&mut bytes, record).map_err(encode)?;
            bytes.push(b'\n');
        }
        write_private_volatile(&self.path, &bytes).map_err(|e| self.io("write", e))
    }

    /// Every complete line of the file; a missing file is an empty log.
    fn parse(&self) -> Result<Parsed, StateError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(self.io("read", e)),
        };
        let mut parsed = Parsed {
            header: Header::default(),
            records: Vec::new(),
        };
        // The part after the last newline is a line still being written (or torn): skipped.
        let complete = bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(&[][..], |end| &bytes[..end]);
        for (index, line) in complete.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if index == 0 && line.starts_with(br#"{"header":"#) {
                parsed.header = serde_json::from_slice::<HeaderLine>(line)
                    .map_err(|e| self.corrupt(&e))?
                    .header;
                continue;
            }
            // A line torn by a crash, completed by the newline the next append put first.
            if let Ok(record) = serde_json::from_slice::<RequestRecord>(line) {
                parsed.records.push((record, line.len() + 1));
            }
        }
        Ok(parsed)
    }

    /// The `seq` of the last request in the file, and whether the file ends with a newline.
    fn last_seq(&self, file: &mut File, len: u64) -> Result<(u64, bool), StateError> {
        if len == 0 {
            return Ok((0, true));
        }
        let mut chunk: u64 = 8192;
        loop {
            let start = len.saturating_sub(chunk);
            let mut tail = Vec::with_capacity((len - start) as usize);
            file.seek(SeekFrom::Start(start))
                .and_then(|_| file.take(len - start).read_to_end(&mut tail))
                .map_err(|e| self.io("read", e))?;
            let ends_in_newline = tail.last() == Some(&b'\n');
            // Complete lines only, newest first; the first line of a partial chunk may be cut.
            let complete = match tail.iter().rposition(|&b| b == b'\n') {
                Some(end) => &tail[..end],
                None => &[][..],
            };
            let mut lines: Vec<&[u8]> = complete.split(|&b| b == b'\n').collect();
            if start > 0 && !lines.is_empty() {
                lines.remove(0);
            }
            for line in lines.iter().rev() {
                if let Ok(seq) = serde_json::from_slice::<LineSeq>(line) {
                    match (seq.seq, seq.header) {
                        (Some(seq), _) => return Ok((seq, ends_in_newline)),
                        (None, Some(header)) => return Ok((header.seq, ends_in_newline)),
                        (None, None) => {}
                    }
                }
            }
            if start == 0 {
                return Ok((0, ends_in_newline));
            }
            chunk *= 4;
        }
    }

    /// The file opened for appending, and where it stands.
    fn open_append(&self) -> Result<(File, Cursor), StateError> {
        let mut options = OpenOptions::new();
        options.create(true).append(true).read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&self.path).map_err(|e| self.io("open", e))?;
        let meta = file.metadata().map_err(|e| self.io("inspect", e))?;
        Ok((
            file,
            Cursor {
                dev: file_dev(&meta),
                ino: file_ino(&meta),
                len: meta.len(),
                last_seq: 0,
            },
        ))
    }

    fn lock(&self) -> Result<FileLock, StateError> {
        FileLock::acquire(&self.lock_path, LOCK_TIMEOUT).map_err(|e| {
            if e.kind() == std::io::ErrorKind::TimedOut {
                StateError::Busy(format!(
                    "the sandbox request log {} is locked by another process",
                    self.path.display()
                ))
            } else {
                StateError::Io(format!(
                    "cannot lock the sandbox request log {}: {e}",
                    self.lock_path.display()
                ))
            }
        })
    }

    fn io(&self, what: &str, e: std::io::Error) -> StateError {
        StateError::Io(format!(
            "cannot {what} the sandbox request log {}: {e}",
            self.path.display()
        ))
    }

    fn corrupt(&self, e: &serde_json::Error) -> StateError {
        StateError::Corrupt(format!(
            "the sandbox request log {} is not valid ({e}); move it away to start afresh",
            self.path.display()
        ))
    }
}

#[cfg(unix)]
pub(crate) fn file_dev(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::dev(meta)
}

#[cfg(unix)]
pub(crate) fn file_ino(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
pub(crate) fn file_dev(_meta: &std::fs::Metadata) -> u64 {
    0
}

#[cfg(not(unix))]
pub(crate) fn file_ino(_meta: &std::fs::Metadata) -> u64 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &str) -> RequestRecord {
        RequestRecord {
            method: "GET".into(),
            path: path.into(),
            ..RequestRecord::default()
        }
    }

    #[test]
    fn appends_number_and_count_across_log_values_of_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let a = RequestLog::for_state(&state);
        let b = RequestLog::for_state(&state);
        assert_eq!(a.append(record("/x")).unwrap(), 1);
        assert_eq!(
            b.append(record("/y")).unwrap(),
            2,
            "b reads where a left off"
        );
        assert_eq!(a.append(record("/x")).unwrap(), 3, "a sees b's append");
        let view = a.view().unwrap();
        let seqs: Vec<u64> = view.requests.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
        assert_eq!(view.counts["GET /x"], 2);
        assert_eq!(view.counts["GET /y"], 1);

        assert_eq!(b.clear().unwrap(), 3);
        let view = a.view().unwrap();
        assert!(view.requests.is_empty() && view.counts.is_empty());
        assert_eq!(a.append(record("/x")).unwrap(), 4, "seq is never reset");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(a.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_the_next_append_starts_a_new_line() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let log = RequestLog::for_state(&state);
        log.append(record("/x")).unwrap();
        let mut file = OpenOptions::new().append(true).open(log.path()).unwrap();
        file.write_all(br#"{"seq":2,"method":"GE"#).unwrap();
        assert_eq!(log.view().unwrap().requests.len(), 1);
        let other = RequestLog::for_state(&state);
        assert_eq!(other.append(record("/y")).unwrap(), 2);
        let view = other.view().unwrap();
        let paths: Vec<&str> = view.requests.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/x", "/y"]);
    }

    #[test]
    fn the_log_is_bounded_but_counts_and_seq_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let log = RequestLog::for_state(&state);
        let big = "b".repeat(2000);
        let total = 2 * COMPACT_BYTES as usize / 2000 + 10;
        for i in 0..total {
            let mut r = record(if i % 2 == 0 { "/even" } else { "/odd" });
            r.body = serde_json::Value::String(big.clone());
            log.append(r).unwrap();
        }
        let len = std::fs::metadata(log.path()).unwrap().len();
        assert!(len <= COMPACT_BYTES + 4096, "compacted: {len}");
        let view = RequestLog::for_state(&state).view().unwrap();
        assert!(view.requests.len() <= REQUEST_LOG_LIMIT);
        assert_eq!(view.requests.last().unwrap().seq, total as u64);
        let seqs: Vec<u64> = view.requests.iter().map(|r| r.seq).collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
        assert_eq!(
            view.counts["GET /even"] + view.counts["GET /odd"],
            total as u64
        );
    }

    #[test]
    fn concurrent_appenders_get_distinct_seqs() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        std::thread::scope(|scope| {
            for _ in 0..4 {
                let state = &state;
                scope.spawn(move || {
                    // Each thread has its own log value, as separate processes would.
                    let log = RequestLog::for_state(state);
                    for _ in 0..50 {
                        log.append(record("/c")).unwrap();
                    }
                });
            }
        });
        let view = RequestLog::for_state(&state).view().unwrap();
        let mut seqs: Vec<u64> = view.requests.iter().map(|r| r.seq).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=200).collect::<Vec<u64>>());
        assert_eq!(view.counts["GET /c"], 200);
    }
}
