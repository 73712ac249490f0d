//! A profile's policy: what the agent may do through the gateway and the MCP `request` tool.
//!
//! # Format (TOML)
//!
//! ```toml
//! default = "deny"            # allow | deny: a request no rule matches (omitted: deny)
//! writes = "approve"          # allow | approve | deny: a non-GET request no rule matches
//! requests_per_minute = 60    # per profile, across this host's gateway and MCP processes
//! approval_expiry = "10m"     # how long an approval stays usable, from when it is given
//!
//! [spend]                     # the service's own currency, formatted units (25 = 25 USD)
//! per_request = "25"
//! window = "100"
//! window_length = "24h"
//! reservation_expiry = "2m"   # a reservation never settled (its gateway died) is freed then
//!
//! [[rule]]                    # first match wins
//! match = "GET wallet:/api/**"    # METHOD ENDPOINT:PATH; * one path segment, ** any number
//! action = "allow"                # allow | deny | approve
//! as = "operator"                 # optional, on allow/approve: send the operator key
//! ```
//!
//! # Matching
//!
//! A request is `METHOD /ENDPOINT/PATH`. Its path is percent-decoded before matching (the
//! gateway already refuses encoded `/`, `.`, `\`, `%` and NUL), so `/%61pi` cannot slip past a
//! rule on `/api`; literal segments match without regard to ASCII case, so `/API` cannot
//! either. `METHOD` is a method name or `*`. In a pattern, a segment `*` is exactly one path
//! segment, `**` any number of them (none included), and `*` inside a segment any run of
//! characters (`x402*Payment`). Empty segments (a trailing `/`) are ignored.
//!
//! The first rule that matches decides. Without one, a non-GET (and non-HEAD) request takes
//! `writes` if it is set, and every other request `default`. The answer names the rule that
//! decided: its `match` text, or `default` / `writes`.
//!
//! # Money
//!
//! Each service declares which of its requests move or reserve money and where their amount
//! is ([`crate::spec::Boundary`]). Under a `[spend]` cap such a request is refused when its
//! amount cannot be read or is in another currency, or is above `per_request`
//! (`spend.per_request`); `window` is enforced by the ledger when the amount is reserved
//! (`spend.window`).
//!
//! # Refusals
//!
//! A policy that does not parse, names an unknown endpoint or action, or an impossible value,
//! is refused whole with its line and the reason (exit 2): nothing is half-applied.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::amount::Amount;
use crate::error::{Error, Result};
use crate::spec::{MoneyRoute, Provider, ServiceSpec};

/// How long an approval stays usable when the policy does not say.
pub const DEFAULT_APPROVAL_EXPIRY: Duration = Duration::from_secs(600);
/// How long a reservation that is never settled holds its amount when the policy does not say.
pub const DEFAULT_RESERVATION_EXPIRY: Duration = Duration::from_secs(120);

/// What a rule, `default` or `writes` does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Allow,
    Deny,
    Approve,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Deny => "deny",
            Action::Approve => "approve",
        }
    }
}

/// One `[[rule]]`.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The `match` text, as written: what refusals name as `rule`.
    pub text: String,
    method: Option<String>,
    endpoint: String,
    pattern: Vec<String>,
    pub action: Action,
    /// `as = "operator"`: the request is sent with the operator key.
    pub as_operator: bool,
}

/// The spending caps, in atomic units of the service's currency.
#[derive(Debug, Clone)]
pub struct Spend {
    pub currency: String,
    pub decimals: u32,
    pub per_request: Option<i128>,
    pub window: Option<i128>,
    pub window_length: Duration,
    pub reservation_expiry: Duration,
}

impl Spend {
    pub fn amount(&self, atomic: i128) -> Amount {
        Amount::from_atomic(atomic, self.decimals, self.currency.clone())
    }
}

/// A parsed, checked policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub default: Action,
    pub writes: Option<Action>,
    pub requests_per_minute: Option<u32>,
    pub approval_expiry: Duration,
    pub spend: Option<Spend>,
    pub rules: Vec<Rule>,
    /// The source text, kept with the profile and shown by `policy show`.
    pub source: String,
}

