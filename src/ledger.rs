//! The spending ledger of a profile's policy: amounts reserved before a money request is
//! forwarded and settled by its answer.
//!
//! # Where
//!
//! - A profile on this host: `DATA/ledger/PROFILE.json` (0600, written atomically), changed only
//!   under the lock `LOCKS/ledger-PROFILE.lock`, so every gateway and MCP process of the host
//!   sees every reservation, and a restart loses none.
//! - A vault profile: the `ledger` part of its shared document, changed with check-and-set
//!   ([`crate::store::SharedProfile::update_part`]) like the refresh lease, so every host
//!   counts against the same window.
//!
//! # Rules
//!
//! - [`Ledger::reserve`] adds a reservation only if everything counted in the window (spent
//!   and still-reserved amounts younger than the window's length) plus the new amount stays
//!   within the `window` cap; the check and the write are one step under the lock (or one
//!   check-and-set), so N concurrent requests that together exceed the cap are never all
//!   admitted.
//! - [`Ledger::settle`]: a 2xx answer keeps the reservation as spent; anything else (an error,
//!   no answer) releases it.
//! - A reservation never settled (its gateway was killed mid-request) stops counting
//!   `reservation_expiry` after it was made (default 2 minutes, `[spend] reservation_expiry`).
//! - Entries older than the window are dropped on the next write.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::paths::Paths;
use crate::policy::Spend;
use crate::store::SecretStore;

const LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// The part of a vault document that holds the ledger.
const PART: &str = "ledger";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Book {
    #[serde(default)]
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    id: String,
    /// Atomic units, as a decimal string.
    amount: String,
    /// Unix milliseconds.
    at_ms: i64,
    spent: bool,
    /// Unix milliseconds after which an unsettled reservation stops counting.
    expires_at_ms: i64,
}

impl Entry {
    fn atomic(&self) -> i128 {
        self.amount.parse().unwrap_or(0)
    }

    fn counts(&self, now: i64, window_ms: i64) -> bool {
        self.at_ms > now - window_ms && (self.spent || self.expires_at_ms > now)
    }
}

impl Book {
    fn counted(&self, now: i64, window_ms: i64) -> (i128, i128) {
        let mut spent = 0;
        let mut reserved = 0;
        for entry in self.entries.iter().filter(|e| e.counts(now, window_ms)) {
            if entry.spent {
                spent += entry.atomic();
            } else {
                reserved += entry.atomic();
            }
        }
        (spent, reserved)
    }

    fn prune(&mut self, now: i64, window_ms: i64) {
        self.entries.retain(|e| e.counts(now, window_ms));
    }
}

/// A reservation made by [`Ledger::reserve`], to settle.
#[derive(Debug, Clone)]
pub struct Reservation {
    pub id: String,
    pub amount: i128,
}

/// What the window holds now.
#[derive(Debug, Clone, Copy)]
pub struct Totals {
    pub spent: i128,
    pub reserved: i128,
}

enum Backend {
    File { path: PathBuf, lock: PathBuf },
    Shared(Box<dyn SecretStore>),
}

pub struct Ledger {
    backend: Backend,
    profile: String,
    /// One update at a time within the process: the lock (or the check-and-set) then only
    /// has other processes and hosts to contend with, not this one's own connections.
    local: std::sync::Mutex<()>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn window_ms(spend: &Spend) -> i64 {
    i64::try_from(spend.window_length.as_millis()).unwrap_or(i64::MAX / 2)
}

impl Ledger {
    /// The ledger of profile `name`: in `store`'s shared document when the store is shared
    /// between hosts, else on this host.
    pub fn open(paths: &Paths, name: &str, store: Option<Box<dyn SecretStore>>) -> Ledger {
        let backend = match store {
            Some(store) if store.shared().is_some() => Backend::Shared(store),
            _ => Backend::File {
                path: paths.data_dir.join("ledger").join(format!("{name}.json")),
                lock: paths.lock_dir.join(format!("ledger-{name}.lock")),
            },
        };
        Ledger {
            backend,
            profile: name.to_owned(),
            local: std::sync::Mutex::new(()),
        }
    }

    /// Read-modify-write the book in one step; `change` answers whether to write.
    fn update<T>(&self, mut change: impl FnMut(&mut Book) -> (bool, T)) -> Result<T> {
        let _one_at_a_time = self.local.lock().unwrap_or_else(|p| p.into_inner());
        match &self.backend {
            Backend::File { path, lock } => {
                let _lock = FileLock::acquire(lock, LOCK_TIMEOUT)
                    .map_err(|e| crate::profile::lock_error(lock, "the spending ledger", e))?;
                let mut book = read_file(path)?;
                let (write, out) = change(&mut book);
                if write {
                    let text = serde_json::to_vec(&book).map_err(|e| {
                        Error::internal(format!("cannot encode the spending ledger: {e}"))
                    })?;
                    fsutil::write_private(path, &text).map_err(|e| {
                        Error::usage(format!(
                            "cannot write the spending ledger {}: {e}",
                            path.display()
                        ))
                        .with_hint("check that the data directory is yours and writable")
                    })?;
                }
                Ok(out)
            }
            Backend::Shared(store) => {
                let shared = store
                    .shared()
                    .ok_or_else(|| Error::internal("the shared store went away"))?;
                let mut out = None;
                shared.update_part(PART, &mut |current: Option<&Value>| {
                    let mut book: Book = current
                        .and_then(|v| serde_json::from_value(v.clone()).ok())
                        .unwrap_or_default();
                    let (write, result) = change(&mut book);
                    out = Some(result);
                    if write {
                        serde_json::to_value(&book).ok()
                    } else {
                        None
                    }
                })?;
                out.ok_or_else(|| Error::internal("the spending ledger was not read"))
            }
        }
    }

