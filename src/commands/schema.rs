//! `agentcred schema`: the machine contract as one JSON document (docs/cli-contract.md §9), generated from
//! the code: every command and its arguments (from clap), the exit-code and error-code tables
//! (from [`crate::error`]), and the JSON Schema of each command's `--json` output (from the
//! output views, which derive it). `--json --help` prints one command's entry of it.
//!
//! The committed copy in `docs/schema.json` is checked against this by a test, and the tests
//! validate real `--json` outputs against the schemas published here.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Ctx;
use crate::error::{Code, ErrorKind, Result};
use crate::output::{Output, SCHEMA_VERSION};
use crate::services;

/// Commands that read a secret from stdin (or a hidden prompt), with what they read. No
/// secret is ever an argument.
const STDIN_SECRETS: &[(&str, &str)] = &[(
    "login",
    "the service's operator key, on one line: `key_id:key_secret` for a key pair, or the API key",
)];

pub fn run(ctx: &Ctx) -> Result<()> {
    ctx.printer.raw(&pretty(&document()))
}

pub fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The whole document.
pub fn document() -> Value {
    let mut root = crate::cli::command();
    // Building fills in what the derive leaves implicit (how many values an option takes).
    root.build();
    let outputs = outputs();
    let mut commands = Vec::new();
    collect(&root, &[], &outputs, &mut commands);
    let global_args: Vec<Value> = root
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(argument)
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "name": "agentcred",
        "version": env!("CARGO_PKG_VERSION"),
        "services": services::SERVICES.iter().map(|s| json!({
            "id": s.spec().id,
            "name": s.spec().display_name,
        })).collect::<Vec<_>>(),
        "global_args": global_args,
        "commands": commands,
        "exit_codes": exit_codes(),
        "error_codes": Code::ALL.iter().map(|c| json!({
            "code": c.as_str(),
            "exit_code": c.kind().exit_code(),
            "meaning": c.meaning(),
        })).collect::<Vec<_>>(),
        "error_envelope": error_envelope(),
        "stderr_lines": {
            "description": "under --json every stderr line is one JSON object with schema_version and one of `notice`, `warning` ({code, message}) or `error` (the error object, last)",
            "schema": stderr_line_schema(),
            "notice_codes": crate::output::codes::NOTICES.iter().map(|(code, meaning)| json!({
                "code": code,
                "meaning": meaning,
            })).collect::<Vec<_>>(),
            "warning_codes": crate::output::codes::WARNINGS.iter().map(|(code, meaning)| json!({
                "code": code,
                "meaning": meaning,
            })).collect::<Vec<_>>(),
        },
    })
}

/// The JSON Schema of the document a failed command writes last on stderr under `--json`.
fn error_envelope() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "agentcred error envelope",
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "error": crate::error::Error::body_schema(),
        },
        "required": ["schema_version", "error"],
        "additionalProperties": false,
    })
}

/// The JSON Schema of one stderr line under `--json`: a notice, a warning or the error.
fn stderr_line_schema() -> Value {
    let line = |kind: &str, what: &str, codes: &[(&str, &str)]| {
        let codes: Vec<&str> = codes.iter().map(|(code, _)| *code).collect();
        json!({
            "type": "object",
            "properties": {
                "schema_version": {"const": SCHEMA_VERSION},
                kind: {
                    "description": what,
                    "type": "object",
                    "properties": {
                        "code": {"enum": codes},
                        "message": {"type": "string"},
                        "applied": {"type": "array", "items": {"type": "string"}, "description": "isolation, isolation_partial: the protections applied"},
                        "missing": {"type": "array", "description": "isolation_partial: each protection missing, with why and the fix"},
                        "secrets": {"type": "object", "description": "unstored_secrets: the one-time secrets no store could keep, by kind"},
                    },
                    "required": ["code", "message"],
                    "additionalProperties": false,
                },
            },
            "required": ["schema_version", kind],
            "additionalProperties": false,
        })
    };
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "agentcred stderr line",
        "oneOf": [
            line("notice", "progress or a fact worth knowing; the command goes on", crate::output::codes::NOTICES),
            line("warning", "something the user should act on; the command goes on", crate::output::codes::WARNINGS),
            error_envelope(),
        ],
    })
}

