//! Times as RFC 3339 UTC strings, whatever a service sent (docs/cli-contract.md §7).
//!
//! The services disagree: some send unix milliseconds, others (payout and VC APIs)
//! and every JWT `exp` send unix seconds, and the status APIs send ISO-8601 strings
//! (`2026-06-01T00:00:00.000Z`, sometimes with an offset such as `+02:00`). Everything leaves
//! this module as one shape: `2026-04-03T20:00:00Z`, with `.123` milliseconds only when they are
//! not zero.
//!
//! Rules, where the services leave room:
//! - A number `n` with `|n| >= 10^11` is milliseconds, anything smaller is seconds. The two
//!   readings cannot be confused in practice: 10^11 seconds is the year 5138, 10^11
//!   milliseconds is March 1973, and no service here talks about either.
//! - Only integers are times: a JSON number with a fraction (`1.7e9`) is refused rather than
//!   rounded, since every service sends whole seconds or milliseconds.
//! - A string of digits (optionally `-`) is read like the number it spells.
//! - Date-time strings: `YYYY-MM-DD`, `T` (or `t` or a space), `hh:mm:ss`, an optional
//!   fraction of any length (truncated to milliseconds), then `Z`, `z`, `±hh:mm`, `±hhmm`, or
//!   nothing. Nothing means UTC: servers that drop the zone write UTC, and a local-time
//!   reading would make the result depend on the machine running the CLI. A leap second
//!   (`:60`) is read as `:59`.
//! - The range is the one RFC 3339 can write, years 0000 to 9999, proleptic Gregorian; dates
//!   before 1970 are fine. Out-of-range input makes [`normalize`] and [`parse_to_unix_secs`]
//!   return `None`; the infallible formatters saturate at the ends of the range instead.
//!
//! The calendar arithmetic is our own (Howard Hinnant's `days_from_civil`, integers only)
//! rather than humantime's: humantime refuses years before 1970 when parsing, panics on them
//! when formatting, and knows no offsets. The tests check our output against humantime over
//! the range both cover.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// 0000-01-01T00:00:00Z.
const MIN_UNIX_SECS: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z.
const MAX_UNIX_SECS: i64 = 253_402_300_799;
const MIN_UNIX_MILLIS: i64 = MIN_UNIX_SECS * 1000;
const MAX_UNIX_MILLIS: i64 = MAX_UNIX_SECS * 1000 + 999;
/// Numbers at least this large (in absolute value) are milliseconds; see the module doc.
const MILLIS_CUTOFF: u64 = 100_000_000_000;

/// `1775246400` → `"2026-04-03T20:00:00Z"`. Saturates outside years 0000–9999.
pub fn from_unix_secs(secs: i64) -> String {
    from_unix_millis(secs.clamp(MIN_UNIX_SECS, MAX_UNIX_SECS) * 1000)
}

/// `1775246400123` → `"2026-04-03T20:00:00.123Z"`; milliseconds are written only when not
/// zero. Saturates outside years 0000–9999.
pub fn from_unix_millis(ms: i64) -> String {
    // Saturate to whole seconds at the top, so a huge value reads 23:59:59Z, not 23:59:59.999Z.
    format_millis(ms.clamp(MIN_UNIX_MILLIS, MAX_UNIX_SECS * 1000))
}

/// A time as a service sent it (number or string), as RFC 3339 UTC; `None` when it is not a
/// time this module understands (see the module doc), including `null`.
pub fn normalize(value: &Value) -> Option<String> {
    let millis = match value {
        Value::Number(n) => number_to_millis(n.as_i64()?)?,
        Value::String(s) => parse_millis(s)?,
        _ => return None,
    };
    Some(format_millis(millis))
}

/// A time string (RFC 3339 / ISO-8601, or digits read as in [`normalize`]) as unix seconds,
/// rounded down.
pub fn parse_to_unix_secs(s: &str) -> Option<i64> {
    parse_millis(s).map(|ms| ms.div_euclid(1000))
}

