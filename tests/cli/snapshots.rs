//! Snapshots of what a person sees: the human output of every command family, run for real
//! against a sandbox server, and `--help` of every command. Values that change from run to
//! run (ids, JWTs and other secrets' shapes, times, ports, temporary paths) are redacted by
//! filters, so a snapshot changes only when the output does. Review a change with
//! `cargo insta review` (or read the `.snap.new` file next to the snapshot).
//!
//! Table width snapshots at fixed terminal widths live elsewhere; these run with stdout piped
//! (plain, borderless tables).

use agentcred_sandbox::authpi::{DEMO_ACCOUNT_ID, DEMO_ISSUER_ID, DEMO_KEY_ID, DEMO_KEY_SECRET};
use agentcred_sandbox::proxy::{DEMO_API_KEY, DEMO_USER_ALICE};

use crate::support::{Home, Run, Server};

/// The redactions, most specific first.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/human");
    for (pattern, replacement) in [
        // JWTs and opaque bearer tokens.
        (
            r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*",
            "[JWT]",
        ),
        // RFC 3339 times, with or without fractions.
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
            "[TIME]",
        ),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[UUID]",
        ),
        // Service ids with a random part: ag_4d36..., acc_..., at_dev_1a2b..., card_...
        (
            r"\b[a-z]{1,8}(_[a-z]+)?_[A-Za-z0-9]*[0-9][A-Za-z0-9]*\b",
            "[ID]",
        ),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"/tmp/[^\s'`]+", "[TMP]"),
        // Remaining lifetimes ("(in 14m 59s)", "(in 15m)"), which depend on the clock.
        (r"\(in [0-9hms ]+\)", "(in [DURATION])"),
        // A card's last four digits and expiry month.
        (r"•••• \d{4}", "•••• [LAST4]"),
        (
            r"\b\d{4}(\s+(active|frozen|closed|cancelled)\b)",
            "[LAST4]$1",
        ),
        (r"\b\d{2}/20\d{2}\b", "[MM/YYYY]"),
    ] {
        settings.add_filter(pattern, replacement);
    }
    settings
}

/// The sandbox's FluxA wallet is made up per agent (balances, addresses, transactions): its
/// rows are redacted whole, and the headers whose padding follows their width are normalized.
fn wallet_filters(settings: &mut insta::Settings) {
    for (pattern, replacement) in [
        (r"0x[0-9a-f]{40}", "[ADDRESS]"),
        (
            r"(?m)^ ?(USDC|XRP|FLUXA_MONETIZE_CREDITS) .*$",
            "$1 [BALANCE]",
        ),
        (
            r"(?m)^ ?currency +network +available +address *$",
            "currency  network  available  address",
        ),
        (
            r"(?m)^ ?\[TIME\] +(payment|deposit|payout|refund) .*$",
            "[TRANSACTION]",
        ),
        (
            r"(?m)^ ?when +type +status +amount +to *$",
            "when  type  status  amount  to",
        ),
    ] {
        settings.add_filter(pattern, replacement);
    }
}

/// What the person sees: stdout, then stderr, then the exit code when it is not 0.
fn shown(args: &[&str], run: &Run) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains(' ') {
                format!("'{a}'")
            } else {
                (*a).to_owned()
            }
        })
        .collect();
    let mut out = format!("$ agentcred {}\n", quoted.join(" "));
    out.push_str(&run.stdout);
    // The progress line a slow answer prints depends on the machine's load, not the output.
    let stderr: String = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("waiting for the service to answer"))
        .map(|l| format!("{l}\n"))
        .collect();
    if !stderr.is_empty() {
        out.push_str("--- stderr\n");
        out.push_str(&stderr);
    }
    if run.code != 0 {
        out.push_str(&format!("--- exit {}\n", run.code));
    }
    out
}

/// Run each command in turn in `home` and snapshot the transcript as `name`.
fn transcript(name: &str, home: &Home, commands: &[&[&str]]) {
    transcript_with(name, home, commands, settings());
}

fn transcript_with(name: &str, home: &Home, commands: &[&[&str]], settings: insta::Settings) {
    let mut text = String::new();
    for args in commands {
        let run = home.run(args);
        text.push_str(&shown(args, &run));
        text.push('\n');
    }
    settings.bind(|| insta::assert_snapshot!(name, text));
}

