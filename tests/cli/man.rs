//! The man pages' own sections: ENVIRONMENT, FILES, EXIT STATUS and EXAMPLES, which clap's
//! definitions do not carry. `generated.rs` renders them after clap_mangen's sections. The
//! variables a service defines (its URL overrides, its operator key, its tools' variables) are
//! read from the registry, so a new service appears here with no edit.

use agentcred::services::SERVICES;

/// One entry of a section: a term (a variable, a file, a command line) and what it means.
pub struct Entry {
    pub term: String,
    pub text: String,
}

fn entry(term: impl Into<String>, text: impl Into<String>) -> Entry {
    Entry {
        term: term.into(),
        text: text.into(),
    }
}

/// The sections of the page for the command at `path` (`""` for `agentcred` itself,
/// `"keys create"`), in the order they appear.
pub fn sections(path: &str) -> Vec<(&'static str, Vec<Entry>)> {
    let mut out = vec![("ENVIRONMENT", environment(path))];
    if path.is_empty() {
        out.push(("FILES", files()));
    }
    out.push(("EXIT STATUS", exit_status(path)));
    out.push(("EXAMPLES", examples(path)));
    out
}

fn service_urls() -> Vec<String> {
    SERVICES
        .iter()
        .flat_map(|s| s.spec().endpoints.iter().map(|e| e.env_var.to_owned()))
        .collect()
}

fn operator_vars() -> Vec<String> {
    SERVICES
        .iter()
        .filter_map(|s| s.spec().operator.as_ref())
        .flat_map(|o| o.env_vars())
        .map(str::to_owned)
        .collect()
}

/// Each service's tool variables: (service, variable, what it holds).
fn tool_vars() -> Vec<(String, String, String)> {
    use agentcred::spec::ToolValue;
    let mut out = Vec::new();
    for service in SERVICES {
        let spec = service.spec();
        for tool in spec.tool_env {
            let holds = match tool.value {
                ToolValue::AgentId => "the agent id".to_owned(),
                ToolValue::Credential { jwt_shaped } => format!(
                    "the agent's credential, valid for at least {}s or --min-valid, whichever is longer; with --gateway the gateway token{}",
                    spec.min_child_validity.as_secs(),
                    if jwt_shaped {
                        ", shaped as an unsigned JWT with a far exp so the tool accepts it"
                    } else {
                        ""
                    }
                ),
                ToolValue::Endpoint(name) => {
                    format!("the base URL of the {name} endpoint (the gateway's, with --gateway)")
                }
                ToolValue::Placeholder(value) => format!(
                    "the fixed value {value:?}, never a secret: the tool insists on the variable, the long-lived secret it would name never reaches CMD"
                ),
            };
            out.push((spec.display_name.to_owned(), tool.var.to_owned(), holds));
        }
    }
    out
}

/// Variables every command reads.
fn common_environment() -> Vec<Entry> {
    vec![
        entry(
            "AGENTCRED_HOME",
            "Keep all local state (config, file store, rescue files, locks, sandbox state) under this directory.",
        ),
        entry("AGENTCRED_PROFILE", "The profile to use, as --profile."),
        entry(
            "AGENTCRED_STORE",
            "Where secrets of new profiles and logins are kept, as --store (keychain, file, vault, auto).",
        ),
        entry(
            "AGENTCRED_SANDBOX",
            "1: use the built-in emulator, as --sandbox.",
        ),
        entry(
            "AGENTCRED_NO_INPUT",
            "1: never wait for input, as --no-input.",
        ),
        entry("AGENTCRED_OUTPUT", "json: print JSON, as --json."),
        entry(
            service_urls().join(", "),
            "The services' base URLs, read at register and recorded in the profile; later, a value that disagrees with the profile is refused (exit 2). Plain http:// is accepted for loopback only.",
        ),
        entry(
            operator_vars().join(", "),
            "Operator (organization) keys; they win over keys stored with login.",
        ),
        entry(
            "VAULT_ADDR, VAULT_TOKEN (or BAO_ADDR, BAO_TOKEN)",
            "The vault store's server and token; the address is recorded in the profile and a later one that disagrees is refused (exit 2).",
        ),
        entry(
            "AGENTCRED_VAULT_MOUNT",
            "The KV v2 mount of the vault store (default secret).",
        ),
        entry(
            "AGENTCRED_VAULT_LEASE",
            "How long a refresh lease lasts before another host may take it over (default 30s).",
        ),
        entry(
            "AGENTCRED_HTTP_TIMEOUT",
            "Whole-request timeout in seconds (default 30).",
        ),
        entry(
            "AGENTCRED_REASON",
            "Why, recorded in the audit log with what the run does, as --reason (exec, gateway, mcp, token).",
        ),
        entry("NO_COLOR", "No colour in human output."),
        entry(
            "AGENTCRED_SANDBOX_JWT_TTL",
            "Sandbox only: the lifetime in seconds of the JWTs the emulator issues.",
        ),
    ]
}