/// The current time in unix seconds (negative if the clock is set before 1970).
pub fn now_unix() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Formats a time already known to be within years 0000–9999 (see `in_range`).
fn format_millis(ms: i64) -> String {
    debug_assert!((MIN_UNIX_MILLIS..=MAX_UNIX_MILLIS).contains(&ms));
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let secs_of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (secs_of_day / 3600, secs_of_day / 60 % 60, secs_of_day % 60);
    let fraction = if millis == 0 {
        String::new()
    } else {
        format!(".{millis:03}")
    };
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}Z")
}

fn in_range(ms: i64) -> Option<i64> {
    (MIN_UNIX_MILLIS..=MAX_UNIX_MILLIS)
        .contains(&ms)
        .then_some(ms)
}

fn number_to_millis(n: i64) -> Option<i64> {
    if n.unsigned_abs() >= MILLIS_CUTOFF {
        in_range(n)
    } else {
        // |n| < 10^11, so n * 1000 cannot overflow.
        in_range(n * 1000)
    }
}

fn parse_millis(s: &str) -> Option<i64> {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return number_to_millis(s.parse().ok()?);
    }
    parse_datetime_millis(s.as_bytes())
}

/// `YYYY-MM-DD[Tt ]hh:mm:ss[.fraction][Z|z|±hh:mm|±hhmm]` → unix milliseconds.
fn parse_datetime_millis(b: &[u8]) -> Option<i64> {
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let second = second.min(59);

    let mut rest = &b[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        // Only the first three digits count; the rest is truncated (times round down).
        let mut padded = [b'0'; 3];
        let kept = len.min(3);
        padded[..kept].copy_from_slice(&fraction[..kept]);
        millis = digits(&padded)?;
        rest = &fraction[len..];
    }

    let offset_minutes = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 60 + minutes;
            if *sign == b'-' { -total } else { total }
        }
        _ => return None,
    };

    let local_secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    // A local time of +02:00 is two hours ahead of UTC: subtract the offset.
    let utc_secs = local_secs - offset_minutes * 60;
    in_range(utc_secs * 1000 + millis)
}

