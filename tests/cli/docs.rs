//! Documentation the CLI definition must carry: every argument of every command has help text
//! (it becomes `--help`, the man pages, the completions' descriptions and `agentcred schema`).

/// Every argument, global or not, positional or not, of every command path.
fn missing_help(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
    for arg in command.get_arguments() {
        if arg.is_hide_set() || ["help", "version"].contains(&arg.get_id().as_str()) {
            continue;
        }
        let help = arg.get_help().or(arg.get_long_help());
        if help.is_none_or(|h| h.to_string().trim().is_empty()) {
            missing.push(format!("{path} <{}>", arg.get_id()));
        }
    }
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        if sub.get_about().is_none() {
            missing.push(format!("{path} {} (no about)", sub.get_name()));
        }
        missing_help(sub, &format!("{path} {}", sub.get_name()), missing);
    }
}

#[test]
fn every_argument_has_help_text() {
    let mut root = agentcred::cli::command();
    root.build();
    let mut missing = Vec::new();
    missing_help(&root, "agentcred", &mut missing);
    assert!(
        missing.is_empty(),
        "{} arguments or commands have no help text (add a doc comment):\n{}",
        missing.len(),
        missing.join("\n")
    );
}
