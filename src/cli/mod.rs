//! The command line: the clap types (in [`args`] and here) and the parsing around them (a
//! repeated `--profile` refused except for `mcp`, environment values checked, the services'
//! names added from the registry). No command runs here.
//!
//! Conventions:
//! - Global flags (`--profile`, `--json`, `--store`, `--sandbox`, `--no-input`, `--reveal`, `-v`,
//!   `-q`, `--color`) work before or after the subcommand, and each has an environment variable
//!   where the contract gives one.
//! - Secrets never enter through argv: there is no flag that takes a secret. They come from
//!   stdin, a hidden prompt, or (operator keys) the environment.
//! - Values are the services' own spellings (`perMonth`, `eip155:8453`); durations are written
//!   `90s`, `10m`, `1h`; amounts are decimal in the currency's unit (`12.50`).

pub mod args;
pub mod registry;

use clap::{Args, Parser, Subcommand};

use crate::services;
use args::{
    AgentCommand, ApprovalsCommand, AuditArgs, CompletionsArgs, ExecArgs, FreezeArgs, GatewayArgs,
    GlobalArgs, LeaksCommand, LimitsCommand, McpArgs, PolicyCommand, ProfilesCommand, RefreshArgs,
    SandboxCommand, StatusArgs, TokenArgs, UnfreezeArgs,
};
pub use registry::{RegisterCommand, ServiceCommand};

/// The services' names are added by [`command`] from the registry.
#[derive(Debug, Parser)]
#[command(
    name = "agentcred",
    version,
    after_help = "Exit codes: 0 ok, 1 internal error, 2 usage, 3 not found, 4 auth failed, 5 conflict, \
        6 service unavailable, 7 credential store failed, 8 refused by a limit or policy."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register a new agent with a service and store its credentials
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Store a service's operator (organization) key, from stdin or a prompt
    Login(LoginArgs),
    /// Remove stored operator credentials (does not revoke them on the service)
    Logout(LoginArgs),
    /// Get a new short-lived credential (JWT or access token) for the profile
    Refresh(RefreshArgs),
    /// Print a bearer credential valid for at least --min-valid, refreshing first if needed
    Token(TokenArgs),
    /// Show the agent's state at the service and the profile's local credential facts
    Status(StatusArgs),
    /// Run a command with the profile's short-lived credential and endpoints in its
    /// environment (or, with --gateway, with no credential at all)
    Exec(ExecArgs),
    /// Run the credential gateway in the foreground: a loopback server that attaches the
    /// profile's credential to requests sent with its token
    Gateway(GatewayArgs),
    /// Stop every use of a profile's credentials at once (token, refresh, exec, gateways, mcp)
    Freeze(FreezeArgs),
    /// Lift a freeze (an agent suspended with --upstream is reactivated with `agent activate`)
    Unfreeze(UnfreezeArgs),
    /// Find stored secret values in files, and rotate what leaked
    #[command(subcommand)]
    Leaks(LeaksCommand),
    /// Serve the Model Context Protocol on stdin/stdout (tools: list_profiles, status, check,
    /// request, refresh), never returning a stored secret
    Mcp(McpArgs),
    /// The nouns of one service (its keys, verifiers, tokens, cards)
    #[command(flatten)]
    Service(ServiceCommand),
    /// Show or set the agent's spending limits
    #[command(subcommand)]
    Limits(LimitsCommand),
    /// The operator's lifecycle of the profile's agent
    #[command(subcommand)]
    Agent(AgentCommand),
    /// List, show, select and remove profiles
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// What an agent may do through the gateway and MCP: rules, rate, spending caps
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Requests the policy holds for a person: list, approve or deny them
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Show the audit log of credential releases and uses (or verify its hash chain)
    Audit(AuditArgs),
    /// Run the built-in emulator of the services
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Store the secrets of a rescue file in the profile's store, record the profile, and
    /// delete the file
    Import(ImportArgs),
    /// Check what the credential stores need, and say how to fix what is wrong
    Doctor,
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the machine contract as JSON: commands, arguments, exit and error codes, and the
    /// JSON Schema of every command's --json output
    Schema,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The rescue file a failed store write left (its path is in the error, `rescue_file`)
    #[arg(value_name = "RESCUE_FILE")]
    pub rescue_file: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The service whose organization key this is
    #[arg(value_name = "SERVICE", value_parser = clap::builder::PossibleValuesParser::new(services::with_operator_keys()))]
    pub provider: String,
    /// Store the key without checking it with the service first (login only)
    #[arg(long)]
    pub no_verify: bool,
    /// A key typed as an argument: refused without being echoed (argv is visible to other
    /// processes and kept in shell history), where clap would quote it in its error.
    #[arg(value_name = "KEY", hide = true, num_args = 0.., trailing_var_arg = true)]
    pub key_in_argv: Vec<String>,
}

/// The whole command line, with the about texts naming the registered services.
pub fn command() -> clap::Command {
    let names = services::display_names();
    let mut command = <Cli as clap::CommandFactory>::command();
    // Which services each capability applies to, from the registry.
    command = command.mut_subcommand("agent", |agent| {
        let mut agent = with_services(agent, |s| s.lifecycle().is_some());
        for action in [
            "show",
            "suspend",
            "activate",
            "block",
            "deregister",
            "delete",
        ] {
            agent = agent.mut_subcommand(action, |sub| {
                with_services(sub, |s| {
                    s.lifecycle().is_some_and(|l| l.actions().contains(&action))
                })
            });
        }
        agent
    });
    command = command.mut_subcommand("limits", |limits| {
        with_services(limits, |s| s.limits().is_some()).mut_subcommand("set", |set| {
            with_services(set, |s| s.limits().is_some_and(|l| l.settable()))
        })
    });
    command
        .about(format!("Manage the credentials of AI agents: {names}"))
        .long_about(format!(
            "Manage the credentials of AI agents across {names}.\n\n\
             agentcred registers agents with each service, keeps their ids, tokens, JWTs and \
             one-time secrets in the OS keychain, refreshes short-lived credentials safely, and \
             prints amounts in both atomic and formatted units. Add --sandbox to try everything \
             offline against the built-in emulator of every service."
        ))
}