fn see_main_page() -> Entry {
    entry(
        "AGENTCRED_HOME, AGENTCRED_PROFILE, AGENTCRED_OUTPUT, ...",
        "The variables every command reads; see agentcred(1).",
    )
}

fn environment(path: &str) -> Vec<Entry> {
    let top = path.split(' ').next().unwrap_or_default();
    match top {
        "" => common_environment(),
        "exec" => exec_environment(),
        "gateway" => gateway_environment(),
        "mcp" => mcp_environment(),
        "login" => vec![
            entry(
                operator_vars().join(", "),
                "When set, these keys are used by operator commands instead of a stored one; login stores a key read from stdin (or a hidden prompt), never from an argument or the environment.",
            ),
            see_main_page(),
        ],
        "register" => vec![
            entry(
                service_urls().join(", "),
                "The service's base URLs for the new profile (default: the production hosts); recorded in the profile.",
            ),
            entry(
                "AGENTCRED_STORE",
                "Where the new profile's secrets go, as --store.",
            ),
            see_main_page(),
        ],
        _ => vec![see_main_page()],
    }
}

/// What `exec` sets, removes and reads, and what the child gets under each mode.
fn exec_environment() -> Vec<Entry> {
    let mut out = vec![
        entry(
            "AGENTCRED_PROFILE, AGENTCRED_PROVIDER",
            "Set for CMD: the profile and its service's id.",
        ),
        entry(
            "AGENTCRED_TOKEN",
            "Set for CMD without --gateway: the agent's bearer credential, valid for at least --min-valid: a short-lived JWT or access token, or Proxy's agent token, which does not expire. Refresh tokens, API keys and client secrets are never set.",
        ),
        entry(
            "AGENTCRED_TOKEN_EXPIRES_AT",
            "Set for CMD without --gateway: when AGENTCRED_TOKEN expires (RFC 3339); absent when it does not expire.",
        ),
        entry(
            "AGENTCRED_BASE_URL_<NAME>",
            "Set for CMD: each endpoint of the profile by name (API, WALLET, IDP, ...). With --gateway these are the gateway's loopback URLs, http://127.0.0.1:PORT/<name>.",
        ),
        entry(
            "AGENTCRED_GATEWAY_TOKEN",
            "Set for CMD with --gateway, instead of AGENTCRED_TOKEN: the random token that opens this run's gateway (send it as Authorization: Bearer); it opens nothing else and dies with the gateway.",
        ),
    ];
    for (service, var, holds) in tool_vars() {
        out.push(entry(
            var,
            format!("Set for CMD of a {service} profile, for {service}'s own tools: {holds}."),
        ));
    }
    out.push(entry(
        "AGENTCRED_ISOLATED",
        "Set for CMD with --isolate: a hint that it runs isolated from agentcred's stores (the isolation itself is what keeps them out of reach).",
    ));
    out.push(entry(
        "AGENTCRED_EXEC_PROFILES",
        "Set for CMD: the profiles whose exec it runs inside, separated by ':'. An exec of a profile already listed is refused (exit 2).",
    ));
    out.push(entry(
        format!("{}, AGENTCRED_BASE_URL_*, AGENTCRED_TOKEN*, AGENTCRED_GATEWAY_TOKEN", operator_vars().join(", ")),
        "Removed from CMD's environment when inherited: operator keys never reach CMD, and an inherited variable of a name exec sets is replaced, never merged.",
    ));
    out.push(see_main_page());
    out
}

