//! The printer: data to stdout, everything else to stderr (docs/cli-contract.md §7).
//!
//! Commands build plain view structs and hand them to [`Printer::print`]. With `--json` the
//! view is serialized as exactly one JSON document on stdout; otherwise its [`Render::human`]
//! writes short lines and comfy-table tables. Status lines and warnings always go to stderr, so
//! `agentcred token` and `--json` output can be piped as is. Colour is used only when the stream
//! is a terminal and `NO_COLOR` is unset (and `--color never` was not given).

pub mod codes;
pub mod secrets;
pub mod tables;

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::error::{Error, Result};

pub use crate::error::SCHEMA_VERSION;

/// The JSON Schema of a view, self-contained (no `$ref`s), as `agentcred schema` publishes it:
/// what `--json` prints for it, `schema_version` included.
pub fn schema_of<T: schemars::JsonSchema + 'static>() -> schemars::Schema {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            // What `--json` prints: a field skipped when empty is not required.
            s.contract = schemars::generate::Contract::Serialize;
        })
        .into_generator();
    let mut schema = generator.into_root_schema_for::<Versioned<'static, T>>();
    schema.remove("$schema");
    schema.remove("title");
    schema
}

/// One command's output: its path (`keys list`) and its schema.
pub type Output = (&'static str, schemars::Schema);

/// A view with `schema_version` first.
#[derive(Serialize, schemars::JsonSchema)]
struct Versioned<'a, V> {
    /// Always 1 in this version of the output.
    schema_version: u32,
    #[serde(flatten)]
    view: &'a V,
}

/// One JSON line on stderr under `--json`: `{"schema_version":1,"warning":{...}}`.
fn stderr_line(kind: &str, code: &str, message: &str) -> String {
    serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        kind: { "code": code, "message": message },
    })
    .to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A view that can be shown to a person as well as serialized.
pub trait Render: Serialize {
    fn human(&self, out: &mut Human);
}

/// A buffer of human output with the terminal facts it needs.
pub struct Human {
    text: String,
    /// Stdout is a terminal: tables get borders and may be coloured.
    pub styled: bool,
    /// `-q`: lines that only tell what happened ([`Human::note`]) are left out.
    pub quiet: bool,
    /// Colour and bold may be used (`--color`, `NO_COLOR`).
    pub color: bool,
    /// The terminal's width in columns, when stdout is one.
    pub width: Option<usize>,
}

/// Text from a service or a user (a name, a purpose, a reason, an error message) made safe for
/// a terminal: escape sequences and other control characters are shown, not obeyed, so
/// `\e]0;title\a\e[2J` cannot set the window title or clear the screen. ESC is shown as `\e`,
/// BEL as `\a`, CR as `\r`, any other control character as `\xNN` (C1 controls too). Line
/// breaks stay only where `keep_newlines` says the text is ours to lay out. JSON output keeps
/// the exact value; this is for people only.
pub fn neutralize(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| c.is_control() && !(keep_newlines && c == '\n');
    if !text.chars().any(needs) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !needs(c) => out.push(c),
            '\u{1b}' => out.push_str("\\e"),
            '\u{7}' => out.push_str("\\a"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push_str(&format!("\\x{:02x}", c as u32)),
        }
    }
    std::borrow::Cow::Owned(out)
}

impl Human {
    /// A line that says what happened or what now holds (not the command's data): left out
    /// under `-q`.
    pub fn note(&mut self, line: impl AsRef<str>) {
        if !self.quiet {
            self.line(line);
        }
    }

    pub fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(&neutralize(line.as_ref(), true));
        self.text.push('\n');
    }

    pub fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    /// `label: value` lines, labels aligned.
    pub fn fields(&mut self, rows: &[(&str, String)]) {
        let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
        for (label, value) in rows {
            let value = neutralize(value, false);
            self.line(format!(
                "{:width$}  {value}",
                format!("{label}:"),
                width = width + 1
            ));
        }
    }

    pub fn heading(&mut self, title: &str) {
        self.blank();
        let title = neutralize(title, false);
        if self.color {
            // Our own styling goes around the neutralized text, straight into the buffer.
            self.text.push_str(&format!("\x1b[1m{title}\x1b[0m\n"));
        } else {
            self.line(title);
        }
    }

    /// A table that fits the terminal (see [`tables::render`]), its cells neutralized.
    pub fn table(&mut self, table: comfy_table::Table) {
        let text = tables::render(&table, self.styled, self.width);
        self.text.push_str(&text);
        self.text.push('\n');
    }
}

#[derive(Debug, Clone)]
pub struct Printer {
    pub json: bool,
    pub quiet: bool,
    stdout_tty: bool,
    color_stdout: bool,
    color_stderr: bool,
    /// Stdout data is dropped: a command run on behalf of another one (`freeze --upstream`,
    /// `leaks scan --rotate`), which reports the outcome in its own output.
    data_off: bool,
}