/// The entry of the command at `path` (`["keys", "list"]`), for `--json --help`.
pub fn command_entry(path: &[String]) -> Option<Value> {
    let joined = path.join(" ");
    let document = document();
    if path.is_empty() {
        return Some(document);
    }
    document["commands"]
        .as_array()?
        .iter()
        .find(|c| c["path"] == joined.as_str())
        .cloned()
        .map(|mut entry| {
            entry["schema_version"] = SCHEMA_VERSION.into();
            entry
        })
}

fn exit_codes() -> Vec<Value> {
    let mut rows = vec![json!({"exit_code": 0, "meaning": "success"})];
    for kind in [
        ErrorKind::Internal,
        ErrorKind::Usage,
        ErrorKind::NotFound,
        ErrorKind::Auth,
        ErrorKind::Conflict,
        ErrorKind::Unavailable,
        ErrorKind::Store,
        ErrorKind::Policy,
        ErrorKind::CommandNotExecutable,
        ErrorKind::CommandNotFound,
    ] {
        let codes: Vec<&str> = Code::ALL
            .iter()
            .filter(|c| c.kind() == kind)
            .map(|c| c.as_str())
            .collect();
        rows.push(json!({
            "exit_code": kind.exit_code(),
            "codes": codes,
        }));
    }
    rows
}

/// Every command's output schema by path; a path several services print for (`status`) gets
/// the `anyOf` of theirs.
fn outputs() -> BTreeMap<&'static str, Value> {
    let mut all: Vec<Output> = super::outputs();
    for service in services::SERVICES {
        all.extend(service.outputs());
    }
    let mut by_path: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    for (path, schema) in all {
        by_path.entry(path).or_default().push(schema.to_value());
    }
    by_path
        .into_iter()
        .map(|(path, mut schemas)| {
            let schema = if schemas.len() == 1 {
                schemas.remove(0)
            } else {
                json!({ "anyOf": schemas })
            };
            (path, schema)
        })
        .collect()
}

fn collect(
    command: &clap::Command,
    parents: &[&str],
    outputs: &BTreeMap<&'static str, Value>,
    out: &mut Vec<Value>,
) {
    // clap's generated `help` subcommands are not commands of agentcred.
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut path = parents.to_vec();
        path.push(sub.get_name());
        let joined = path.join(" ");
        // `agent suspend` prints what `agent` prints.
        let output = outputs
            .get(joined.as_str())
            .or_else(|| outputs.get(path[0]))
            .cloned();
        let stdin_secret = STDIN_SECRETS
            .iter()
            .find(|(p, _)| *p == joined)
            .map(|(_, what)| *what);
        out.push(json!({
            "path": joined,
            "about": sub.get_about().map(ToString::to_string),
            "args": sub
                .get_arguments()
                .filter(|a| !a.is_global_set() && a.get_id() != "help")
                .map(argument)
                .collect::<Vec<_>>(),
            "subcommands": sub.get_subcommands().map(|s| s.get_name()).collect::<Vec<_>>(),
            "reads_secret_from_stdin": stdin_secret,
            "secret_inputs": stdin_secret.map(|what| vec![json!({
                "name": "operator_key",
                "source": "stdin",
                "secret": true,
                "description": what,
                "note": "read from stdin when it is not a terminal, else from a hidden prompt; never an argument",
            })]).unwrap_or_default(),
            "output": output,
        }));
        collect(sub, &path, outputs, out);
    }
}

