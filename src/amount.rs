//! Exact money amounts: atomic integers ⇄ decimal strings (docs/cli-contract.md §7).
//!
//! Every service sends amounts as atomic-unit integer strings (`"87500000"` with 6 decimals is
//! 87.5 USDC; another sends USD cents, atomic with 2 decimals). An [`Amount`] keeps that integer
//! as an `i128` together with the currency's number of decimals, and every conversion is done
//! on digits and integers: there is no floating point anywhere in this module, so what the user
//! types is what the service receives, to the last atomic unit.
//!
//! Shown to a person: `87.5 USDC (87500000 atomic, 6 decimals)`. As JSON:
//! `{"atomic": "87500000", "formatted": "87.5", "decimals": 6, "currency": "USDC"}` (the atomic
//! value is a string because JSON numbers lose precision above 2^53 in most readers).
//!
//! What [`Amount::parse_user`] accepts, where the contract left room:
//!
//! | input | result | why |
//! |---|---|---|
//! | `12.34`, `500`, `0.5` | accepted | plain decimal numbers in currency units |
//! | `.5`, `5.` | accepted (0.5, 5) | unambiguous, and common when typing |
//! | `12.340` (USD) | accepted (12.34) | trailing zeros add no precision, nothing is rounded |
//! | `12.345` (USD) | refused | more decimals than the currency has: we never round money |
//! | ` 5 ` | accepted (5) | surrounding whitespace can only mean one thing |
//! | `+5` | accepted (5) | an explicit plus sign is unambiguous |
//! | `-1`, `-0` | refused | amounts (limits, card maxima) cannot be negative |
//! | `1,000` | refused | `1,000` is one thousand in the US and one in Germany |
//! | `1e3` | refused | scientific notation invites typos; write `1000` |
//! | `1_000`, `$5`, `5 USDC`, nothing | refused | not a number in currency units |

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::error::{Error, Result};

/// An exact amount of money: `atomic / 10^decimals` units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    atomic: i128,
    decimals: u32,
    currency: String,
}

impl Amount {
    pub fn from_atomic(atomic: i128, decimals: u32, currency: impl Into<String>) -> Amount {
        Amount {
            atomic,
            decimals,
            currency: currency.into(),
        }
    }

    /// Parse a service's atomic integer string (`"87500000"`, `"-5"`, `"0"`).
    ///
    /// The grammar is strict, `-?[0-9]+`: a service that sends anything else (a decimal point,
    /// a plus sign, whitespace) has changed its format, and guessing would risk a wrong amount.
    /// That is not the user's fault, so the error is internal (exit 1), not a usage error.
    pub fn from_atomic_str(s: &str, decimals: u32, currency: impl Into<String>) -> Result<Amount> {
        let currency = currency.into();
        let digits = s.strip_prefix('-').unwrap_or(s);
        let well_formed = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        let atomic = if well_formed {
            s.parse::<i128>().ok()
        } else {
            None
        };
        match atomic {
            Some(atomic) => Ok(Amount::from_atomic(atomic, decimals, currency)),
            None => Err(Error::internal(format!(
                "the service sent '{s}' where an atomic {currency} amount (an integer) was expected"
            ))),
        }
    }

    /// Parse an amount typed by the user in decimal units of the currency (`"12.34"` USD is
    /// 1234 atomic). See the module documentation for what is accepted; every refusal is a
    /// usage error (exit 2) that names the value and says how to write it.
    pub fn parse_user(s: &str, decimals: u32, currency: impl Into<String>) -> Result<Amount> {
        let currency = currency.into();
        let atomic = parse_user_atomic(s, decimals, &currency)?;
        Ok(Amount::from_atomic(atomic, decimals, currency))
    }

    pub fn atomic(&self) -> i128 {
        self.atomic
    }

    pub fn decimals(&self) -> u32 {
        self.decimals
    }

    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// The atomic integer as the services write it: `"87500000"`.
    pub fn atomic_string(&self) -> String {
        self.atomic.to_string()
    }