/// What the policy says of one request.
#[derive(Debug, Clone)]
pub struct Decision {
    pub action: Action,
    /// The rule that decided: a `match` text, `default`, `writes`, `spend.per_request`.
    pub rule: String,
    /// A `[[rule]]` of the policy decided (not `default` or `writes`): only such an explicit
    /// rule opens a route that issues credentials.
    pub from_rule: bool,
    pub as_operator: bool,
    /// The amount the request moves or reserves, when it is a money request.
    pub amount: Option<i128>,
    /// Why it is refused, for a refusal.
    pub message: String,
}

impl Decision {
    pub fn to_json(&self, spend: Option<&Spend>) -> Value {
        json!({
            "decision": self.action.as_str(),
            "rule": self.rule,
            "as_operator": self.as_operator,
            "amount": self.amount.zip(spend).map(|(a, s)| serde_json::to_value(s.amount(a)).unwrap_or(Value::Null)),
            "message": self.message,
        })
    }
}

/// The raw file, before checking. Every field is spanned so that a refusal names its line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    default: Option<toml::Spanned<String>>,
    writes: Option<toml::Spanned<String>>,
    requests_per_minute: Option<toml::Spanned<i64>>,
    approval_expiry: Option<toml::Spanned<String>>,
    spend: Option<RawSpend>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpend {
    per_request: Option<toml::Spanned<AmountText>>,
    window: Option<toml::Spanned<AmountText>>,
    window_length: Option<toml::Spanned<String>>,
    reservation_expiry: Option<toml::Spanned<String>>,
}

/// An amount written as a string (`"25"`) or a number (`25`, `2.5`).
#[derive(Deserialize)]
#[serde(untagged)]
enum AmountText {
    Text(String),
    Int(i64),
    Float(f64),
}

impl AmountText {
    fn text(&self) -> String {
        match self {
            AmountText::Text(s) => s.clone(),
            AmountText::Int(n) => n.to_string(),
            AmountText::Float(f) => f.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(rename = "match")]
    matches: toml::Spanned<String>,
    action: toml::Spanned<String>,
    #[serde(rename = "as")]
    acting: Option<toml::Spanned<String>>,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

struct Checker<'a> {
    text: &'a str,
    file: &'a str,
}

impl Checker<'_> {
    fn refuse(&self, span: std::ops::Range<usize>, why: impl std::fmt::Display) -> Error {
        Error::usage(format!(
            "{} line {}: {why}",
            self.file,
            line_of(self.text, span.start)
        ))
        .with_hint("fix that line and set the policy again; nothing was changed")
    }

