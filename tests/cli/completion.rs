//! The committed completion scripts complete `--profile` with the profile names of the home
//! they run in: each shell is run for real on its script (bash calls the completion function
//! as readline would; fish answers `complete -C`; zsh completes in a pseudo-terminal through
//! `zsh/zpty`, the only way its completion system runs). fish and zsh must be installed
//! (`apt-get install fish zsh`; `.ci/run` does it): the test fails without them, never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{BIN, Home, Server};

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("completions")
}

/// A home with two profiles, and a PATH whose `agentcred` is the binary under test.
fn home_with_profiles() -> (Server, Home, String) {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    for name in ["alpha", "beta"] {
        home.run(&[
            "--profile",
            name,
            "register",
            "fluxra",
            "--name",
            &format!("{name}-agent"),
        ])
        .ok();
    }
    let bin_dir = Path::new(BIN).parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    (server, home, path)
}

fn shell(home: &Home, path: &str, program: &str, args: &[&str]) -> Vec<String> {
    let out = Command::new(program)
        .args(args)
        .env("AGENTCRED_HOME", home.path())
        .env("PATH", path)
        .env("TERM", "dumb")
        .output()
        .unwrap_or_else(|e| panic!("{program} cannot run ({e}): apt-get install fish zsh"));
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_profile_names() {
    let (_server, home, path) = home_with_profiles();
    let complete = |words: &str| {
        let script = format!(
            r#"source {}/agentcred.bash
COMP_LINE="{words}"; COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
_agentcred agentcred "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
            scripts().display()
        );
        shell(
            &home,
            &path,
            "bash",
            &["--norc", "--noprofile", "-c", &script],
        )
    };
    assert_eq!(complete("agentcred status --profile "), ["alpha", "beta"]);
    assert_eq!(complete("agentcred --profile "), ["alpha", "beta"]);
    assert_eq!(complete("agentcred token --profile b"), ["beta"]);
}

#[test]
fn fish_completes_profile_names() {
    let (_server, home, path) = home_with_profiles();
    let complete = |words: &str| {
        let script = format!(
            "source {}/agentcred.fish; complete -C '{words}'",
            scripts().display()
        );
        shell(&home, &path, "fish", &["--no-config", "-c", &script])
    };
    assert_eq!(complete("agentcred status --profile "), ["alpha", "beta"]);
    assert_eq!(complete("agentcred --profile "), ["alpha", "beta"]);
    assert_eq!(complete("agentcred token --profile b"), ["beta"]);
}

/// Drives an interactive `zsh -f` in a pseudo-terminal: loads the script with compinit, wraps
/// `compadd` to print each candidate it is given, types the words and a TAB, and prints the
/// candidates until the completion finishes. Markers are split in the source (`"<""HIT>"`)
/// so the terminal's echo of the input is never taken for output.
const ZSH_DRIVER: &str = r#"
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; RPROMPT=''"
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits; builtin compadd -A __hits "$@"
  (( $#__hits == 0 )) && return 1
  local h; for h in $__hits; do print -r -- "<""HIT>$h"; done
  builtin compadd -Q -U ""
}'
zpty -w z 'zstyle ":completion:*" menu no'
zpty -w z 'finish () { print -r -- "DONE""MARK"; }; comppostfuncs=(finish)'
zpty -w z "$2"$'\t'
integer waited=0
local line
while zpty -r -t z line 2>/dev/null || { sleep 0.1; (( waited++ < 150 )) }; do
  [[ -z $line ]] && continue
  [[ $line == *DONEMARK* ]] && break
  [[ $line == *"<HIT>"* ]] && print -r -- "${${line##*<HIT>}%%$'\r'*}"
  line=
done
zpty -d z
"#;

#[test]
fn zsh_completes_profile_names() {
    let (_server, home, path) = home_with_profiles();
    let driver = home.path().join("driver.zsh");
    std::fs::write(&driver, ZSH_DRIVER).unwrap();
    let fpath = scripts().display().to_string();
    let complete = |words: &str| {
        shell(
            &home,
            &path,
            "zsh",
            &["-f", driver.to_str().unwrap(), &fpath, words],
        )
    };
    assert_eq!(complete("agentcred status --profile "), ["alpha", "beta"]);
    assert_eq!(complete("agentcred --profile "), ["alpha", "beta"]);
    assert_eq!(complete("agentcred token --profile b"), ["beta"]);
}
