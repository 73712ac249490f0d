//! One function per table shape, so every table looks the same: borders on a terminal, plain
//! aligned columns when piped (easy to `grep`/`awk`), never wider than the terminal.

use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{ContentArrangement, Table};

/// A table with the given header row.
pub fn new(styled: bool, header: &[&str]) -> Table {
    let mut table = Table::new();
    if styled {
        table.load_style(UTF8_FULL_CONDENSED);
        table.set_content_arrangement(ContentArrangement::Dynamic);
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
