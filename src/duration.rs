//! Durations for `--min-valid` and `--if-expiring-within` (docs/cli-contract.md §6: written like `90s`,
//! `10m`, `1h`).
//!
//! Grammar: one or more `<digits><unit>` parts, units `d`, `h`, `m`, `s` (days, hours, minutes,
//! seconds), largest first and each at most once, optionally separated by whitespace:
//! `90s`, `10m`, `1h30m`, `2d`, `1h 30m`. Surrounding whitespace is ignored, so whatever
//! [`human`] prints parses back.
//!
//! Refused, each with a usage error (exit 2) that names the value and shows how to write it:
//! - a bare number (`90`): some tools read it as seconds, others as minutes; for a safety margin
//!   on a credential a wrong guess is either a needless refresh per call or a token that
//!   expires mid-request, so we ask instead of guessing;
//! - fractions (`1.5h`): write `1h30m` or `90m`;
//! - other units (`ms`, `w`, `sec`, `M`, `H`): sub-second margins mean nothing for tokens that
//!   live for minutes, and an uppercase `M` reads as months elsewhere;
//! - units out of order or repeated (`30m1h`, `1m1m`): most likely a typo;
//! - negative durations, and durations longer than [`MAX`] (100 years): nothing agentcred
//!   measures lasts that long, and every accepted duration can be added to a Unix time or
//!   compared with a signed number of seconds without wrapping (`9223372036854775808s` once
//!   wrapped to a negative margin that every credential met).

use std::time::Duration;

use crate::error::{Error, Result};

/// The longest duration accepted: 36500 days (100 years).
pub const MAX: Duration = Duration::from_secs(36_500 * 86_400);

const EXAMPLES: &str =
    "expected a duration like 90s, 10m or 1h (units d, h, m, s; combined as in 1h30m)";

/// `"90s"`, `"10m"`, `"1h30m"`, `"2d"` → a [`Duration`]; see the module doc for what is refused.
pub fn parse(s: &str) -> Result<Duration> {
    parse_parts(s).map_err(|problem| {
        Error::usage(format!("invalid duration '{s}': {}", problem.reason)).with_hint(problem.hint)
    })
}

/// [`parse`] for `#[arg(value_parser = duration::clap_parser)]`. Clap names the flag and the
/// value itself, and exits 2 like a usage [`Error`].
pub fn clap_parser(s: &str) -> std::result::Result<Duration, String> {
    parse_parts(s).map_err(|problem| format!("{}; {}", problem.reason, problem.hint))
}

/// Whole seconds for a person, largest unit first, zero parts left out: `"14m 59s"`, `"2h"`,
/// `"45s"`, `"1d 2h"`, `"0s"`. Sub-second parts are dropped (durations here are token lifetimes).
pub fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return "0s".into();
    }
    let parts = [
        (secs / 86_400, "d"),
        (secs / 3600 % 24, "h"),
        (secs / 60 % 60, "m"),
        (secs % 60, "s"),
    ];
    parts
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, unit)| format!("{count}{unit}"))
        .collect::<Vec<_>>()
        .join(" ")
}

struct Problem {
    reason: String,
    hint: String,
}

impl Problem {
    fn new(reason: impl Into<String>) -> Self {
        Problem {
            reason: reason.into(),
            hint: EXAMPLES.into(),
        }
    }
}

fn too_large() -> Problem {
    Problem {
        reason: "too large: the longest duration accepted is 36500d (100 years)".into(),
        hint: "give a shorter duration, like 1h or 30d".into(),
    }
}

