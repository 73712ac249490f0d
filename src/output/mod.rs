//! The printer: data to stdout, everything else to stderr (contract §7).
//!
//! Commands build plain view structs and hand them to [`Printer::print`]. With `--json` the
//! view is serialized as exactly one JSON document on stdout; otherwise its [`Render::human`]
//! writes short lines and comfy-table tables. Status lines and warnings always go to stderr, so
//! `agentcred token` and `--json` output can be piped as is. Colour is used only when the stream
//! is a terminal and `NO_COLOR` is unset (and `--color never` was not given).

pub mod secrets;
pub mod tables;

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::error::{Error, Result};

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
}

impl Human {
    pub fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
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
            self.line(format!(
                "{:width$}  {value}",
                format!("{label}:"),
                width = width + 1
            ));
        }
    }

    pub fn heading(&mut self, title: &str) {
        self.blank();
        if self.styled {
            self.line(format!("\x1b[1m{title}\x1b[0m"));
        } else {
            self.line(title);
        }
    }

    pub fn table(&mut self, table: comfy_table::Table) {
        self.line(table.to_string());
    }
}

#[derive(Debug, Clone)]
pub struct Printer {
    pub json: bool,
    pub quiet: bool,
    stdout_tty: bool,
    color_stderr: bool,
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
            stdout_tty: color_for(stdout_tty) && stdout_tty,
            color_stderr: color_for(std::io::stderr().is_terminal()),
        }
    }

    /// Print the command's result: one JSON document, or the human rendering.
    pub fn print<V: Render>(&self, view: &V) -> Result<()> {
        if self.json {
            let text = serde_json::to_string_pretty(view)
                .map_err(|e| Error::internal(format!("cannot serialize the output: {e}")))?;
            write_stdout(&format!("{text}\n"))
        } else {
            let mut human = Human {
                text: String::new(),
                styled: self.stdout_tty,
            };
            view.human(&mut human);
            write_stdout(&human.text)
        }
    }

    /// Raw data on stdout (a token, a completion script), exactly as given.
    pub fn raw(&self, text: &str) -> Result<()> {
        write_stdout(text)
    }

    /// A progress or result line for a person, on stderr; silenced by `-q`.
    pub fn status(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", message.as_ref());
        }
    }

    /// A warning on stderr; never silenced, since it tells of something that needs attention.
    pub fn warn(&self, message: impl AsRef<str>) {
        let label = self.paint("warning:", "33");
        eprintln!("{label} {}", message.as_ref());
    }

    /// Report a failed command: the JSON envelope with `--json`, else `error:` and `hint:` lines.
    pub fn error(&self, err: &Error) {
        if self.json {
            eprintln!("{}", err.to_json());
            return;
        }
        eprintln!("{} {}", self.paint("error:", "31"), err.message);
        if let Some(hint) = &err.hint {
            eprintln!("  {} {hint}", self.paint("hint:", "36"));
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

thread_local! {
    /// Where [`capture`] collects this thread's stdout data instead of printing it.
    static CAPTURED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Run `f` with this thread's stdout data (what [`Printer::print`] and [`Printer::raw`] would
/// write) collected and returned instead of printed: `agentcred mcp` answers with a command's
/// output, and its stdout belongs to the protocol.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, String) {
    let outer = CAPTURED.with(|c| c.replace(Some(String::new())));
    let value = f();
    let text = CAPTURED.with(|c| c.replace(outer)).unwrap_or_default();
    (value, text)
}

/// Write to stdout; a closed pipe (`agentcred ... | head`) is a quiet success, not an error.
fn write_stdout(text: &str) -> Result<()> {
    let captured = CAPTURED.with(|c| match c.borrow_mut().as_mut() {
        Some(buffer) => {
            buffer.push_str(text);
            true
        }
        None => false,
    });
    if captured {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(Error::internal(format!("cannot write to stdout: {e}"))),
    }
}
