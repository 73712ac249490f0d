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
    let script = String::from_utf8(out).expect("completion scripts are UTF-8");
    complete_profile_names(shell, &script)
}

/// The command a script runs to list profile names: it reads the local config only (no
/// network, no store), and prints nothing when there is none.
const LIST_NAMES: &str = "agentcred profiles list --names 2>/dev/null";

/// clap's static scripts complete `--profile` with file names; profile names are only known at
/// completion time, so the value of `--profile` is rewritten to ask the binary for them (bash,
/// zsh and fish; the other shells keep clap's default). A unit test fails if clap's output
/// changes shape and a rewrite no longer applies.
fn complete_profile_names(shell: Shell, script: &str) -> String {
    match shell {
        Shell::Bash => {
            let mut out = String::with_capacity(script.len());
            let mut after_profile = false;
            for line in script.lines() {
                let trimmed = line.trim_start();
                if after_profile && trimmed == r#"COMPREPLY=($(compgen -f "${cur}"))"# {
                    let indent = &line[..line.len() - trimmed.len()];
                    out.push_str(&format!(
                        r#"{indent}COMPREPLY=($(compgen -W "$({LIST_NAMES})" -- "${{cur}}"))"#
                    ));
                } else {
                    out.push_str(line);
                }
                out.push('\n');
                after_profile = trimmed == "--profile)";
            }
            out
        }
        Shell::Zsh => {
            let helper = format!(
                "(( $+functions[_agentcred_profiles] )) ||\n\
                 _agentcred_profiles() {{\n    \
                     local -a names\n    \
                     names=(${{(f)\"$({LIST_NAMES})\"}})\n    \
                     compadd -a names\n\
                 }}\n\n"
            );
            let marker = "if [ \"$funcstack[1]\" = \"_agentcred\" ]; then";
            script
                .lines()
                .map(|line| {
                    if line.starts_with("'*--profile=[") {
                        line.replace("]:NAME:_default'", "]:NAME:_agentcred_profiles'")
                    } else {
                        line.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
                .replacen(marker, &format!("{helper}{marker}"), 1)
                + "\n"
        }
        Shell::Fish => {
            let mut out: String = script
                .lines()
                .map(|line| {
                    if line.contains(" -l profile -d '") && line.ends_with(" -r") {
                        format!("{line} -f -a \"({LIST_NAMES})\"\n")
                    } else {
                        format!("{line}\n")
                    }
                })
                .collect();
            // clap's conditions parse the words typed so far, and fail on a trailing
            // `--profile` that has no value yet (`agentcred --profile <TAB>`): this one only
            // looks at the previous word.
            out.push_str(&format!(
                "function __fish_agentcred_after_profile\n    \
                     test (count (commandline -opc)) -gt 1; and test (commandline -opc)[-1] = --profile\n\
                 end\n\
                 complete -c agentcred -n \"__fish_agentcred_after_profile\" -f -a \"({LIST_NAMES})\"\n"
            ));
            out
        }
        _ => script.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every place a script completes `--profile` asks for profile names, and none is left to
    /// complete file names.
    #[test]
    fn profile_values_complete_profile_names_in_bash_zsh_and_fish() {
        for (shell, asks, left) in [
            (
                Shell::Bash,
                "compgen -W \"$(agentcred profiles list --names",
                "--profile)\n                    COMPREPLY=($(compgen -f",
            ),
            (
                Shell::Zsh,
                "]:NAME:_agentcred_profiles'",
                "]:NAME:_default'",
            ),
            (Shell::Fish, "-l profile -d", ""),
        ] {
            let script = completion(shell);
            assert!(script.contains(asks), "{shell:?}");
            assert!(script.contains(LIST_NAMES), "{shell:?}");
            if shell == Shell::Fish {
                let lines: Vec<&str> = script
                    .lines()
                    .filter(|l| l.contains(" -l profile "))
                    .collect();
                assert!(!lines.is_empty());
                assert!(lines.iter().all(|l| l.contains(LIST_NAMES)), "{shell:?}");
            } else if shell == Shell::Zsh {
                let lines: Vec<&str> = script
                    .lines()
                    .filter(|l| l.starts_with("'*--profile="))
                    .collect();
                assert!(!lines.is_empty());
                assert!(lines.iter().all(|l| !l.contains(left)), "{shell:?}");
            } else {
                assert!(!script.contains(left), "{shell:?}");
            }
        }
    }
}
