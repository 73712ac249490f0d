//! The arguments of the generic commands (clap derive types only), below both the command
//! line and the services that read them. See [`super`] for the conventions.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};

use crate::output::ColorChoice;
use crate::store::{StoreChoice, StoreKind};

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Profile to use (default: the current profile; for `register`, the provider's name);
    /// `mcp` takes it several times to serve several profiles
    #[arg(
        long = "profile",
        global = true,
        env = "AGENTCRED_PROFILE",
        value_name = "NAME",
        action = clap::ArgAction::Append,
        allow_hyphen_values = true
    )]
    pub profiles: Vec<String>,

    /// The one profile `--profile` names, filled by [`crate::cli::parse`] (which refuses
    /// several, except for `mcp`).
    #[arg(skip)]
    pub profile: Option<String>,

    /// Whether `--profile` was typed on the command line (not taken from AGENTCRED_PROFILE),
    /// filled by [`crate::cli::parse`]: a flag that cannot apply is refused, a variable is not.
    #[arg(skip)]
    pub profile_flag_given: bool,

    /// Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)
    #[arg(long, global = true)]
    pub json: bool,

    /// Where secrets are kept for new profiles and logins
    #[arg(
        long,
        global = true,
        env = "AGENTCRED_STORE",
        value_enum,
        value_name = "STORE"
    )]
    pub store: Option<StoreChoice>,

    /// Use the built-in emulator of the services (offline, fake secrets)
    #[arg(long, global = true, env = "AGENTCRED_SANDBOX", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub sandbox: bool,

    /// Never wait for input; fail with exit 2 where input would be needed
    #[arg(long, global = true, env = "AGENTCRED_NO_INPUT", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub no_input: bool,

    /// Print secrets in the output (they are hidden otherwise)
    #[arg(long, global = true)]
    pub reveal: bool,

    /// Trace HTTP requests on stderr (secrets redacted)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print only data and errors, no status lines
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

impl From<&GlobalArgs> for crate::context::Globals {
    fn from(args: &GlobalArgs) -> Self {
        crate::context::Globals {
            profiles: args.profiles.clone(),
            profile: args.profile.clone(),
            profile_flag_given: args.profile_flag_given,
            json: args.json,
            store: args.store,
            sandbox: args.sandbox,
            no_input: args.no_input,
            reveal: args.reveal,
            verbose: args.verbose,
            quiet: args.quiet,
            color: args.color,
        }
    }
}

pub use crate::service::{Frequency, LimitAction};

// The domain enums stay free of clap; the command line spells them by their own names.
impl ValueEnum for Frequency {
    fn value_variants<'a>() -> &'a [Self] {
        &Frequency::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

impl ValueEnum for LimitAction {
    fn value_variants<'a>() -> &'a [Self] {
        &LimitAction::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Refresh only if the current credential expires within this duration (e.g. 5m)
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::clap_parser, allow_hyphen_values = true)]
    pub if_expiring_within: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Minimum remaining validity of the printed credential
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::clap_parser, allow_hyphen_values = true, default_value = "60s")]
    pub min_valid: Duration,
    /// Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)
    #[arg(long, env = "AGENTCRED_REASON", value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Every profile: local facts only (no network), or with --check, checked concurrently
    #[arg(long)]
    pub all: bool,
    /// Judge whether the profile can act now and exit with one code (0 ok, 4 invalid, 6
    /// unknown, 7 store unavailable, 8 may not act)
    #[arg(long)]
    pub check: bool,
    /// With --check: a credential must stay valid this long
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::clap_parser, allow_hyphen_values = true, default_value = "60s", requires = "check")]
    pub min_valid: std::time::Duration,
    /// With --check: at least this much budget must remain (in the budget's currency)
    #[arg(
        long,
        value_name = "AMOUNT",
        requires = "check",
        allow_negative_numbers = true
    )]
    pub min_remaining: Option<String>,
    /// Network of the wallet balance, for services with a wallet (default base)
    #[arg(long, value_name = "NET")]
    pub network: Option<String>,
    /// Number of recent wallet transactions (1-100, default 20)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub tx_limit: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum LimitsCommand {
    /// Show the spending limit, current spend and what remains
    Show,
    /// Change the spending limit
    Set(LimitsSetArgs),
}