    /// The TOML itself, or its parser's refusal with the line.
    fn raw(&self) -> Result<RawPolicy> {
        let (text, file) = (self.text, self.file);
        toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            let message = e.message().trim().to_owned();
            Error::usage(match line {
                Some(line) => format!("{file} line {line}: {message}"),
                None => format!("{file}: {message}"),
            })
            .with_hint("fix the policy file (see `agentcred policy --help` for the format); nothing was changed")
        })
    }

    /// `value` (the field `what`) as one of the `allowed` actions.
    fn action(
        &self,
        value: &toml::Spanned<String>,
        allowed: &[Action],
        what: &str,
    ) -> Result<Action> {
        let found = match value.get_ref().as_str() {
            "allow" => Some(Action::Allow),
            "deny" => Some(Action::Deny),
            "approve" => Some(Action::Approve),
            _ => None,
        };
        match found {
            Some(a) if allowed.contains(&a) => Ok(a),
            _ => Err(self.refuse(
                value.span(),
                format!(
                    "{what} = \"{}\" is not one of {}",
                    value.get_ref(),
                    allowed
                        .iter()
                        .map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// `v` (the field `what`) as a duration longer than zero.
    fn duration(&self, v: &toml::Spanned<String>, what: &str) -> Result<Duration> {
        crate::duration::parse(v.get_ref())
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                self.refuse(
                    v.span(),
                    format!(
                        "{what} = \"{}\" is not a duration; write it like \"90s\", \"10m\", \"24h\", \"30d\"",
                        v.get_ref()
                    ),
                )
            })
    }

    fn requests_per_minute(&self, v: Option<&toml::Spanned<i64>>) -> Result<Option<u32>> {
        match v {
            Some(v) if *v.get_ref() < 1 || *v.get_ref() > 1_000_000 => Err(self.refuse(
                v.span(),
                "requests_per_minute must be a whole number from 1 to 1000000",
            )),
            Some(v) => Ok(Some(*v.get_ref() as u32)),
            None => Ok(None),
        }
    }

    /// The `[spend]` table, in the currency of `spec`'s money requests (refused for a service
    /// none of whose requests moves money).
    fn spend(&self, raw: &RawSpend, spec: &ServiceSpec) -> Result<Spend> {
        let Some((currency, decimals)) = spec.boundary.currency else {
            return Err(Error::usage(format!(
                "{}: [spend] caps spending, but no {} request moves money",
                self.file, spec.display_name
            ))
            .with_hint("remove the [spend] table; nothing was changed"));
        };
        let amount = |v: &Option<toml::Spanned<AmountText>>, what: &str| {
            let Some(v) = v else { return Ok(None) };
            let text = v.get_ref().text();
            Amount::parse_user(&text, decimals, currency)
                .ok()
                .filter(|a| a.atomic() >= 0)
                .map(|a| Some(a.atomic()))
                .ok_or_else(|| {
                    self.refuse(
                        v.span(),
                        format!(
                            "spend.{what} = \"{text}\" is not an amount of {currency} (at most {decimals} decimals, not negative)"
                        ),
                    )
                })
        };
        let per_request = amount(&raw.per_request, "per_request")?;
        let window = amount(&raw.window, "window")?;
        let window_length = match (&raw.window_length, &raw.window) {
            (Some(v), _) => self.duration(v, "spend.window_length")?,
            (None, Some(w)) => {
                return Err(self.refuse(
                    w.span(),
                    "spend.window needs spend.window_length (e.g. \"24h\" or \"30d\")",
                ));
            }
            (None, None) => Duration::from_secs(24 * 3600),
        };
        let reservation_expiry = match &raw.reservation_expiry {
            Some(v) => self.duration(v, "spend.reservation_expiry")?,
            None => DEFAULT_RESERVATION_EXPIRY,
        };
        Ok(Spend {
            currency: currency.to_owned(),
            decimals,
            per_request,
            window,
            window_length,
            reservation_expiry,
        })
    }

    /// One `[[rule]]`: its `match` text against `spec`'s endpoints, its action and `as`.
    fn rule(&self, raw: &RawRule, spec: &ServiceSpec) -> Result<Rule> {
        let text = raw.matches.get_ref().trim();
        let (method, endpoint, pattern) = self.match_text(&raw.matches, spec)?;
        let action = self.action(
            &raw.action,
            &[Action::Allow, Action::Deny, Action::Approve],
            "action",
        )?;
        let as_operator = match &raw.acting {
            None => false,
            Some(v) if v.get_ref() == "operator" => {
                if spec.operator.is_none() {
                    return Err(self.refuse(
                        v.span(),
                        format!("{} has no operator key", spec.display_name),
                    ));
                }
                if action == Action::Deny {
                    return Err(self.refuse(
                        v.span(),
                        "as = \"operator\" applies to allow and approve rules only",
                    ));
                }
                true
            }
            Some(v) => {
                return Err(self.refuse(
                    v.span(),
                    format!("as = \"{}\": the only value is \"operator\"", v.get_ref()),
                ));
            }
        };
        Ok(Rule {
            text: text.to_owned(),
            method,
            endpoint,
            pattern: pattern
                .into_iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
            action,
            as_operator,
        })
    }

    /// `METHOD ENDPOINT:PATH` as its method (`None` for `*`), endpoint and path segments.
    fn match_text(
        &self,
        matches: &toml::Spanned<String>,
        spec: &ServiceSpec,
    ) -> Result<(Option<String>, String, Vec<String>)> {
        let text = matches.get_ref().trim();
        let bad = |why: String| self.refuse(matches.span(), why);
        let (method, target) = text.split_once(char::is_whitespace).ok_or_else(|| {
            bad(format!(
                "match = \"{text}\" is not METHOD ENDPOINT:PATH (e.g. \"GET wallet:/api/**\")"
            ))
        })?;
        let method = method.trim();
        let method = if method == "*" {
            None
        } else if !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphabetic()) {
            Some(method.to_ascii_uppercase())
        } else {
            return Err(bad(format!("'{method}' is not an HTTP method or *")));
        };
        let (endpoint, path) = target.trim().split_once(':').ok_or_else(|| {
            bad(format!(
                "'{}' is not ENDPOINT:PATH (e.g. wallet:/api/**)",
                target.trim()
            ))
        })?;
        let endpoint = endpoint.trim().to_ascii_lowercase();
        if spec.endpoint(&endpoint).is_none() {
            let names: Vec<&str> = spec.endpoints.iter().map(|e| e.name).collect();
            return Err(bad(format!(
                "{} has no endpoint '{endpoint}'; its endpoints are {}",
                spec.display_name,
                names.join(", ")
            )));
        }
        if !path.starts_with('/') {
            return Err(bad(format!("the path '{path}' must start with /")));
        }
        let pattern = segments(path);
        if pattern
            .iter()
            .any(|s| s.contains("**") && s.as_str() != "**")
        {
            return Err(bad("** must be a whole path segment".to_owned()));
        }
        Ok((method, endpoint, pattern))
    }
}

impl Policy {
    /// Parse and check `text` (named `file` in messages) for a profile of `provider`.
    pub fn parse(text: &str, file: &str, provider: Provider) -> Result<Policy> {
        let check = Checker { text, file };
        let raw = check.raw()?;
        let spec = provider.spec();
        let default = match &raw.default {
            Some(v) => check.action(v, &[Action::Allow, Action::Deny], "default")?,
            None => Action::Deny,
        };
        let writes = match &raw.writes {
            Some(v) => {
                Some(check.action(v, &[Action::Allow, Action::Approve, Action::Deny], "writes")?)
            }
            None => None,
        };
        let requests_per_minute = check.requests_per_minute(raw.requests_per_minute.as_ref())?;
        let approval_expiry = match &raw.approval_expiry {
            Some(v) => check.duration(v, "approval_expiry")?,
            None => DEFAULT_APPROVAL_EXPIRY,
        };
        let spend = match &raw.spend {
            Some(raw_spend) => Some(check.spend(raw_spend, spec)?),
            None => None,
        };
        let rules = raw
            .rule
            .iter()
            .map(|raw_rule| check.rule(raw_rule, spec))
            .collect::<Result<Vec<_>>>()?;
        Ok(Policy {
            default,
            writes,
            requests_per_minute,
            approval_expiry,
            spend,
            rules,
            source: text.to_owned(),
        })
    }

    /// What this policy does with `method /endpoint/path` carrying `body`. The path is the
    /// part after the endpoint, as the gateway received it (still percent-encoded).
    pub fn decide(
        &self,
        provider: Provider,
        method: &str,
        endpoint: &str,
        path: &str,
        body: &[u8],
    ) -> Decision {
        let method = method.to_ascii_uppercase();
        let endpoint = endpoint.to_ascii_lowercase();
        let Some(decoded) = decode_path(path) else {
            return refusal(
                "default",
                "the path is not valid percent-encoded UTF-8".to_owned(),
            );
        };
        let segs: Vec<String> = segments(&decoded)
            .into_iter()
            .map(|s| s.to_ascii_lowercase())
            .collect();
        let matched = self.rules.iter().find(|rule| {
            rule.method.as_deref().is_none_or(|m| m == method)
                && rule.endpoint == endpoint
                && glob(&rule.pattern, &segs)
        });
        let (action, rule, as_operator) = match matched {
            Some(rule) => (rule.action, rule.text.clone(), rule.as_operator),
            None => match self.writes {
                Some(writes) if !matches!(method.as_str(), "GET" | "HEAD") => {
                    (writes, "writes".to_owned(), false)
                }
                _ => (self.default, "default".to_owned(), false),
            },
        };
        let from_rule = matched.is_some();
        if action == Action::Deny {
            return Decision {
                action,
                message: format!(
                    "the profile's policy denies {method} {endpoint}:{decoded} ({rule})"
                ),
                rule,
                from_rule,
                as_operator,
                amount: None,
            };
        }
        let decision = Decision {
            action,
            rule,
            from_rule,
            as_operator,
            amount: None,
            message: String::new(),
        };
        match money_route(provider, &method, &endpoint, &segs) {
            Some(route) => self.weigh(decision, route, body),
            None => decision,
        }
    }

    /// `decision` for a request that moves money by `route`: its amount recorded, and refused
    /// when the `[spend]` caps say so.
    fn weigh(&self, mut decision: Decision, route: &MoneyRoute, body: &[u8]) -> Decision {
        let amount = read_amount(route, body);
        let Some(spend) = &self.spend else {
            // No caps: the amount is still recorded when it can be read.
            decision.amount = amount.ok().flatten();
            return decision;
        };
        match amount {
            Ok(None) => decision,
            Err(why) => refusal("spend.per_request", format!("{}: {why}", route.what)),
            Ok(Some(atomic)) => {
                if let Some(currency) = route
                    .currency_field
                    .and_then(|p| json_at(body, p))
                    .and_then(|v| v.as_str().map(str::to_owned))
                    && !currency.eq_ignore_ascii_case(&spend.currency)
                {
                    return refusal(
                        "spend.per_request",
                        format!(
                            "{} in {currency}: the policy's caps count {} only",
                            route.what, spend.currency
                        ),
                    );
                }
                decision.amount = Some(atomic);
                if let Some(cap) = spend.per_request
                    && atomic > cap
                {
                    let mut refused = refusal(
                        "spend.per_request",
                        format!(
                            "{} of {} is over the per-request cap of {}",
                            route.what,
                            spend.amount(atomic).human(),
                            spend.amount(cap).human()
                        ),
                    );
                    refused.amount = Some(atomic);
                    return refused;
                }
                decision
            }
        }
    }
}

fn refusal(rule: &str, message: String) -> Decision {
    Decision {
        action: Action::Deny,
        rule: rule.to_owned(),
        from_rule: false,
        as_operator: false,
        amount: None,
        message,
    }
}

/// The decision when a profile has no policy: everything is allowed (money is still counted
/// where it can be read, for the audit log).
pub fn no_policy(
    provider: Provider,
    method: &str,
    endpoint: &str,
    path: &str,
    body: &[u8],
) -> Decision {
    let method = method.to_ascii_uppercase();
    let endpoint = endpoint.to_ascii_lowercase();
    let segs: Vec<String> = decode_path(path)
        .map(|p| {
            segments(&p)
                .into_iter()
                .map(|s| s.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let amount = money_route(provider, &method, &endpoint, &segs)
        .and_then(|route| read_amount(route, body).ok().flatten());
    Decision {
        action: Action::Allow,
        rule: "default".to_owned(),
        from_rule: false,
        as_operator: false,
        amount,
        message: String::new(),
    }
}

/// A request to a route that issues, exchanges or revokes credentials is refused (rule
/// `credential_route`) unless an explicit `[[rule]]` allows or holds it: `default` and
/// `writes` never open one, nor does the absence of a policy.
pub fn guard_credential_route(
    provider: Provider,
    method: &str,
    endpoint: &str,
    path: &str,
    decision: Decision,
) -> Decision {
    if decision.action == Action::Deny || (decision.from_rule && decision.action != Action::Deny) {
        return decision;
    }
    let decoded = decode_path(path).unwrap_or_else(|| path.to_owned());
    if !provider
        .spec()
        .issues_credentials(method, endpoint, &decoded)
    {
        return decision;
    }
    refusal(
        "credential_route",
        format!(
            "{} /{endpoint}{decoded} issues or revokes {} credentials; neither the gateway nor the MCP server forwards it unless the profile's policy has a rule that allows it",
            method.to_ascii_uppercase(),
            provider.display_name()
        ),
    )
}

/// Whether `method endpoint:path` is one of the service's money requests.
pub fn is_money(provider: Provider, method: &str, endpoint: &str, path: &str) -> bool {
    let segs: Vec<String> = decode_path(path)
        .map(|p| {
            segments(&p)
                .into_iter()
                .map(|s| s.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    money_route(
        provider,
        &method.to_ascii_uppercase(),
        &endpoint.to_ascii_lowercase(),
        &segs,
    )
    .is_some()
}

fn money_route(
    provider: Provider,
    method: &str,
    endpoint: &str,
    segs: &[String],
) -> Option<&'static MoneyRoute> {
    let routes: &'static [MoneyRoute] = provider.spec().boundary.money;
    routes.iter().find(|route| {
        route.method == method && route.endpoint == endpoint && {
            let pattern: Vec<String> = segments(route.path)
                .into_iter()
                .map(|s| s.to_ascii_lowercase())
                .collect();
            glob(&pattern, segs)
        }
    })
}

/// The route's amount in `body`: `Ok(None)` when the request turns out not to move money.
fn read_amount(route: &MoneyRoute, body: &[u8]) -> std::result::Result<Option<i128>, String> {
    let Some(pointer) = route.amount else {
        return Err("its amount cannot be read from the request, so no cap can count it".into());
    };
    let value = json_at(body, pointer);
    let field = pointer.trim_start_matches('/').replace('/', ".");
    match value {
        None | Some(Value::Null) if route.amount_required => Err(format!(
            "the request has no {field}, so it has no bound a cap could count"
        )),
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .filter(|n| *n >= 0)
            .map(|n| Some(n as i128))
            .ok_or_else(|| format!("{field} is not a whole, non-negative number of atomic units")),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse::<i128>()
            .map(Some)
            .map_err(|_| format!("{field} is too large")),
        Some(_) => Err(format!(
            "{field} is not a whole, non-negative number of atomic units"
        )),
    }
}

fn json_at(body: &[u8], pointer: &str) -> Option<Value> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.pointer(pointer).cloned()
}

/// The non-empty segments of a path.
fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Percent-decode a path; `None` when the result is not UTF-8.
pub fn decode_path(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Whether `path` (segments) matches `pattern` (segments, `*`, `**`, `*` inside a segment).
fn glob(pattern: &[String], path: &[String]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| glob(rest, &path[skip..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((seg, path_rest)) => segment_matches(first, seg) && glob(rest, path_rest),
            None => false,
        },
    }
}

/// One segment against a pattern segment where `*` is any run of characters.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == segment;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = segment;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(after) = rest.strip_prefix(part) else {
                return false;
            };
            rest = after;
        } else if i == parts.len() - 1 {
            return rest.len() >= part.len() && rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty() || pattern.ends_with('*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(id: &str) -> Provider {
        crate::services::install();
        Provider::find(id).unwrap()
    }

    #[test]
    fn globs() {
        let p = |s: &str| segments(s);
        assert!(glob(&p("/api/**"), &p("/api")));
        assert!(glob(&p("/api/**"), &p("/api/a/b")));
        assert!(glob(&p("/v1/agents/*/cards"), &p("/v1/agents/ag_1/cards")));
        assert!(!glob(&p("/v1/agents/*/cards"), &p("/v1/agents/cards")));
        assert!(!glob(&p("/v1/agents/*/cards"), &p("/v1/agents/a/b/cards")));
        assert!(glob(&p("/**/cards"), &p("/v1/agents/a/cards")));
        assert!(glob(
            &p("/api/payment/x402*Payment"),
            &p("/api/payment/x402V3Payment")
        ));
        assert!(!glob(
            &p("/api/payment/x402*Payment"),
            &p("/api/payment/x402V3")
        ));
    }

    #[test]
    fn first_match_wins_then_writes_then_default() {
        let px = provider("proxy");
        let policy = Policy::parse(
            r#"
default = "deny"
writes = "approve"
[[rule]]
match = "GET api:/v1/agents/*"
action = "allow"
[[rule]]
match = "* api:/v1/agents/*/deregister"
action = "deny"
"#,
            "p.toml",
            px,
        )
        .unwrap();
        let d = policy.decide(px, "GET", "api", "/v1/agents/ag_1", b"");
        assert_eq!(
            (d.action, d.rule.as_str()),
            (Action::Allow, "GET api:/v1/agents/*")
        );
        let d = policy.decide(px, "GET", "api", "/v1/%61gents/AG_1", b"");
        assert_eq!(d.action, Action::Allow, "encoded and cased paths match");
        let d = policy.decide(px, "POST", "api", "/v1/agents/x/deregister", b"");
        assert_eq!(d.action, Action::Deny);
        let d = policy.decide(px, "POST", "api", "/v1/other", b"");
        assert_eq!((d.action, d.rule.as_str()), (Action::Approve, "writes"));
        let d = policy.decide(px, "GET", "api", "/v1/other", b"");
        assert_eq!((d.action, d.rule.as_str()), (Action::Deny, "default"));
    }

    #[test]
    fn money_requests_are_capped() {
        let px = provider("proxy");
        let policy = Policy::parse(
            r#"
default = "allow"
[spend]
per_request = "25"
window = "100"
window_length = "24h"
[[rule]]
match = "POST api:/v1/agents/*/cards"
action = "allow"
as = "operator"
"#,
            "p.toml",
            px,
        )
        .unwrap();
        let d = policy.decide(
            px,
            "POST",
            "api",
            "/v1/agents/a/cards",
            br#"{"maxAmount":2500}"#,
        );
        assert_eq!(
            (d.action, d.amount, d.as_operator),
            (Action::Allow, Some(2500), true)
        );
        let d = policy.decide(
            px,
            "POST",
            "api",
            "/v1/agents/a/cards",
            br#"{"maxAmount":2501}"#,
        );
        assert_eq!(
            (d.action, d.rule.as_str()),
            (Action::Deny, "spend.per_request")
        );
        let d = policy.decide(
            px,
            "POST",
            "api",
            "/v1/agents/a/cards",
            br#"{"purpose":"x"}"#,
        );
        assert_eq!(
            (d.action, d.rule.as_str()),
            (Action::Deny, "spend.per_request")
        );
        let d = policy.decide(
            px,
            "PATCH",
            "api",
            "/v1/agents/a",
            br#"{"status":"active"}"#,
        );
        assert_eq!((d.action, d.amount), (Action::Allow, None));
    }

    #[test]
    fn bad_files_name_their_line() {
        let px = provider("proxy");
        let err = Policy::parse(
            "default = \"deny\"\n\n[[rule]]\nmatch = \"GET wallet:/x\"\naction = \"allow\"\n",
            "p.toml",
            px,
        )
        .unwrap_err();
        assert!(err.message.contains("p.toml line 4"), "{}", err.message);
        assert!(
            err.message.contains("no endpoint 'wallet'"),
            "{}",
            err.message
        );
        let err = Policy::parse("default = \"maybe\"\n", "p.toml", px).unwrap_err();
        assert!(err.message.contains("line 1"), "{}", err.message);
        let err = Policy::parse("default = \"deny\"\nbogus = 1\n", "p.toml", px).unwrap_err();
        assert!(err.message.contains("line 2"), "{}", err.message);
        let err = Policy::parse("[spend]\nper_request = \"1.234\"\n", "p.toml", px).unwrap_err();
        assert!(err.message.contains("line 2"), "{}", err.message);
    }
}