/// ASCII digits → their value; `None` for anything else. Callers pass at most four digits.
fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`). Shifting
/// the year to start in March puts the leap day last, so month lengths follow a fixed pattern.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400; // [0, 399]
    let shifted_month = if month > 2 { month - 3 } else { month + 9 }; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1; // [0, 365]
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097; // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    #[test]
    fn seconds_and_millis_format_as_rfc3339_utc() {
        assert_eq!(from_unix_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(from_unix_secs(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(from_unix_secs(1_775_246_400), "2026-04-03T20:00:00Z");
        assert_eq!(from_unix_millis(1_781_222_400_000), "2026-06-12T00:00:00Z");
        assert_eq!(
            from_unix_millis(1_775_246_400_123),
            "2026-04-03T20:00:00.123Z"
        );
        assert_eq!(
            from_unix_millis(1_775_246_400_005),
            "2026-04-03T20:00:00.005Z"
        );
        assert_eq!(
            from_unix_millis(1_775_246_400_100),
            "2026-04-03T20:00:00.100Z"
        );
    }

    #[test]
    fn before_1970_counts_backwards() {
        assert_eq!(from_unix_secs(-1), "1969-12-31T23:59:59Z");
        assert_eq!(from_unix_millis(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(from_unix_secs(-86_400 * 365), "1969-01-01T00:00:00Z");
        assert_eq!(from_unix_secs(-2_208_988_800), "1900-01-01T00:00:00Z");
        assert_eq!(from_unix_secs(MIN_UNIX_SECS), "0000-01-01T00:00:00Z");
        assert_eq!(parse_to_unix_secs("1969-12-31T23:59:59Z"), Some(-1));
        assert_eq!(parse_to_unix_secs("1969-12-31T23:59:59.5Z"), Some(-1));
        assert_eq!(
            parse_to_unix_secs("0000-01-01T00:00:00Z"),
            Some(MIN_UNIX_SECS)
        );
        assert_eq!(parse_to_unix_secs("1900-02-29T00:00:00Z"), None); // not a leap year
        assert_eq!(
            parse_to_unix_secs("2000-02-29T00:00:00Z"),
            Some(951_782_400)
        );
    }

    #[test]
    fn formatters_saturate_instead_of_panicking() {
        assert_eq!(from_unix_secs(MAX_UNIX_SECS), "9999-12-31T23:59:59Z");
        assert_eq!(from_unix_secs(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(from_unix_secs(i64::MIN), "0000-01-01T00:00:00Z");
        assert_eq!(from_unix_millis(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(from_unix_millis(i64::MIN), "0000-01-01T00:00:00Z");
    }

    #[test]
    fn normalize_numbers_by_magnitude() {
        let cases = [
            (json!(1_781_222_400_000_i64), "2026-06-12T00:00:00Z"),
            (json!(1_700_000_000), "2023-11-14T22:13:20Z"),
            (json!(1_775_246_400_123_i64), "2026-04-03T20:00:00.123Z"),
            (json!(0), "1970-01-01T00:00:00Z"),
            // Just under the cut-off: seconds, in the year 5138.
            (json!(99_999_999_999_i64), "5138-11-16T09:46:39Z"),
            // At the cut-off: milliseconds, in 1973.
            (json!(100_000_000_000_i64), "1973-03-03T09:46:40Z"),
            (json!(-1), "1969-12-31T23:59:59Z"),
            (json!("1700000000"), "2023-11-14T22:13:20Z"),
            (json!("1781222400000"), "2026-06-12T00:00:00Z"),
        ];
        for (value, expected) in cases {
            assert_eq!(normalize(&value).as_deref(), Some(expected), "{value}");
        }
    }

    #[test]
    fn normalize_strings_to_utc() {
        let cases = [
            ("2026-12-31T00:00:00.000Z", "2026-12-31T00:00:00Z"),
            ("2026-06-01T00:00:00.000Z", "2026-06-01T00:00:00Z"),
            ("2026-04-03T20:00:00Z", "2026-04-03T20:00:00Z"),
            ("2026-04-03T22:00:00+02:00", "2026-04-03T20:00:00Z"),
            ("2026-04-03T22:00:00+0200", "2026-04-03T20:00:00Z"),
            ("2026-04-03T15:30:00-04:30", "2026-04-03T20:00:00Z"),
            ("2026-04-03T20:00:00+00:00", "2026-04-03T20:00:00Z"),
            ("2026-04-03T20:00:00-00:00", "2026-04-03T20:00:00Z"),
            ("2026-04-03T20:00:00", "2026-04-03T20:00:00Z"),
            ("2026-04-03 20:00:00Z", "2026-04-03T20:00:00Z"),
            ("2026-04-03t20:00:00z", "2026-04-03T20:00:00Z"),
            ("2026-04-03T20:00:00.123Z", "2026-04-03T20:00:00.123Z"),
            ("2026-04-03T20:00:00.1Z", "2026-04-03T20:00:00.100Z"),
            ("2026-04-03T20:00:00.123456789Z", "2026-04-03T20:00:00.123Z"),
            (
                "2026-04-03T20:00:00.999999+01:00",
                "2026-04-03T19:00:00.999Z",
            ),
            // Offsets can move the date, the month and the year.
            ("2026-01-01T01:00:00+02:00", "2025-12-31T23:00:00Z"),
            ("2025-12-31T23:00:00-02:00", "2026-01-01T01:00:00Z"),
            ("2024-02-29T23:59:59-00:01", "2024-03-01T00:00:59Z"),
            ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"),
            ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize(&json!(input)).as_deref(),
                Some(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn normalize_refuses_what_is_not_a_time() {
        let refused = [
            json!(null),
            json!(true),
            json!(1.5),
            json!(1.7e9),
            json!(u64::MAX),
            json!({"t": 1}),
            json!([1]),
            json!(""),
            json!("-"),
            json!("soon"),
            json!("2026-04-03"),
            json!("2026-04-03T20:00Z"),
            json!("2026-04-03T20:00:00ZZ"),
            json!("2026-04-03T20:00:00 Z"),
            json!("2026-04-03T20:00:00.Z"),
            json!("2026-04-03T20:00:00+2"),
            json!("2026-04-03T20:00:00+02:0"),
            json!("2026-04-03T20:00:00+24:00"),
            json!("2026-04-03T20:00:00+02:60"),
            json!("2026-13-01T00:00:00Z"),
            json!("2026-00-01T00:00:00Z"),
            json!("2026-04-31T00:00:00Z"),
            json!("2026-04-00T00:00:00Z"),
            json!("2026-04-03T24:00:00Z"),
            json!("2026-04-03T20:60:00Z"),
            json!("2026-04-03T20:00:61Z"),
            json!("2026/04/03T20:00:00Z"),
            json!("+026-04-03T20:00:00Z"),
            json!(" 2026-04-03T20:00:00Z"),
            json!("2026-04-03T20:00:00Z "),
            json!("２026-04-03T20:00:00Z"),
            json!(" 1700000000"),
            json!("+1700000000"),
            json!("1700000000.5"),
            // Beyond what RFC 3339 can write.
            json!("9999-12-31T23:59:59-00:01"),
            json!("0000-01-01T00:00:00+00:01"),
            json!(i64::MAX),
            json!(-99_999_999_999_i64),
            json!(MAX_UNIX_MILLIS + 1),
        ];
        for value in refused {
            assert_eq!(normalize(&value), None, "{value}");
        }
    }

    #[test]
    fn parse_to_unix_secs_rounds_down() {
        assert_eq!(
            parse_to_unix_secs("2026-04-03T22:00:00+02:00"),
            Some(1_775_246_400)
        );
        assert_eq!(
            parse_to_unix_secs("2026-04-03T20:00:00.999Z"),
            Some(1_775_246_400)
        );
        assert_eq!(parse_to_unix_secs("1781222400000"), Some(1_781_222_400));
        assert_eq!(parse_to_unix_secs("1781222400999"), Some(1_781_222_400));
        assert_eq!(parse_to_unix_secs("1700000000"), Some(1_700_000_000));
        assert_eq!(parse_to_unix_secs("-1"), Some(-1));
        assert_eq!(parse_to_unix_secs("-100000000001"), Some(-100_000_001));
        assert_eq!(parse_to_unix_secs("yesterday"), None);
        assert_eq!(parse_to_unix_secs(""), None);
    }

    #[test]
    fn agrees_with_humantime_where_both_work() {
        // Every day for 150 years plus odd seconds within each, in both directions.
        let mut secs: i64 = 0;
        while secs < 4_800_000_000 {
            let time = UNIX_EPOCH + Duration::from_secs(secs as u64);
            let ours = from_unix_secs(secs);
            assert_eq!(ours, humantime::format_rfc3339_seconds(time).to_string());
            assert_eq!(parse_to_unix_secs(&ours), Some(secs), "{ours}");
            let theirs = humantime::parse_rfc3339(&ours).unwrap();
            assert_eq!(theirs, time);
            secs += 86_400 + 3_607;
        }
        for ms in [1_781_222_400_000_i64, 1_775_246_400_123, 951_782_399_999] {
            let time = UNIX_EPOCH + Duration::from_millis(ms as u64);
            let theirs = humantime::format_rfc3339_millis(time).to_string();
            assert_eq!(from_unix_millis(ms), theirs.replace(".000Z", "Z"));
        }
    }

    #[test]
    fn round_trips_across_the_whole_range() {
        // Day boundaries from year 0 to 9999, including every leap-year rule.
        let mut days = MIN_UNIX_SECS / 86_400;
        while days * 86_400 <= MAX_UNIX_SECS {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
            assert!((1..=days_in_month(year, month)).contains(&day));
            let ms = days * 86_400_000 + 86_399_999;
            let text = from_unix_millis(ms);
            assert_eq!(parse_millis(&text), Some(ms), "{text}");
            days += 13;
        }
    }

    #[test]
    fn now_is_after_this_code_was_written() {
        assert!(now_unix() > 1_763_000_000);
    }
}