#[derive(Debug, Args)]
pub struct LimitsSetArgs {
    /// Spending limit in dollars
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub spending_limit: Option<String>,
    /// The period over which spending counts against --spending-limit
    #[arg(long, value_enum, value_name = "FREQ")]
    pub frequency: Option<Frequency>,
    /// What the service does when the agent reaches its limit
    #[arg(long, value_enum, value_name = "ACTION")]
    pub on_limit_exceeded: Option<LimitAction>,
}

impl From<LimitsSetArgs> for crate::service::LimitsChange {
    fn from(args: LimitsSetArgs) -> Self {
        crate::service::LimitsChange {
            spending_limit: args.spending_limit,
            frequency: args.frequency,
            on_limit_exceeded: args.on_limit_exceeded,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Show the agent as the operator sees it
    Show,
    /// Suspend the agent: no new tokens
    Suspend(AgentReasonArgs),
    /// Reactivate a suspended agent
    Activate,
    /// Block the agent for good
    Block(AgentBlockArgs),
    /// Deregister the agent: tokens revoked, cards frozen
    Deregister(ConfirmArgs),
    /// Delete the agent and all its verifiers
    Delete(ConfirmArgs),
}

impl From<AgentCommand> for crate::service::AgentAction {
    fn from(command: AgentCommand) -> Self {
        use crate::service::AgentAction;
        match command {
            AgentCommand::Show => AgentAction::Show,
            AgentCommand::Suspend(args) => AgentAction::Suspend {
                reason: args.reason,
            },
            AgentCommand::Activate => AgentAction::Activate,
            AgentCommand::Block(args) => AgentAction::Block {
                reason: args.reason,
                yes: args.confirm.yes,
            },
            AgentCommand::Deregister(args) => AgentAction::Deregister { yes: args.yes },
            AgentCommand::Delete(args) => AgentAction::Delete { yes: args.yes },
        }
    }
}

#[derive(Debug, Args)]
pub struct AgentReasonArgs {
    /// Why, recorded by the service with the change (optional)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct AgentBlockArgs {
    /// Why, recorded by the service with the block
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// List profiles
    List(ProfilesListArgs),
    /// Show one profile (default: the selected one)
    Show(ProfileNameOpt),
    /// Make a profile the current one
    Use(ProfileName),
    /// Delete a profile's local secrets and config (nothing is revoked on the service); a
    /// profile kept in the vault is only forgotten on this host unless --purge is given
    Remove(ProfileRemoveArgs),
    /// Move a profile's secrets to another store (copy, verify, then delete the old copies)
    Move(ProfileMoveArgs),
}

#[derive(Debug, Args)]
pub struct ProfilesListArgs {
    /// Print only the names, one per line (for scripts and shell completion; --json prints
    /// the full list as usual)
    #[arg(long)]
    pub names: bool,
}

#[derive(Debug, Args)]
pub struct ProfileRemoveArgs {
    /// The profile to remove
    pub name: String,
    /// Also destroy the profile's shared document in the vault, every version of it, for every
    /// host (asks for confirmation; --yes otherwise)
    #[arg(long)]
    pub purge: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct ProfileMoveArgs {
    /// The profile to move
    pub name: String,
    /// The store to move the profile's secrets to
    #[arg(long, value_enum, value_name = "STORE")]
    pub to_store: StoreKind,
}

#[derive(Debug, Args)]
pub struct ProfileNameOpt {
    /// The profile's name (`profiles list` shows them)
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProfileName {
    /// The profile's name (`profiles list` shows them)
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Run the emulator in the foreground and print each service's base URL
    Serve(SandboxServeArgs),
    /// Play the owner of a sandbox profile's agent: approve it (which funds its wallet), or
    /// take the approval back with --revoke
    Approve(SandboxApproveArgs),
}

#[derive(Debug, Args)]
pub struct SandboxApproveArgs {
    /// Take the owner's approval back instead (the wallet refuses the agent again)
    #[arg(long)]
    pub revoke: bool,
}

#[derive(Debug, Args)]
pub struct SandboxServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// State file (default: the one `--sandbox` uses)
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print a completion script for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Minimum remaining validity of the credential the command gets (raised to what the
    /// service's own tools need; not used with --gateway, which keeps it fresh)
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::clap_parser, allow_hyphen_values = true, default_value = "60s")]
    pub min_valid: Duration,
    /// Give the command no credential at all: start the credential gateway on 127.0.0.1 and
    /// point the command's base URLs at it
    #[arg(long)]
    pub gateway: bool,
    /// Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)
    #[arg(long, env = "AGENTCRED_REASON", value_name = "TEXT")]
    pub reason: Option<String>,
    /// Run the command where it cannot reach any stored credential (Linux): agentcred's
    /// directories, the keyring, the session bus, vault tokens and agentcred's own process are
    /// out of its reach. Without every protection the command is not started, unless
    /// `=best-effort`
    #[arg(
        long,
        value_name = "MODE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "required",
        value_enum
    )]
    pub isolate: Option<crate::isolate::Mode>,
    /// With --gateway: mint a credential for this run only (named agentcred-run-ID at the
    /// service) and revoke it when the run ends
    #[arg(long, requires = "gateway")]
    pub ephemeral: bool,
    /// The command to run and its arguments (after `--`)
    #[arg(
        value_name = "CMD",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_hint = clap::ValueHint::CommandWithArguments
    )]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct GatewayArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)
    #[arg(long, env = "AGENTCRED_REASON", value_name = "TEXT")]
    pub reason: Option<String>,
    /// Mint a credential for this gateway only (named agentcred-run-ID at the service) and
    /// revoke it when the gateway stops
    #[arg(long)]
    pub ephemeral: bool,
}

