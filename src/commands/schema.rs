//! `agentcred schema`: the machine contract as one JSON document (contract §9), generated from
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
        "stderr_lines": {
            "description": "under --json every stderr line is one JSON object with schema_version and one of `notice`, `warning` ({code, message}) or `error` (the error object, last)",
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