fn server_home(server: &Server) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home
}

#[test]
fn fluxa_human_output() {
    let server = Server::start();
    let home = server_home(&server);
    home.run(&["register", "fluxa", "--name", "snap-agent"])
        .ok();
    home.approve_owner(&server, None);
    let mut settings = settings();
    wallet_filters(&mut settings);
    transcript_with(
        "fluxa",
        &home,
        &[
            &["status"],
            &["status", "--check"],
            &["refresh"],
            &["limits", "show"],
            &["profiles", "list"],
            &["profiles", "show"],
            &["keys", "list"],
        ],
        settings,
    );
}

#[test]
fn fluxra_human_output() {
    let server = Server::start();
    let home = server_home(&server);
    transcript(
        "fluxra",
        &home,
        &[
            &["register", "fluxra", "--name", "snap-agent"],
            &["status"],
            &["keys", "list"],
            &["keys", "create", "--name", "second"],
            &["profiles", "list", "--names"],
        ],
    );
}

#[test]
fn authpi_human_output() {
    let server = Server::start();
    let mut home = server_home(&server);
    home.set("AUTHPI_KEY_ID", DEMO_KEY_ID)
        .set("AUTHPI_KEY_SECRET", DEMO_KEY_SECRET);
    transcript(
        "authpi",
        &home,
        &[
            &[
                "register",
                "authpi",
                "--account",
                DEMO_ACCOUNT_ID,
                "--issuer",
                DEMO_ISSUER_ID,
                "--name",
                "snap-agent",
            ],
            &["status"],
            &["verifiers", "list"],
            &["agent", "show"],
            &["agent", "suspend", "--reason", "snapshot"],
            &["agent", "activate"],
        ],
    );
}

#[test]
fn proxy_human_output() {
    let server = Server::start();
    let mut home = server_home(&server);
    home.set("PROXY_API_KEY", DEMO_API_KEY);
    transcript(
        "proxy",
        &home,
        &[
            &[
                "register",
                "proxy",
                "--external-id",
                "snap-1",
                "--user",
                DEMO_USER_ALICE,
                "--name",
                "Snap Agent",
                "--spending-limit",
                "500",
                "--frequency",
                "perMonth",
            ],
            &["status"],
            &["tokens", "list"],
            &["limits", "show"],
            &["limits", "set", "--spending-limit", "12.50"],
            &[
                "cards",
                "create",
                "--purpose",
                "Order dinner",
                "--max-amount",
                "25",
            ],
            &["cards", "list"],
        ],
    );
}

/// Mistakes, as a person sees them: the message names the problem and the fix.
#[test]
fn error_human_output() {
    let server = Server::start();
    let home = server_home(&server);
    home.run(&["register", "fluxra", "--name", "snap-agent"])
        .ok();
    transcript(
        "errors",
        &home,
        &[
            &["--profile", "nosuch", "status"],
            &["cards", "list"],
            &["token", "--min-valid", "soon"],
            &["register", "fluxra", "--name", "snap-agent"],
            &["profiles", "use", "nosuch"],
        ],
    );
}

/// `--help` of `agentcred` and of every command, each in its own snapshot.
#[test]
fn help_of_every_command() {
    let mut root = agentcred::cli::command();
    root.build();
    let mut paths = vec![Vec::new()];
    collect(&root, &[], &mut paths);
    let mut home = Home::new();
    // Piped stdout has no width: clap falls back to COLUMNS, which a developer's shell may set.
    home.set("COLUMNS", "100");
    let settings = settings();
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = home.run(&args).ok();
        let name = if path.is_empty() {
            "help".to_owned()
        } else {
            format!("help-{}", path.join("-"))
        };
        settings.bind(|| insta::assert_snapshot!(name, run.stdout));
    }
}

fn collect(command: &clap::Command, parents: &[String], out: &mut Vec<Vec<String>>) {
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut path = parents.to_vec();
        path.push(sub.get_name().to_owned());
        out.push(path.clone());
        collect(sub, &path, out);
    }
}