/// `about` followed by the names of the services `applies` holds for.
fn with_services(
    command: clap::Command,
    applies: impl Fn(&dyn crate::service::Service) -> bool,
) -> clap::Command {
    let about = command
        .get_about()
        .map(ToString::to_string)
        .unwrap_or_default();
    let names = services::display_names_where(applies);
    command.about(format!("{about} ({names})"))
}

/// Why the command line could not be parsed.
pub enum ParseFailure {
    /// clap's own: a usage error, or help/version to print.
    Clap(clap::Error),
    /// An environment variable standing in for a flag holds a bad value.
    Env(crate::error::Error),
}

/// Parse the process's arguments against [`command`]. Values that come from environment
/// variables are checked first, so that a bad one is reported under the variable's name (clap
/// would name the flag the user never typed).
pub fn parse() -> std::result::Result<Cli, ParseFailure> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Not `root.build()`: that builds every subcommand, and clap builds only the path the
    // arguments take; the global arguments `check_env` reads need no build.
    let root = command();
    check_env(&root, &args).map_err(ParseFailure::Env)?;
    let matches = root
        .try_get_matches_from(&args)
        .map_err(ParseFailure::Clap)?;
    let mut cli =
        <Cli as clap::FromArgMatches>::from_arg_matches(&matches).map_err(ParseFailure::Clap)?;
    cli.global.profile = one_profile(&cli).map_err(ParseFailure::Env)?;
    cli.global.profile_flag_given =
        matches.value_source("profiles") == Some(clap::parser::ValueSource::CommandLine);
    Ok(cli)
}

/// The profile every command but `mcp` acts on: `--profile` given once (or not at all).
fn one_profile(cli: &Cli) -> crate::error::Result<Option<String>> {
    match cli.global.profiles.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [first, ..] if matches!(cli.command, Command::Mcp(_)) => Ok(Some(first.clone())),
        several => Err(crate::error::Error::usage(format!(
            "--profile was given {} times ({}); this command acts on one profile",
            several.len(),
            several.join(", ")
        ))
        .with_hint("give --profile once (only `agentcred mcp` serves several profiles)")),
    }
}

/// Whether `value` is acceptable for `arg`, by the argument's own parser; the reason if not.
fn probe(arg: &clap::Arg, flag: &str, value: &std::ffi::OsStr) -> std::result::Result<(), String> {
    if matches!(arg.get_action(), clap::ArgAction::SetTrue) {
        // Boolean flags take their variable as yes/no.
        const BOOLISH: &[&str] = &[
            "y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0",
        ];
        let value = value.to_string_lossy().to_ascii_lowercase();
        return if BOOLISH.contains(&value.as_str()) {
            Ok(())
        } else {
            Err("is not a yes/no value (use 1 or 0, true or false)".to_owned())
        };
    }
    let probe = clap::Command::new("agentcred")
        .no_binary_name(true)
        .arg(arg.clone().global(false).required(false).env(None::<&str>));
    let mut given = std::ffi::OsString::from(format!("{flag}="));
    given.push(value);
    match probe.try_get_matches_from([given]) {
        Ok(_) => Ok(()),
        Err(e) => {
            let rendered = e.render().to_string();
            let line = rendered.lines().next().unwrap_or_default();
            // "invalid value 'x' for '--store <STORE>': ..." → "is not valid: ..."
            let possible: Vec<String> = arg
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_owned())
                .collect();
            Err(match line.split_once("': ") {
                Some((_, why)) => format!("is not valid: {why}"),
                None if !possible.is_empty() => format!("is not one of {}", possible.join(", ")),
                None => "is not a valid value".to_owned(),
            })
        }
    }
}

/// Run each env-backed argument's own parser on its variable, unless the flag was given.
fn check_env(root: &clap::Command, args: &[std::ffi::OsString]) -> crate::error::Result<()> {
    use crate::error::Error;
    let output = "AGENTCRED_OUTPUT";
    if let Some(value) = std::env::var_os(output) {
        let value = value.to_string_lossy();
        if !value.is_empty() && !["json", "human"].contains(&value.to_ascii_lowercase().as_str()) {
            return Err(Error::usage(format!(
                "{output} is set to '{value}', which is neither `json` nor `human`"
            ))
            .with_hint(format!("set {output}=json or {output}=human, or unset it")));
        }
    }
    for arg in root.get_arguments() {
        let (Some(var), Some(long)) = (arg.get_env(), arg.get_long()) else {
            continue;
        };
        let flag = format!("--{long}");
        let given = args.iter().any(|a| {
            let a = a.to_string_lossy();
            a == flag || a.starts_with(&format!("{flag}="))
        });
        let Some(value) = std::env::var_os(var).filter(|_| !given) else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        if let Err(reason) = probe(arg, &flag, &value) {
            let possible: Vec<String> = arg
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_owned())
                .collect();
            let hint = if possible.is_empty() {
                format!("fix or unset {}", var.to_string_lossy())
            } else {
                format!(
                    "set {} to one of {}, or unset it",
                    var.to_string_lossy(),
                    possible.join(", ")
                )
            };
            return Err(Error::usage(format!(
                "{} is set to '{}', which {reason} (it stands for {flag})",
                var.to_string_lossy(),
                value.to_string_lossy()
            ))
            .with_hint(hint));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        super::command().debug_assert();
    }
}