fn argument(arg: &clap::Arg) -> Value {
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
    let kind = match arg.get_action() {
        clap::ArgAction::SetTrue | clap::ArgAction::SetFalse => "boolean",
        clap::ArgAction::Count => "count",
        _ if takes_value => "string",
        _ => "boolean",
    };
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    json!({
        "name": arg.get_id().as_str(),
        "long": arg.get_long().map(|l| format!("--{l}")),
        "short": arg.get_short().map(|s| format!("-{s}")),
        "positional": arg.is_positional(),
        "type": kind,
        "value_name": arg.get_value_names().and_then(|v| v.first()).map(ToString::to_string),
        "required": arg.is_required_set(),
        "multiple": matches!(arg.get_action(), clap::ArgAction::Append),
        "default": arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect::<Vec<_>>(),
        "possible_values": possible,
        "env": arg.get_env().map(|e| e.to_string_lossy().into_owned()),
        "help": arg.get_help().map(ToString::to_string),
        "secret": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_secret_commands_exist() {
        crate::services::install();
        let document = document();
        for (path, _) in STDIN_SECRETS {
            assert!(
                document["commands"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["path"] == *path),
                "{path}"
            );
        }
    }

    #[test]
    fn the_published_error_schemas_accept_every_field_and_only_those() {
        let full = crate::error::Error::auth("JWT rejected")
            .with_hint("run `agentcred refresh`")
            .with_provider("fluxa")
            .with_status(401)
            .with_service_code("UNAUTHORIZED")
            .with_retry_after(3)
            .with_authorization_url("https://example.test/approve")
            .with_rescue_file("/tmp/rescue.json")
            .to_json();
        let envelope = jsonschema::validator_for(&error_envelope()).unwrap();
        assert!(envelope.is_valid(&full), "{full}");
        let line = jsonschema::validator_for(&stderr_line_schema()).unwrap();
        assert!(line.is_valid(&full));
        let warning = json!({"schema_version": 1, "warning": {"code": crate::output::codes::WARNINGS[0].0, "message": "m"}});
        assert!(line.is_valid(&warning));
        // A field the schema does not name, a code not in the table, a missing message.
        let mut extra = full.clone();
        extra["error"]["extra_field"] = 1.into();
        assert!(!envelope.is_valid(&extra));
        let mut unknown = full.clone();
        unknown["error"]["code"] = "no_such_code".into();
        assert!(!envelope.is_valid(&unknown));
        assert!(!line.is_valid(&json!({"schema_version": 1, "notice": {"code": "x"}})));
        // A code the lists do not document.
        assert!(!line.is_valid(
            &json!({"schema_version": 1, "notice": {"code": "no_such_notice", "message": "m"}})
        ));
        assert!(
            !line.is_valid(&json!({"schema_version": 1, "debug": {"code": "x", "message": "m"}}))
        );
    }

    #[test]
    fn login_marks_its_operator_key_as_a_secret_read_from_stdin() {
        crate::services::install();
        let document = document();
        let login = document["commands"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == "login")
            .unwrap();
        let inputs = login["secret_inputs"].as_array().unwrap();
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0]["name"], "operator_key");
        assert_eq!(inputs[0]["source"], "stdin");
        assert_eq!(inputs[0]["secret"], true);
        // No argument carries a secret.
        assert!(
            login["args"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["secret"] == false)
        );
    }

    #[test]
    fn every_command_that_prints_json_has_a_schema() {
        crate::services::install();
        let document = document();
        let without: Vec<&str> = document["commands"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["subcommands"].as_array().unwrap().is_empty())
            .filter(|c| c["output"].is_null())
            .map(|c| c["path"].as_str().unwrap())
            .collect();
        // No JSON document by design: `exec` prints what its child prints, `mcp` speaks the
        // protocol on stdout, `completions` prints a script, and `schema` is this document.
        assert_eq!(
            without,
            ["exec", "mcp", "completions", "schema"],
            "{without:?}"
        );
    }
}
