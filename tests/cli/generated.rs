//! The committed completions and man pages match what the binary generates.
//! Run with AGENTCRED_UPDATE_GENERATED=1 to rewrite them after changing the CLI.

use std::path::Path;

use agentcred::generate;

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
    let mut out = Vec::new();
    clap_mangen::Man::new(named)
        .render(&mut out)
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