    /// The amount in currency units, trailing zeros trimmed: `"87.5"`, `"100"`, `"0.000001"`,
    /// `"-12.5"`. [`Amount::parse_user`] reads it back to the same amount (when not negative).
    pub fn formatted(&self) -> String {
        // unsigned_abs: i128::MIN has no positive i128 counterpart, but fits in a u128.
        let digits = self.atomic.unsigned_abs().to_string();
        let sign = if self.atomic < 0 { "-" } else { "" };
        let decimals = self.decimals as usize;
        if decimals == 0 {
            return format!("{sign}{digits}");
        }
        // Left-pad so that there is at least one digit before the decimal point.
        let padded = format!("{digits:0>width$}", width = decimals + 1);
        let (int_part, frac_part) = padded.split_at(padded.len() - decimals);
        let frac_part = frac_part.trim_end_matches('0');
        if frac_part.is_empty() {
            format!("{sign}{int_part}")
        } else {
            format!("{sign}{int_part}.{frac_part}")
        }
    }

    /// The amount and its currency, for a table cell: `87.5 USDC` (`--json` has both units).
    pub fn short(&self) -> String {
        format!("{} {}", self.formatted(), self.currency)
    }

    /// Both units for a person: `87.5 USDC (87500000 atomic, 6 decimals)`.
    pub fn human(&self) -> String {
        let unit = if self.decimals == 1 {
            "decimal"
        } else {
            "decimals"
        };
        format!(
            "{} {} ({} atomic, {} {unit})",
            self.formatted(),
            self.currency,
            self.atomic,
            self.decimals
        )
    }
}

impl schemars::JsonSchema for Amount {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Amount".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "An exact amount: the atomic integer as a string, and the same amount formatted in the currency's unit",
            "properties": {
                "atomic": { "type": "string", "pattern": "^-?[0-9]+$" },
                "formatted": { "type": "string" },
                "decimals": { "type": "integer", "minimum": 0 },
                "currency": { "type": "string" },
            },
            "required": ["atomic", "formatted", "decimals", "currency"],
            "additionalProperties": false,
        })
    }
}

impl Serialize for Amount {
    /// `{"atomic":"87500000","formatted":"87.5","decimals":6,"currency":"USDC"}`, in that order.
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Amount", 4)?;
        state.serialize_field("atomic", &self.atomic_string())?;
        state.serialize_field("formatted", &self.formatted())?;
        state.serialize_field("decimals", &self.decimals)?;
        state.serialize_field("currency", &self.currency)?;
        state.end()
    }
}

/// The number of decimals of a currency several services use, by name, case-insensitive
/// (docs/providers.md §1.5): USDC 6, XRP 6 (drops), USD 2 (cents), credits 2. A service's own
/// currencies are in its module.
pub fn decimals_for(currency: &str) -> Option<u32> {
    const TABLE: &[(&str, u32)] = &[("usdc", 6), ("xrp", 6), ("usd", 2), ("credits", 2)];
    TABLE
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(currency))
        .map(|&(_, decimals)| decimals)
}

/// USD cents: atomic with 2 decimals.
pub fn usd_cents(cents: i64) -> Amount {
    Amount::from_atomic(i128::from(cents), 2, "USD")
}