fn gateway_environment() -> Vec<Entry> {
    vec![
        entry(
            "AGENTCRED_GATEWAY_TOKEN",
            "Printed (not set): the token a program must send as Authorization: Bearer; every other request is answered 401. Hand it to the program the way exec --gateway does.",
        ),
        entry(
            "AGENTCRED_BASE_URL_<NAME>",
            "Printed: the gateway's loopback URL for each endpoint of the profile; requests under it are forwarded to the recorded endpoint with the real credential, refreshed when less than a tenth of its lifetime is left.",
        ),
        entry(
            "the service's tools' variables",
            "Printed: the variables exec --gateway would set for the service's own tools, pointing at the gateway.",
        ),
        see_main_page(),
    ]
}

fn mcp_environment() -> Vec<Entry> {
    vec![
        entry(
            "AGENTCRED_PROFILE",
            "The profile the server serves when no --profile is given; --profile may be repeated to serve several. Without either, every profile is served.",
        ),
        entry(
            operator_vars().join(", "),
            "Read by the status and check tools for operator calls, as by the commands; never returned in a tool result.",
        ),
        entry(
            "AGENTCRED_HOME, AGENTCRED_STORE, AGENTCRED_SANDBOX, ...",
            "Read once at start, as by every command (see agentcred(1)); stdout carries protocol messages only, notices go to stderr.",
        ),
    ]
}

fn files() -> Vec<Entry> {
    vec![
        entry(
            "~/.config/agentcred/config.toml",
            "Profiles and their records (ids, endpoints, the store), mode 0600; no secret. AGENTCRED_HOME/config.toml when AGENTCRED_HOME is set.",
        ),
        entry(
            "~/.local/share/agentcred/secrets.json",
            "The file store (--store file), mode 0600. AGENTCRED_HOME/data/ when set.",
        ),
        entry(
            "~/.local/share/agentcred/rescue/",
            "0600 rescue files holding one-time secrets a store could not keep; agentcred import RESCUE_FILE stores them.",
        ),
        entry(
            "~/.local/share/agentcred/sandbox-state.json",
            "The embedded sandbox's state, shared by every --sandbox invocation.",
        ),
        entry(
            "~/.local/state/agentcred/locks/",
            "Lock files of the single-flight refresh. AGENTCRED_HOME/locks/ when set.",
        ),
        entry(
            "OS keychain",
            "The default store: service agentcred, account PROFILE:KIND (on Linux the Secret Service).",
        ),
    ]
}