#[derive(Debug, Args)]
pub struct McpArgs {
    /// Let the `request` tool send methods other than GET (POST, PATCH, PUT, DELETE)
    #[arg(long)]
    pub allow_writes: bool,
    /// Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)
    #[arg(long, env = "AGENTCRED_REASON", value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse
    /// or names an unknown endpoint is refused with its line, and nothing changes
    Set(PolicySetArgs),
    /// Show a profile's policy (default: the selected profile)
    Show(ProfileNameOpt),
    /// Remove a profile's policy: the gateway then forwards every request again
    Clear(ProfileName),
    /// Dry-run a request against the selected profile's policy: the decision, the rule that
    /// decided and the amount it would reserve (exit 0 whatever the decision)
    Check(PolicyCheckArgs),
}

#[derive(Debug, Args)]
pub struct PolicySetArgs {
    /// The profile the policy is for
    #[arg(value_name = "PROFILE")]
    pub profile: String,
    /// The policy file (TOML; `-` for stdin)
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct PolicyCheckArgs {
    /// The request's method (GET, POST, ...)
    #[arg(value_name = "METHOD")]
    pub method: String,
    /// ENDPOINT:PATH (`api:/v1/agents/ag_1/cards`), or the gateway's `/ENDPOINT/PATH` or URL
    #[arg(value_name = "URL")]
    pub target: String,
    /// The request body (JSON), for money requests and approvals
    #[arg(long, value_name = "FILE")]
    pub body: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// Requests held for approval (with --all, also those decided, used or expired)
    List(ApprovalsListArgs),
    /// Let one held request through once (run it outside the agent's own terminal)
    Approve(ApprovalId),
    /// Refuse a held request
    Deny(ApprovalId),
}

#[derive(Debug, Args)]
pub struct ApprovalsListArgs {
    /// Also show approvals that were decided, used or expired
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ApprovalId {
    /// The approval's id (`apr_...`), from the refused request or `approvals list`
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// Only entries younger than this (e.g. 1h, 2d)
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::clap_parser)]
    pub since: Option<Duration>,
    /// Keep printing entries as they are appended, until interrupted
    #[arg(long)]
    pub follow: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the log's hash chain; exit 8 (audit_broken) naming the first bad line
    Verify,
}

#[derive(Debug, Args)]
pub struct FreezeArgs {
    /// The profile to freeze (default: the selected one)
    #[arg(value_name = "PROFILE", conflicts_with = "all")]
    pub name: Option<String>,
    /// Freeze every profile
    #[arg(long)]
    pub all: bool,
    /// Also act at the service: suspend the agent where the service has a suspension, and
    /// revoke spare and run credentials
    #[arg(long)]
    pub upstream: bool,
    /// Why (recorded with the freeze and shown by every refusal)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct UnfreezeArgs {
    /// The profile to unfreeze (default: the selected one)
    #[arg(value_name = "PROFILE", conflicts_with = "all")]
    pub name: Option<String>,
    /// Unfreeze every profile
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum LeaksCommand {
    /// Look for every stored secret value (and its JSON, percent and base64 encodings) in files
    Scan(LeaksScanArgs),
}

#[derive(Debug, Args)]
pub struct LeaksScanArgs {
    /// Files and directories to scan (directories are walked)
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<std::path::PathBuf>,
    /// Replace each leaked credential the service lets agentcred replace, then scan again
    #[arg(long)]
    pub rotate: bool,
}
