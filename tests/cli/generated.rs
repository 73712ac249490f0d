//! The committed completions and man pages match what the binary generates.
//! Run with AGENTCRED_UPDATE_GENERATED=1 to rewrite them after changing the CLI.

use std::path::Path;

use agentcred::generate;

use crate::man;

fn check(path: &Path, expected: &str, stale: &mut Vec<String>) {
    if std::env::var_os("AGENTCRED_UPDATE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(actual) if actual == expected => {}
        _ => stale.push(path.display().to_string()),
    }
}

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (shell, file) in generate::SHELLS {
        check(
            &root.join("completions").join(file),
            &generate::completion(shell),
            &mut stale,
        );
    }
    // The machine contract, as `agentcred schema` prints it.
    let schema = std::process::Command::new(crate::support::BIN)
        .arg("schema")
        .output()
        .unwrap();
    assert!(schema.status.success());
    check(
        &root.join("docs/schema.json"),
        &String::from_utf8(schema.stdout).unwrap(),
        &mut stale,
    );
    let pages = man_pages();
    for (file, page) in &pages {
        check(&root.join("man").join(file), page, &mut stale);
    }
    // No page left over from a removed command.
    if let Ok(entries) = std::fs::read_dir(root.join("man")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !pages.iter().any(|(f, _)| *f == name) {
                stale.push(format!("man/{name} (no such command)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated files differ from the CLI definition: {stale:?}\nrun: AGENTCRED_UPDATE_GENERATED=1 cargo test --test cli generated"
    );
}

/// Man pages: one for `agentcred` and one per subcommand path (`agentcred-register-fluxa.1`).
fn man_pages() -> Vec<(String, String)> {
    let mut pages = Vec::new();
    let mut root = agentcred::cli::command();
    root.build();
    collect(&root, "agentcred", &mut pages);
    pages
}

fn collect(command: &clap::Command, name: &str, pages: &mut Vec<(String, String)>) {
    let named = command.clone().name(name.to_owned());
    let path = name
        .strip_prefix("agentcred")
        .unwrap_or_default()
        .trim_start_matches('-')
        .replace('-', " ");
    let mut out = Vec::new();
    render(clap_mangen::Man::new(named), command, &path, &mut out)
        .expect("rendering into a Vec cannot fail");
    pages.push((
        format!("{name}.1"),
        String::from_utf8(out).expect("man pages are UTF-8"),
    ));
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        collect(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

#[test]
fn completions_command_prints_the_committed_script() {
    let out = std::process::Command::new(crate::support::BIN)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/agentcred.bash"),
    )
    .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}

/// clap_mangen's sections, then ours (ENVIRONMENT, FILES, EXIT STATUS, EXAMPLES), then VERSION.
fn render(
    man: clap_mangen::Man,
    command: &clap::Command,
    path: &str,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if command
        .get_arguments()
        .any(|a| !a.is_hide_set() && a.get_id() != "help" && a.get_id() != "version")
    {
        man.render_options_section(out)?;
    }
    if command.has_subcommands() {
        man.render_subcommands_section(out)?;
    }
    for (title, entries) in man::sections(path) {
        if entries.is_empty() {
            continue;
        }
        out.extend_from_slice(format!(".SH \"{title}\"\n").as_bytes());
        for entry in entries {
            out.extend_from_slice(
                format!(
                    ".TP\n\\fB{}\\fR\n{}\n",
                    roff(&entry.term),
                    roff(&entry.text)
                )
                .as_bytes(),
            );
        }
    }
    // clap's EXTRA section (the root's after_help) is the exit-code line EXIT STATUS spells out.
    if command.get_version().is_some() {
        man.render_version_section(out)?;
    }
    Ok(())
}

/// Text as roff reads it literally: backslashes and hyphens escaped, no line starting a request.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    match escaped.chars().next() {
        Some('.') | Some('\'') => format!("\\&{escaped}"),
        _ => escaped,
    }
}

#[test]
fn every_man_page_has_environment_exit_status_and_examples() {
    let mut missing = Vec::new();
    for (file, page) in man_pages() {
        let mut wanted = vec!["ENVIRONMENT", "EXIT STATUS"];
        // A command with subcommands shows its examples on its subcommands' pages.
        if !page.contains(".SH SUBCOMMANDS") || file == "agentcred.1" {
            wanted.push("EXAMPLES");
        }
        if file == "agentcred.1" {
            wanted.push("FILES");
        }
        for section in wanted {
            if !page.contains(&format!(".SH \"{section}\"")) {
                missing.push(format!("{file}: {section}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "man pages without a section:\n{}",
        missing.join("\n")
    );
}

/// exec, gateway and mcp state the variables they set, print or read, including every
/// service's tool variables.
#[test]
fn exec_gateway_and_mcp_pages_state_their_variables() {
    let pages = man_pages();
    let page = |name: &str| {
        pages
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, p)| p.replace("\\-", "-"))
            .unwrap()
    };
    let exec = page("agentcred-exec.1");
    let mut expected = vec![
        "AGENTCRED_TOKEN",
        "AGENTCRED_TOKEN_EXPIRES_AT",
        "AGENTCRED_GATEWAY_TOKEN",
        "AGENTCRED_BASE_URL_<NAME>",
        "AGENTCRED_PROFILE, AGENTCRED_PROVIDER",
        "AGENTCRED_EXEC_PROFILES",
        "AGENTCRED_ISOLATED",
        "128 + N",
    ];
    let tools: Vec<&str> = agentcred::services::SERVICES
        .iter()
        .flat_map(|s| s.spec().tool_env.iter().map(|t| t.var))
        .collect();
    assert!(!tools.is_empty());
    expected.extend(tools);
    for var in expected {
        assert!(exec.contains(var), "agentcred-exec.1 does not state {var}");
    }
    let gateway = page("agentcred-gateway.1");
    for var in [
        "AGENTCRED_GATEWAY_TOKEN",
        "AGENTCRED_BASE_URL_<NAME>",
        "401",
    ] {
        assert!(
            gateway.contains(var),
            "agentcred-gateway.1 does not state {var}"
        );
    }
    let mcp = page("agentcred-mcp.1");
    for var in [
        "AGENTCRED_PROFILE",
        "PROXY_API_KEY",
        "stdout carries protocol messages only",
    ] {
        assert!(mcp.contains(var), "agentcred-mcp.1 does not state {var}");
    }
}