fn parse_user_atomic(raw: &str, decimals: u32, currency: &str) -> Result<i128> {
    let example_hint = || format!("type a number of {currency}, like 12.5 or 100");
    let s = raw.trim();
    if s.is_empty() {
        return Err(Error::usage("no amount given").with_hint(example_hint()));
    }
    if s.starts_with('-') {
        return Err(Error::usage(format!("amounts cannot be negative: {s}")));
    }
    let unsigned = s.strip_prefix('+').unwrap_or(s);
    if unsigned.contains(',') {
        return Err(Error::usage(format!("'{s}' is ambiguous: it contains a comma")).with_hint(
            "write amounts without thousands separators and with '.' for decimals, like 1000 or 12.5",
        ));
    }
    if is_scientific(unsigned) {
        return Err(
            Error::usage(format!("'{s}': scientific notation is not accepted"))
                .with_hint("write the number out, like 1000 or 0.001"),
        );
    }
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !all_digits(int_part)
        || !all_digits(frac_part)
    {
        return Err(Error::usage(format!("'{s}' is not an amount")).with_hint(example_hint()));
    }

    // Trailing zeros are no extra precision: "12.340" is exactly 12.34.
    let frac_part = frac_part.trim_end_matches('0');
    let places = frac_part.len();
    if places > decimals as usize {
        let noun = if places == 1 { "place" } else { "places" };
        return Err(Error::usage(format!(
            "{s} has {places} decimal {noun} but {currency} has {decimals}"
        ))
        .with_hint(format!(
            "{currency} amounts have at most {decimals} decimal places; nothing is rounded for you"
        )));
    }

    let too_large = || Error::usage(format!("{s} is too large for an amount in {currency}"));
    let mut atomic: i128 = 0;
    for digit in int_part.bytes().chain(frac_part.bytes()) {
        atomic = atomic
            .checked_mul(10)
            .and_then(|a| a.checked_add(i128::from(digit - b'0')))
            .ok_or_else(too_large)?;
    }
    // Scale the remaining decimal places. Zero stays zero however many places the currency
    // has; any other value overflows within 39 steps, so this loop is short.
    if atomic != 0 {
        for _ in places..decimals as usize {
            atomic = atomic.checked_mul(10).ok_or_else(too_large)?;
        }
    }
    Ok(atomic)
}