fn parse_parts(s: &str) -> std::result::Result<Duration, Problem> {
    let text = s.trim();
    if text.is_empty() {
        return Err(Problem::new("no duration given"));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem {
            reason: "a bare number has no unit".into(),
            hint: format!("write {text}s for seconds or {text}m for minutes"),
        });
    }

    let mut rest = text;
    let mut total: u64 = 0;
    // Seconds per unit of the previous part: each part must use a strictly smaller unit.
    let mut previous_unit = u64::MAX;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(Problem::new(if rest.starts_with('-') {
                "durations cannot be negative".to_string()
            } else {
                format!("expected a number at '{rest}'")
            }));
        }
        let (number, after) = rest.split_at(digits);
        let letters = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, after) = after.split_at(letters);
        let seconds_per_unit = match unit {
            "d" => 86_400,
            "h" => 3600,
            "m" => 60,
            "s" => 1,
            "" if after.starts_with(['.', ',']) => {
                return Err(Problem::new(
                    "fractions are not accepted (write 1h30m, not 1.5h)",
                ));
            }
            "" => return Err(Problem::new(format!("'{number}' needs a unit"))),
            other => return Err(Problem::new(format!("unknown unit '{other}'"))),
        };
        if seconds_per_unit >= previous_unit {
            return Err(Problem::new(
                "units must go from the largest to the smallest, each at most once",
            ));
        }
        previous_unit = seconds_per_unit;
        total = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(seconds_per_unit))
            .and_then(|secs| secs.checked_add(total))
            .filter(|secs| *secs <= MAX.as_secs())
            .ok_or_else(too_large)?;
        rest = after.trim_start();
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_durations() {
        let cases: &[(&str, u64)] = &[
            ("90s", 90),
            ("10m", 600),
            ("1h", 3600),
            ("1h30m", 5400),
            ("1h 30m", 5400),
            ("2d", 172_800),
            ("1d2h3m4s", 93_784),
            ("0s", 0),
            ("90m", 5400),
            ("3600s", 3600),
            ("007m", 420),
            (" 5m ", 300),
            ("14m 59s", 899),
        ];
        for &(input, secs) in cases {
            let parsed = parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(parsed, Duration::from_secs(secs), "{input:?}");
            assert_eq!(clap_parser(input), Ok(Duration::from_secs(secs)));
        }
    }

    #[test]
    fn refusals_name_the_value_and_exit_2() {
        let cases: &[(&str, &str)] = &[
            ("90", "invalid duration '90': a bare number has no unit"),
            ("", "invalid duration '': no duration given"),
            ("  ", "invalid duration '  ': no duration given"),
            (
                "1.5h",
                "invalid duration '1.5h': fractions are not accepted (write 1h30m, not 1.5h)",
            ),
            ("1h30", "invalid duration '1h30': '30' needs a unit"),
            ("10 m", "invalid duration '10 m': '10' needs a unit"),
            ("10x", "invalid duration '10x': unknown unit 'x'"),
            ("500ms", "invalid duration '500ms': unknown unit 'ms'"),
            ("1w", "invalid duration '1w': unknown unit 'w'"),
            ("10M", "invalid duration '10M': unknown unit 'M'"),
            ("1H", "invalid duration '1H': unknown unit 'H'"),
            ("5sec", "invalid duration '5sec': unknown unit 'sec'"),
            (
                "30m1h",
                "invalid duration '30m1h': units must go from the largest to the smallest, each at most once",
            ),
            (
                "1m1m",
                "invalid duration '1m1m': units must go from the largest to the smallest, each at most once",
            ),
            (
                "-5s",
                "invalid duration '-5s': durations cannot be negative",
            ),
            ("h", "invalid duration 'h': expected a number at 'h'"),
            (
                "1h-5m",
                "invalid duration '1h-5m': durations cannot be negative",
            ),
            (
                "1h,30m",
                "invalid duration '1h,30m': expected a number at ',30m'",
            ),
            ("+5s", "invalid duration '+5s': expected a number at '+5s'"),
            ("5µs", "invalid duration '5µs': '5' needs a unit"),
            (
                "99999999999999999999s",
                "invalid duration '99999999999999999999s': too large: the longest duration accepted is 36500d (100 years)",
            ),
            (
                "213503982334602d",
                "invalid duration '213503982334602d': too large: the longest duration accepted is 36500d (100 years)",
            ),
            (
                "9223372036854775808s",
                "invalid duration '9223372036854775808s': too large: the longest duration accepted is 36500d (100 years)",
            ),
            (
                "36500d1s",
                "invalid duration '36500d1s': too large: the longest duration accepted is 36500d (100 years)",
            ),
        ];
        for &(input, message) in cases {
            let err = parse(input).expect_err(input);
            assert_eq!(err.exit_code(), 2, "{input:?}");
            assert_eq!(err.message, message, "{input:?}");
            assert!(err.hint.is_some(), "{input:?}");
            assert!(clap_parser(input).is_err(), "{input:?}");
        }
    }

    #[test]
    fn hints_show_how_to_write_it() {
        let bare = parse("90").unwrap_err();
        assert_eq!(
            bare.hint.as_deref(),
            Some("write 90s for seconds or 90m for minutes")
        );
        let unknown = parse("10x").unwrap_err();
        assert!(
            unknown.hint.unwrap().contains("like 90s, 10m or 1h"),
            "examples are shown"
        );
        assert_eq!(
            clap_parser("90").unwrap_err(),
            "a bare number has no unit; write 90s for seconds or 90m for minutes"
        );
    }

    #[test]
    fn works_as_a_clap_value_parser() {
        use clap::Parser;

        #[derive(Parser)]
        struct Args {
            #[arg(long, value_parser = clap_parser)]
            min_valid: Duration,
        }
        let args = Args::try_parse_from(["token", "--min-valid", "1h30m"]).unwrap();
        assert_eq!(args.min_valid, Duration::from_secs(5400));
        let err = Args::try_parse_from(["token", "--min-valid", "90"])
            .err()
            .unwrap();
        assert_eq!(err.exit_code(), 2);
        let shown = err.to_string();
        assert!(shown.contains("'90'"), "{shown}");
        assert!(shown.contains("write 90s for seconds"), "{shown}");
    }

    #[test]
    fn human_durations() {
        let cases: &[(u64, &str)] = &[
            (0, "0s"),
            (45, "45s"),
            (60, "1m"),
            (899, "14m 59s"),
            (7200, "2h"),
            (5400, "1h 30m"),
            (3601, "1h 1s"),
            (86_400, "1d"),
            (93_784, "1d 2h 3m 4s"),
        ];
        for &(secs, text) in cases {
            assert_eq!(human(Duration::from_secs(secs)), text);
        }
        assert_eq!(human(Duration::from_millis(59_999)), "59s");
        assert_eq!(human(Duration::from_millis(999)), "0s");
    }

    #[test]
    fn human_parses_back() {
        let mut secs = 0;
        while secs < 10 * 86_400 {
            let d = Duration::from_secs(secs);
            assert_eq!(parse(&human(d)).unwrap(), d, "{}", human(d));
            secs += 997;
        }
        assert_eq!(parse(&human(MAX)).unwrap(), MAX);
        assert_eq!(parse("36500d").unwrap(), MAX);
        // Whatever is accepted fits a signed number of seconds added to any Unix time.
        assert!(
            i64::try_from(MAX.as_secs())
                .unwrap()
                .checked_add(i64::MAX / 2)
                .is_some()
        );
    }
}