fn exit_status(path: &str) -> Vec<Entry> {
    let top = path.split(' ').next().unwrap_or_default();
    let mut out = Vec::new();
    match top {
        "exec" => out.push(entry("N", "CMD's own exit code, or 128 + N when CMD died of signal N; the codes below only when CMD was not started.")),
        "status" => out.push(entry("--check", "0 ok, 4 invalid credential, 6 unknown (the service could not be asked), 7 store unavailable, 8 the agent may not act (suspended, over budget, below --min-remaining).")),
        "mcp" | "gateway" => out.push(entry("0", "The server stopped normally (stdin closed for mcp; SIGINT or SIGTERM for gateway).")),
        _ => {}
    }
    let codes = [
        ("0", "Success."),
        ("1", "Internal error."),
        (
            "2",
            "Usage: a bad argument, variable or configuration; the message names it and the fix.",
        ),
        (
            "3",
            "Not found: no such profile, key, token, card or verifier.",
        ),
        ("4", "Authentication failed: a credential was refused."),
        (
            "5",
            "Conflict: the name or resource exists, or another change won.",
        ),
        (
            "6",
            "Service unavailable or rate limited (retry_after_s in the JSON error).",
        ),
        (
            "7",
            "The credential store failed (rescue_file in the JSON error when one-time secrets were saved there).",
        ),
        (
            "8",
            "Refused by a limit or policy of the service, or no credential valid for --min-valid.",
        ),
    ];
    for (code, meaning) in codes {
        if top == "exec" && code == "0" {
            continue;
        }
        out.push(entry(code, meaning));
    }
    out.push(entry("--json", "A failure ends stderr with one JSON error envelope whose code names the error (agentcred schema lists them)."));
    out
}

fn examples(path: &str) -> Vec<Entry> {
    let e = |cmd: &str, what: &str| entry(cmd, what);
    match path {
        "" => vec![
            e(
                "agentcred --sandbox register fluxa --name demo",
                "Register an agent against the built-in emulator (no network).",
            ),
            e(
                "agentcred --profile fluxa token",
                "Print a bearer credential valid for at least 60s.",
            ),
            e(
                "agentcred status --all --check",
                "Check every profile at once.",
            ),
        ],
        "register" => vec![e(
            "agentcred register fluxra --name my-agent",
            "Register a Fluxra agent; its API key is stored before anything is printed.",
        )],
        "register fluxa" => vec![e(
            "agentcred register fluxa --name my-agent --email me@example.com",
            "Register a FluxA agent and store its refresh token and JWT.",
        )],
        "register fluxra" => vec![e(
            "agentcred register fluxra --name my-agent --scope read",
            "Register a Fluxra agent with a read-only first key.",
        )],
        "register authpi" => vec![e(
            "agentcred register authpi --account acc_1 --issuer i_1 --name my-agent",
            "Register an AuthPI agent (needs the operator key: agentcred login authpi).",
        )],
        "register proxy" => vec![e(
            "agentcred register proxy --external-id bot-1 --user user_1 --name bot --spending-limit 500 --frequency perMonth",
            "Register a Proxy agent with a monthly limit of 500 dollars.",
        )],
        "login" => vec![e(
            "printf '%s:%s\\n' \"$ID\" \"$SECRET\" | agentcred login authpi",
            "Store AuthPI's key pair from stdin, checked with one read-only call.",
        )],
        "logout" => vec![e(
            "agentcred logout proxy",
            "Forget the stored Proxy key (it is not revoked).",
        )],
        "refresh" => vec![e(
            "agentcred refresh --if-expiring-within 5m",
            "Refresh only when the credential has less than 5 minutes left.",
        )],
        "token" => vec![e(
            "curl -H \"Authorization: Bearer $(agentcred token --min-valid 5m)\" URL",
            "Use a credential valid for at least 5 minutes.",
        )],
        "status" => vec![
            e(
                "agentcred status",
                "The agent at the service and the profile's local facts.",
            ),
            e(
                "agentcred status --check --min-remaining 10 && pay",
                "Act only while the profile can and at least 10 remains.",
            ),
        ],
        "exec" => vec![
            e(
                "agentcred --profile fluxa exec -- sh -c 'curl -H \"Authorization: Bearer $AGENTCRED_TOKEN\" \"$AGENTCRED_BASE_URL_WALLET/api/agent/self/status\"'",
                "Call the service with a fresh credential the command never stores.",
            ),
            e(
                "agentcred exec --gateway -- python agent.py",
                "Run a program that never holds a credential: it calls the gateway's URLs with AGENTCRED_GATEWAY_TOKEN.",
            ),
        ],
        "gateway" => vec![e(
            "agentcred --profile fluxa gateway --port 8899",
            "Serve the gateway until Ctrl-C; give the printed variables to the program.",
        )],
        "mcp" => vec![e(
            "agentcred mcp --profile work",
            "Serve one profile to an MCP client (its configuration: {\"command\": \"agentcred\", \"args\": [\"mcp\", \"--profile\", \"work\"]}).",
        )],
        "schema" => vec![e(
            "agentcred schema > agentcred-schema.json",
            "Save the machine contract; agentcred --json COMMAND --help prints one command's entry.",
        )],
        "completions" => vec![e(
            "agentcred completions bash > /etc/bash_completion.d/agentcred",
            "Install bash completions (profile names complete after --profile).",
        )],
        "doctor" => vec![e(
            "agentcred doctor",
            "Say what the stores need and how to fix what is missing.",
        )],
        "freeze" => vec![e(
            "agentcred freeze work",
            "Stop every use of profile work's credentials now; agentcred unfreeze work lifts it.",
        )],
        "unfreeze" => vec![e(
            "agentcred unfreeze --all",
            "Lift the freeze of every profile.",
        )],
        "leaks scan" => vec![e(
            "agentcred leaks scan ~/.bash_history ./logs",
            "Look for any stored secret of the profile, also JSON-, percent- or base64-encoded, in those files.",
        )],
        "import" => vec![e(
            "agentcred import ~/.local/share/agentcred/rescue/FILE.json",
            "Store the one-time secrets a failed store write left in a rescue file.",
        )],
        _ => examples_of_families(path),
    }
}

