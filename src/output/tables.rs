//! One function per table shape, so every table looks the same: borders on a terminal, plain
//! aligned columns when piped (easy to `grep`/`awk`), never wider than the terminal.

use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{ColumnConstraint, ContentArrangement, Table};

/// Columns of free text, the only ones a narrow terminal may wrap (by header). Every other
/// column holds something a user copies whole (an id, an address, a prefix, a timestamp).
const FREE_TEXT: &[&str] = &[
    "name",
    "purpose",
    "description",
    "reason",
    "scopes",
    "note",
    "error",
    "status reason",
];

/// Keep identifiers whole: every column that is not free text is as wide as its content, so
/// only free-text columns wrap when the terminal is narrow.
pub fn protect_ids(table: &mut Table) {
    let headers: Vec<String> = table
        .header()
        .map(|row| row.cell_iter().map(|c| c.content()).collect())
        .unwrap_or_default();
    for (index, header) in headers.iter().enumerate() {
        if FREE_TEXT.contains(&header.trim().to_ascii_lowercase().as_str()) {
            continue;
        }
        if let Some(column) = table.column_mut(index) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
}

/// A table with the given header row.
pub fn new(styled: bool, header: &[&str]) -> Table {
    let mut table = Table::new();
    if styled {
        table.load_style(UTF8_FULL_CONDENSED);
        table.set_content_arrangement(ContentArrangement::Dynamic);
        // Styled means stdout is a terminal: the table fits its width.
        if let Some((terminal_size::Width(width), _)) = terminal_size::terminal_size() {
            table.set_width(width);
        }
    } else {
        table.load_style(NOTHING);
        table.set_content_arrangement(ContentArrangement::Disabled);
    }
    table.set_header(header.to_vec());
    table
}

/// Render an optional value for a table cell.
pub fn cell(value: Option<impl ToString>) -> String {
    value
        .map(|v| v.to_string())
        .unwrap_or_else(|| "-".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_terminal_wraps_free_text_never_ids() {
        let id = "tok_0123456789abcdef0123456789abcdef";
        let created = "2026-11-29T23:11:04.123Z";
        let mut table = new(true, &["id", "name", "created"]);
        table.set_width(60);
        table.add_row(vec![
            id,
            "a rather long free-text name that has to give way somewhere",
            created,
        ]);
        protect_ids(&mut table);
        let text = table.to_string();
        assert!(text.contains(id), "{text}");
        assert!(text.contains(created), "{text}");
        assert!(text.lines().count() > 5, "the name wraps instead:\n{text}");
    }
}
