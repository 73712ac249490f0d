//! Screens at a terminal: every table fits the terminal's width, identifiers stay whole, free
//! text is cut with `…` (or the table becomes `key: value` records), and piped tables have no
//! trailing spaces. The screens are captured on a real pseudo-terminal of 80 and of 160
//! columns and kept as snapshots (ids, times and secrets masked to keep their widths).

use crate::support::Home;

/// Run `args` with stdout on a pseudo-terminal `cols` columns wide: what it showed.
fn screen(home: &Home, args: &[&str], cols: u16) -> String {
    const DRIVER: &str = r#"
import fcntl, json, os, pty, struct, sys, termios
args, cols = json.loads(sys.argv[1]), int(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    # The screen of stdout: notices on stderr are not part of it.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.execvp(args[0], args)
seen = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({"code": os.waitstatus_to_exitcode(status), "seen": seen.decode("utf-8", "replace")}))
"#;
    let mut argv = vec![crate::support::BIN.to_owned()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let cmd = home.command(&[]);
    let out = std::process::Command::new("python3")
        .args(["-c", DRIVER])
        .arg(serde_json::to_string(&argv).unwrap())
        .arg(cols.to_string())
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let seen = report["seen"].as_str().unwrap().replace("\r\n", "\n");
    assert_eq!(report["code"], 0, "{args:?}:\n{seen}");
    seen
}

/// Mask what changes from run to run (ids, times, amounts of time, secrets) without changing
/// any width: in every word with a digit, each digit and hex letter becomes `x`.
fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.chars().any(|c| c.is_ascii_digit()) {
            out.extend(
                word.chars()
                    .map(|c| if c.is_ascii_hexdigit() { 'x' } else { c }),
            );
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn demo_home() -> Home {
    let mut home = Home::new();
    home.set("AGENTCRED_SANDBOX", "1");
    let run = |args: &[&str]| home.run(args).ok();
    run(&[
        "--profile",
        "fluxa",
        "register",
        "fluxa",
        "--name",
        "demo-agent",
    ]);
    run(&["sandbox", "approve", "--profile", "fluxa"]);
    run(&[
        "--profile",
        "fluxra",
        "register",
        "fluxra",
        "--name",
        "weather-bot",
    ]);
    run(&[
        "--profile",
        "proxy",
        "register",
        "proxy",
        "--external-id",
        "p",
        "--user",
        "user_sandbox_bob",
        "--name",
        "P",
    ]);
    run(&[
        "--profile",
        "authpi",
        "register",
        "authpi",
        "--account",
        "acc_sandbox",
        "--issuer",
        "i_sandbox",
        "--name",
        "demo-agent",
    ]);
    home.env.retain(|(k, _)| k != "AGENTCRED_SANDBOX");
    home
}

/// The screens, and whether each is kept as a snapshot: FluxA's status shows the sandbox's
/// demo wallet, whose amounts are random (so are their widths), so it is checked for fit only.
const SCREENS: &[(&str, &[&str], bool)] = &[
    ("profiles_list", &["profiles", "list"], true),
    ("fluxa_status", &["--profile", "fluxa", "status"], false),
    (
        "fluxra_keys_list",
        &["--profile", "fluxra", "keys", "list"],
        true,
    ),
    (
        "authpi_verifiers_list",
        &["--profile", "authpi", "verifiers", "list"],
        true,
    ),
    (
        "proxy_tokens_list",
        &["--profile", "proxy", "tokens", "list"],
        true,
    ),
];

#[test]
fn every_table_fits_the_terminal_at_80_and_160_columns() {
    let home = demo_home();
    for (name, args, snapshot) in SCREENS {
        for cols in [80u16, 160] {
            let text = screen(&home, args, cols);
            // A URL is an identifier: never cut, the terminal wraps it. Every other line,
            // each table's above all, fits.
            for line in text.lines().filter(|l| !l.contains("://")) {
                let width = unicode_width::UnicodeWidthStr::width(line);
                assert!(
                    width <= usize::from(cols),
                    "{name} at {cols} columns: a line of {width}:\n{text}"
                );
            }
            if *snapshot {
                insta::assert_snapshot!(format!("{name}_{cols}"), masked(&text));
            }
        }
    }
}

#[test]
fn piped_tables_have_no_trailing_spaces() {
    let home = demo_home();
    for (name, args, _) in SCREENS {
        let run = home.run(args).ok();
        for line in run.stdout.lines() {
            assert!(
                !line.ends_with(' '),
                "{name}: a piped line ends in a space: {line:?}"
            );
        }
    }
}

#[test]
fn the_status_screen_keeps_ids_whole_and_cuts_only_free_text() {
    let home = demo_home();
    let shown = home
        .run(&["--json", "--profile", "fluxa", "status"])
        .ok()
        .json();
    let mandates = shown["mandates"]["items"].as_array().unwrap();
    for cols in [80u16, 160] {
        let text = screen(&home, &["--profile", "fluxa", "status"], cols);
        for m in mandates {
            let id = m["id"].as_str().unwrap();
            assert!(text.contains(id), "{id} whole at {cols}:\n{text}");
            // The description is shown whole, or cut with an ellipsis: never one letter a line.
            let description = m["description"].as_str().unwrap();
            let shown_whole = text.contains(description);
            let cut = text
                .lines()
                .any(|l| l.contains('…') && l.contains(&description[..6]));
            assert!(shown_whole || cut, "{description} at {cols}:\n{text}");
        }
        let lines = text.lines().count();
        assert!(lines < 200, "{lines} lines at {cols} columns");
    }
}