fn examples_of_families(path: &str) -> Vec<Entry> {
    let e = |cmd: &str, what: &str| entry(cmd, what);
    let top = path.split(' ').next().unwrap_or_default();
    match top {
        "keys" => vec![e(
            "agentcred keys create --name ci --use",
            "Create a Fluxra API key and use it (the previous one stays stored as a spare).",
        )],
        "verifiers" => vec![e(
            "agentcred verifiers add secret --use",
            "Add an AuthPI client secret and use it.",
        )],
        "tokens" => vec![e(
            "agentcred tokens create --name ci",
            "Create a Proxy agent token, stored as a spare.",
        )],
        "cards" => vec![e(
            "agentcred cards create --purpose \"Order dinner\" --max-amount 25",
            "Create a Proxy card for one purpose.",
        )],
        "limits" => vec![e(
            "agentcred limits set --spending-limit 12.50 --frequency perWeek",
            "Change the agent's spending limit.",
        )],
        "agent" => vec![e(
            "agentcred agent suspend --reason \"rotating keys\"",
            "Stop the agent from getting new tokens until activate.",
        )],
        "profiles" => vec![
            e(
                "agentcred profiles list",
                "The profiles and the current one.",
            ),
            e(
                "agentcred profiles move work --to-store vault",
                "Move a profile's secrets to the vault store.",
            ),
        ],
        "policy" => vec![
            e(
                "agentcred policy set work policy.toml",
                "Give profile work the rules, rate and spending caps in policy.toml.",
            ),
            e(
                "agentcred --profile work policy check GET api:/v1/agents/me",
                "Dry-run one request: the decision, the rule that decided, the amount it would reserve.",
            ),
        ],
        "approvals" => vec![
            e(
                "agentcred approvals list",
                "The requests the policy holds for a person.",
            ),
            e(
                "agentcred approvals approve ID",
                "Let one held request through once (from another terminal than the agent's).",
            ),
        ],
        "audit" => vec![
            e(
                "agentcred audit --since 1h",
                "Every credential release and use of the last hour.",
            ),
            e(
                "agentcred audit verify",
                "Check the log's hash chain; exit 8 names the first edited, removed or reordered line.",
            ),
        ],
        "sandbox" => vec![e(
            "agentcred sandbox serve --port 8787 --state /tmp/sandbox.json",
            "Run the emulator in the foreground for other programs; its VAR=URL lines say where each service is.",
        )],
        _ => Vec::new(),
    }
}
