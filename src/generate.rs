//! Completion scripts, generated from the clap definitions (`agentcred completions SHELL`).
//!
//! The files in `completions/` are this module's output, and those in `man/` are rendered from
//! the same definitions by `tests/cli/generated.rs` (so the man-page renderer is only a
//! dev-dependency). Both are committed so packagers need not run the binary; that test fails
//! when they drift from the code, and rewrites them with `AGENTCRED_UPDATE_GENERATED=1`.

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