/// The width of the terminal stdout is, in columns.
fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(terminal_size::Width(w), _)| usize::from(w))
        .filter(|w| *w > 0)
}

impl Printer {
    pub fn new(json: bool, quiet: bool, color: ColorChoice) -> Printer {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color_for = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let stdout_tty = std::io::stdout().is_terminal();
        Printer {
            json,
            quiet,
            // Borders and the terminal's width do not depend on colour: NO_COLOR keeps them.
            stdout_tty,
            color_stdout: color_for(stdout_tty),
            color_stderr: color_for(std::io::stderr().is_terminal()),
            data_off: false,
        }
    }

    /// This printer without stdout data (see `data_off`); stderr is unchanged.
    pub fn without_data(&self) -> Printer {
        Printer {
            data_off: true,
            ..self.clone()
        }
    }

    /// Print the command's result: one JSON document, or the human rendering.
    pub fn print<V: Render>(&self, view: &V) -> Result<()> {
        if self.data_off {
            return Ok(());
        }
        if self.json {
            let versioned = Versioned {
                schema_version: SCHEMA_VERSION,
                view,
            };
            let text = serde_json::to_string_pretty(&versioned)
                .map_err(|e| Error::internal(format!("cannot serialize the output: {e}")))?;
            write_stdout(&format!("{text}\n"))
        } else {
            let mut human = Human {
                text: String::new(),
                styled: self.stdout_tty,
                quiet: self.quiet,
                color: self.color_stdout,
                width: self.stdout_tty.then(terminal_width).flatten(),
            };
            view.human(&mut human);
            write_stdout(&human.text)
        }
    }

    /// Raw data on stdout (a token, a completion script), exactly as given.
    pub fn raw(&self, text: &str) -> Result<()> {
        if self.data_off {
            return Ok(());
        }
        write_stdout(text)
    }

    /// A progress or result line for a person, on stderr; silenced by `-q`. Under `--json`, a
    /// `notice` JSON line with `code`, one of [`codes::NOTICES`].
    pub fn notice(&self, code: &str, message: impl AsRef<str>) {
        debug_assert!(
            codes::is_documented(code, false),
            "undocumented notice code {code}"
        );
        if self.quiet {
            return;
        }
        if self.json {
            eprintln!("{}", stderr_line("notice", code, message.as_ref()));
        } else {
            eprintln!("{}", neutralize(message.as_ref(), true));
        }
    }

    /// A warning on stderr; never silenced, since it tells of something that needs attention.
    /// `code` is one of [`codes::WARNINGS`].
    pub fn warn_coded(&self, code: &str, message: impl AsRef<str>) {
        debug_assert!(
            codes::is_documented(code, true),
            "undocumented warning code {code}"
        );
        if self.json {
            eprintln!("{}", stderr_line("warning", code, message.as_ref()));
        } else {
            let label = self.paint("warning:", "33");
            eprintln!("{label} {}", neutralize(message.as_ref(), true));
        }
    }

    /// Report a failed command: the JSON envelope with `--json`, else `error:` and `hint:` lines.
    pub fn error(&self, err: &Error) {
        // The last line of defence: a message may quote a service's text, which may quote
        // any secret the profile holds, not only one this command sent.
        let secrets = if err.kind == crate::error::ErrorKind::Store {
            // A failing store would be asked again, and slowly, for nothing.
            crate::redact::Secrets::default()
        } else {
            crate::redact::process_secrets()
        };
        if self.json {
            eprintln!("{}", secrets.redact_json(&err.to_json()));
            return;
        }
        eprintln!(
            "{} {}",
            self.paint("error:", "31"),
            neutralize(&secrets.redact_str(&err.message), true)
        );
        if let Some(hint) = &err.hint {
            eprintln!(
                "  {} {}",
                self.paint("hint:", "36"),
                neutralize(&secrets.redact_str(hint), true)
            );
        }
        // The JSON envelope carries it; a person needs it as much.
        if let Some(url) = err.authorization_url() {
            eprintln!(
                "  {} {}",
                self.paint("authorization URL:", "36"),
                neutralize(url, true)
            );
        }
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.color_stderr {
            format!("\x1b[1;{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// A view's JSON document as `--json` prints it: `schema_version` first, then its fields.
pub fn versioned(view: serde_json::Value) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert("schema_version".into(), SCHEMA_VERSION.into());
    if let serde_json::Value::Object(fields) = view {
        map.extend(fields);
    }
    serde_json::Value::Object(map)
}

/// Write to stdout; a closed pipe (`agentcred ... | head`) is a quiet success, not an error.
fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(Error::internal(format!("cannot write to stdout: {e}"))),
    }
}