/// `1e3`, `1.5E-2`: refused with their own message rather than as garbage, so the user learns
/// what to write instead.
fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(s: &str) -> Result<Amount> {
        Amount::parse_user(s, 2, "USD")
    }

    #[test]
    fn the_status_example_formats_as_in_the_seeds() {
        let remaining = Amount::from_atomic_str("87500000", 6, "USDC").unwrap();
        assert_eq!(remaining.atomic(), 87_500_000);
        assert_eq!(remaining.formatted(), "87.5");
        assert_eq!(remaining.atomic_string(), "87500000");
        assert_eq!(remaining.human(), "87.5 USDC (87500000 atomic, 6 decimals)");
        let spent = Amount::from_atomic_str("12500000", 6, "USDC").unwrap();
        assert_eq!(spent.formatted(), "12.5");
        let limit = Amount::from_atomic_str("100000000", 6, "USDC").unwrap();
        assert_eq!(limit.formatted(), "100");
        assert_eq!(Amount::from_atomic(0, 6, "USDC").formatted(), "0");
    }

    #[test]
    fn formatting_trims_zeros_and_keeps_signs() {
        let cases: &[(i128, u32, &str)] = &[
            (100_000_000, 6, "100"),
            (1, 6, "0.000001"),
            (10, 6, "0.00001"),
            (-12_500_000, 6, "-12.5"),
            (-1, 2, "-0.01"),
            (1234, 2, "12.34"),
            (1230, 2, "12.3"),
            (1200, 2, "12"),
            (5, 0, "5"),
            (-5, 0, "-5"),
            (0, 0, "0"),
            (1, 30, "0.000000000000000000000000000001"),
        ];
        for &(atomic, decimals, expected) in cases {
            assert_eq!(
                Amount::from_atomic(atomic, decimals, "X").formatted(),
                expected,
                "{atomic} with {decimals} decimals"
            );
        }
    }

    #[test]
    fn json_has_the_contract_shape_and_order() {
        let amount = Amount::from_atomic(87_500_000, 6, "USDC");
        assert_eq!(
            serde_json::to_string(&amount).unwrap(),
            r#"{"atomic":"87500000","formatted":"87.5","decimals":6,"currency":"USDC"}"#
        );
        let json = serde_json::to_value(usd_cents(50_000)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"atomic": "50000", "formatted": "500", "decimals": 2, "currency": "USD"})
        );
    }

    #[test]
    fn human_says_decimal_for_one_place() {
        assert_eq!(
            Amount::from_atomic(15, 1, "X").human(),
            "1.5 X (15 atomic, 1 decimal)"
        );
        assert_eq!(
            usd_cents(-250).human(),
            "-2.5 USD (-250 atomic, 2 decimals)"
        );
    }

    #[test]
    fn user_amounts_that_are_accepted() {
        let cases: &[(&str, i128)] = &[
            ("12.34", 1234),
            ("500", 50_000),
            ("0.5", 50),
            (".5", 50),
            ("5.", 500),
            ("12.340", 1234),
            ("12.3400000000000000000000000000000000000000", 1234),
            (" 5 ", 500),
            ("\t7\n", 700),
            ("+5", 500),
            ("007.10", 710),
            ("0", 0),
            ("0.00", 0),
        ];
        for &(input, atomic) in cases {
            let amount = usd(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(amount.atomic(), atomic, "{input:?}");
            assert_eq!(amount.decimals(), 2);
            assert_eq!(amount.currency(), "USD");
        }
        assert_eq!(
            Amount::parse_user("0.000001", 6, "USDC").unwrap().atomic(),
            1
        );
        assert_eq!(
            Amount::parse_user("7", 0, "X").unwrap(),
            Amount::from_atomic(7, 0, "X")
        );
        assert_eq!(Amount::parse_user("7.000", 0, "X").unwrap().atomic(), 7);
    }

    #[test]
    fn user_amounts_that_are_refused_with_exit_code_2() {
        let cases: &[(&str, &str)] = &[
            ("12.345", "12.345 has 3 decimal places but USD has 2"),
            ("0.001", "0.001 has 3 decimal places but USD has 2"),
            ("-1", "amounts cannot be negative: -1"),
            ("-0", "amounts cannot be negative: -0"),
            (" -2.5", "amounts cannot be negative: -2.5"),
            ("", "no amount given"),
            ("   ", "no amount given"),
            ("1,000", "'1,000' is ambiguous: it contains a comma"),
            ("12,5", "'12,5' is ambiguous: it contains a comma"),
            ("1e3", "'1e3': scientific notation is not accepted"),
            ("1.5E2", "'1.5E2': scientific notation is not accepted"),
            ("2e-2", "'2e-2': scientific notation is not accepted"),
            ("5 credits", "'5 credits' is not an amount"),
            ("1e", "'1e' is not an amount"),
            (".", "'.' is not an amount"),
            ("+", "'+' is not an amount"),
            ("++5", "'++5' is not an amount"),
            ("+-5", "'+-5' is not an amount"),
            ("1.2.3", "'1.2.3' is not an amount"),
            ("1_000", "'1_000' is not an amount"),
            ("$5", "'$5' is not an amount"),
            ("5 USD", "'5 USD' is not an amount"),
            ("abc", "'abc' is not an amount"),
            ("e", "'e' is not an amount"),
            ("1 000", "'1 000' is not an amount"),
            ("١٢", "'١٢' is not an amount"),
            ("NaN", "'NaN' is not an amount"),
            ("inf", "'inf' is not an amount"),
            (
                "1701411834604692317316873037158841057.28",
                "1701411834604692317316873037158841057.28 is too large for an amount in USD",
            ),
        ];
        for &(input, message) in cases {
            let err = usd(input).expect_err(input);
            assert_eq!(err.exit_code(), 2, "{input:?}");
            assert_eq!(err.message, message, "{input:?}");
        }
        let err = Amount::parse_user("5.5", 0, "PTS").unwrap_err();
        assert_eq!(err.message, "5.5 has 1 decimal place but PTS has 0");
        assert!(err.hint.is_some());
    }

    #[test]
    fn i128_edges() {
        let max = i128::MAX.to_string();
        assert_eq!(
            Amount::parse_user(&max, 0, "X").unwrap().atomic(),
            i128::MAX
        );
        // i128::MAX + 1
        let err =
            Amount::parse_user("170141183460469231731687303715884105728", 0, "X").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message.contains("too large"), "{}", err.message);
        assert!(Amount::parse_user(&"9".repeat(100), 0, "X").is_err());

        let max6 = Amount::from_atomic(i128::MAX, 6, "USDC");
        assert_eq!(max6.formatted(), "170141183460469231731687303715884.105727");
        assert_eq!(
            Amount::parse_user(&max6.formatted(), 6, "USDC").unwrap(),
            max6
        );
        // One more whole unit than fits, only once scaled to atomic.
        assert!(Amount::parse_user("170141183460469231731687303715885", 6, "USDC").is_err());

        let min = Amount::from_atomic(i128::MIN, 6, "USDC");
        assert_eq!(min.formatted(), "-170141183460469231731687303715884.105728");
        assert_eq!(min.atomic_string(), i128::MIN.to_string());
        let min_str = Amount::from_atomic_str(&i128::MIN.to_string(), 0, "X").unwrap();
        assert_eq!(min_str.atomic(), i128::MIN);

        // Decimals beyond what i128 can scale: zero and tiny values still work.
        assert_eq!(Amount::parse_user("0", u32::MAX, "X").unwrap().atomic(), 0);
        assert_eq!(
            Amount::parse_user("0.000000000000000000000000000000000000000000001", 45, "X")
                .unwrap()
                .atomic(),
            1
        );
        assert!(Amount::parse_user("1", 39, "X").is_err());
        assert!(Amount::parse_user("1", 38, "X").is_ok());
    }

    #[test]
    fn atomic_strings_from_services() {
        for (input, atomic) in [("87500000", 87_500_000), ("-5", -5), ("0", 0), ("007", 7)] {
            assert_eq!(
                Amount::from_atomic_str(input, 6, "USDC").unwrap().atomic(),
                atomic
            );
        }
        for input in [
            "",
            "-",
            "+5",
            " 5",
            "5 ",
            "12.5",
            "1e6",
            "abc",
            "--5",
            "0x10",
            "170141183460469231731687303715884105728",
        ] {
            let err = Amount::from_atomic_str(input, 6, "USDC").expect_err(input);
            assert_eq!(err.exit_code(), 1, "{input:?}");
        }
    }

    #[test]
    fn formatted_parses_back_to_the_same_amount() {
        // A deterministic pseudo-random sweep (xorshift) plus the interesting values: small
        // numbers, powers of ten and their neighbours, and the top of the range.
        let mut interesting: Vec<i128> = (0..=1200).collect();
        let mut power: i128 = 1;
        while let Some(next) = power.checked_mul(10) {
            interesting.extend([power - 1, power, power + 1, power * 7 + 3]);
            power = next;
        }
        interesting.extend([power, i128::MAX, i128::MAX - 1, u64::MAX.into()]);
        let mut state: u128 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let bits = (state % 127) as u32; // spread over magnitudes, not only huge numbers
            interesting.push((state >> 1) as i128 >> (126 - bits.min(126)));
        }

        for decimals in 0..=18 {
            for &atomic in &interesting {
                let original = Amount::from_atomic(atomic, decimals, "X");
                let formatted = original.formatted();
                let parsed = Amount::parse_user(&formatted, decimals, "X")
                    .unwrap_or_else(|e| panic!("{formatted} ({decimals}): {e}"));
                assert_eq!(parsed, original, "{formatted} with {decimals} decimals");
                let back = Amount::from_atomic_str(&original.atomic_string(), decimals, "X");
                assert_eq!(back.unwrap(), original);
            }
        }
    }

    #[test]
    fn currency_table() {
        for (name, decimals) in [
            ("USDC", 6),
            ("usdc", 6),
            ("XRP", 6),
            ("USD", 2),
            ("Credits", 2),
        ] {
            assert_eq!(decimals_for(name), Some(decimals), "{name}");
        }
        assert_eq!(decimals_for("EUR"), None);
        assert_eq!(decimals_for(""), None);
        assert_eq!(decimals_for("usdc "), None);
    }

    #[test]
    fn usd_cents_are_two_decimal_usd() {
        let cents = usd_cents(50_000);
        assert_eq!(cents, Amount::from_atomic(50_000, 2, "USD"));
        assert_eq!(cents.formatted(), "500");
        assert_eq!(usd_cents(1999).formatted(), "19.99");
        assert_eq!(usd_cents(i64::MIN).atomic(), i128::from(i64::MIN));
    }
}
