//! Completion scripts and man pages, generated from the clap definitions.
//!
//! The files in `completions/` and `man/` are this module's output, committed so packagers need
//! not run the binary. `tests/generated.rs` fails when they drift from the code; run it with
//! `AGENTCRED_UPDATE_GENERATED=1` to rewrite them.

use clap_complete::Shell;

pub const SHELLS: [(Shell, &str); 5] = [
    (Shell::Bash, "agentcred.bash"),
    (Shell::Zsh, "_agentcred"),
    (Shell::Fish, "agentcred.fish"),
    (Shell::PowerShell, "_agentcred.ps1"),
    (Shell::Elvish, "agentcred.elv"),
];

pub fn completion(shell: Shell) -> String {
    let mut command = crate::cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "agentcred", &mut out);
    String::from_utf8(out).expect("completion scripts are UTF-8")
}

/// Man pages: one for `agentcred` and one per subcommand path (`agentcred-register-SERVICE.1`).
pub fn man_pages() -> Vec<(String, String)> {
    let mut pages = Vec::new();
    let mut root = crate::cli::command();
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