    /// Reserve `amount` under `spend`'s window cap: `Ok(Err(message))` when it does not fit.
    pub fn reserve(
        &self,
        amount: i128,
        spend: &Spend,
    ) -> Result<std::result::Result<Reservation, String>> {
        let id = format!("rsv_{:016x}", fastrand::u64(..));
        let window = window_ms(spend);
        let expiry = i64::try_from(spend.reservation_expiry.as_millis()).unwrap_or(i64::MAX / 2);
        self.update(|book| {
            let now = now_ms();
            book.prune(now, window);
            let (spent, reserved) = book.counted(now, window);
            if let Some(cap) = spend.window
                && spent + reserved + amount > cap
            {
                let message = format!(
                    "{} would exceed the window cap of {} per {} ({} spent, {} reserved)",
                    spend.amount(amount).human(),
                    spend.amount(cap).human(),
                    crate::duration::human(spend.window_length),
                    spend.amount(spent).human(),
                    spend.amount(reserved).human(),
                );
                return (false, Err(message));
            }
            book.entries.push(Entry {
                id: id.clone(),
                amount: amount.to_string(),
                at_ms: now,
                spent: false,
                expires_at_ms: now.saturating_add(expiry),
            });
            (
                true,
                Ok(Reservation {
                    id: id.clone(),
                    amount,
                }),
            )
        })
    }

    /// Settle a reservation: `kept` (a 2xx answer) records it as spent, otherwise it is freed.
    pub fn settle(&self, reservation: &Reservation, kept: bool, spend: &Spend) -> Result<()> {
        let window = window_ms(spend);
        self.update(|book| {
            let now = now_ms();
            book.prune(now, window);
            match book.entries.iter().position(|e| e.id == reservation.id) {
                Some(at) if kept => book.entries[at].spent = true,
                Some(at) => {
                    book.entries.remove(at);
                }
                // Expired while the request ran, yet the service took it: it was spent.
                None if kept => book.entries.push(Entry {
                    id: reservation.id.clone(),
                    amount: reservation.amount.to_string(),
                    at_ms: now,
                    spent: true,
                    expires_at_ms: now,
                }),
                None => return (false, ()),
            }
            (true, ())
        })
    }

    /// What the window holds now.
    pub fn totals(&self, spend: &Spend) -> Result<Totals> {
        let window = window_ms(spend);
        self.update(|book| {
            let (spent, reserved) = book.counted(now_ms(), window);
            (false, Totals { spent, reserved })
        })
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }
}

fn read_file(path: &std::path::Path) -> Result<Book> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Error::usage(format!(
                "the spending ledger {} is not valid: {e}",
                path.display()
            ))
            .with_hint("it was edited by hand; restore it, or remove it to start the window afresh")
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Book::default()),
        Err(e) => Err(Error::usage(format!(
            "cannot read the spending ledger {}: {e}",
            path.display()
        ))
        .with_hint("check that the data directory is yours and readable")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spend(window: i128, expiry: Duration) -> Spend {
        Spend {
            currency: "USD".into(),
            decimals: 2,
            per_request: None,
            window: Some(window),
            window_length: Duration::from_secs(3600),
            reservation_expiry: expiry,
        }
    }

    #[test]
    fn concurrent_reservations_never_exceed_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        let spend = spend(1000, Duration::from_secs(60));
        let admitted = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let ledger = Ledger::open(&paths, "p", None);
                    for _ in 0..5 {
                        if ledger.reserve(100, &spend).unwrap().is_ok() {
                            admitted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                });
            }
        });
        assert_eq!(admitted.into_inner(), 10);
        let ledger = Ledger::open(&paths, "p", None);
        assert_eq!(ledger.totals(&spend).unwrap().reserved, 1000);
    }

    #[test]
    fn settling_keeps_or_frees_and_stale_reservations_expire() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        let spend = spend(300, Duration::from_millis(200));
        let ledger = Ledger::open(&paths, "p", None);
        let a = ledger.reserve(100, &spend).unwrap().unwrap();
        let b = ledger.reserve(100, &spend).unwrap().unwrap();
        let _stuck = ledger.reserve(100, &spend).unwrap().unwrap();
        assert!(ledger.reserve(1, &spend).unwrap().is_err());
        ledger.settle(&a, true, &spend).unwrap();
        ledger.settle(&b, false, &spend).unwrap();
        let t = ledger.totals(&spend).unwrap();
        assert_eq!((t.spent, t.reserved), (100, 100));
        std::thread::sleep(Duration::from_millis(300));
        let t = ledger.totals(&spend).unwrap();
        assert_eq!((t.spent, t.reserved), (100, 0), "the stuck one expired");
        assert!(ledger.reserve(200, &spend).unwrap().is_ok());
    }
}
