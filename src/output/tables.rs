//! One function per table shape, so every table looks the same: borders on a terminal, and
//! never wider than it; plain aligned columns when piped (easy to `grep`/`awk`), with no
//! trailing spaces.
//!
//! On a terminal of `width` columns:
//! - identifiers and every other column a user copies whole (an id, an address, an amount, a
//!   timestamp) keep their full width;
//! - free-text columns ([`FREE_TEXT`], by header) give way: each is cut to what is left and
//!   ends with `…` where it was cut (the full text is in `--json`);
//! - the first layout that fits is taken: boxed; without the box (a rule under the header);
//!   boxed with free text cut; without the box with free text cut; and when even that cannot
//!   fit (free text would get fewer than [`MIN_FREE_TEXT`] columns), one block of
//!   `key: value` lines per row.
//!
//! Every cell is one line: control characters in it (a line break in a service's text) are
//! shown escaped ([`super::neutralize`]), never obeyed.

use comfy_table::Table;
use unicode_width::UnicodeWidthStr;

/// Columns of free text, the only ones that are cut (by header). Every other column holds
/// something a user copies whole.
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

/// Below this many columns a cut free text says too little: the table becomes records.
pub const MIN_FREE_TEXT: usize = 12;

/// A table with the given header row. (`styled` is decided when it is shown; kept so that
/// every table is made the same way.)
pub fn new(_styled: bool, header: &[&str]) -> Table {
    let mut table = Table::new();
    table.set_header(header.to_vec());
    table
}

/// Render an optional value for a table cell.
pub fn cell(value: Option<impl ToString>) -> String {
    value
        .map(|v| v.to_string())
        .unwrap_or_else(|| "-".to_owned())
}

/// The table as text: boxed and at most `width` columns wide when `styled` (a terminal),
/// else plain columns. No line ends in a space.
pub fn render(table: &Table, styled: bool, width: Option<usize>) -> String {
    let headers: Vec<String> = table
        .header()
        .map(|row| row.cell_iter().map(|c| one_line(&c.content())).collect())
        .unwrap_or_default();
    let rows: Vec<Vec<String>> = table
        .row_iter()
        .map(|row| {
            let mut cells: Vec<String> = row.cell_iter().map(|c| one_line(&c.content())).collect();
            cells.resize(headers.len(), String::new());
            cells
        })
        .collect();
    if !styled {
        return plain(&headers, &rows);
    }
    let natural: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].width())
                .chain([headers[i].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let free: Vec<bool> = headers
        .iter()
        .map(|h| FREE_TEXT.contains(&h.trim().to_ascii_lowercase().as_str()))
        .collect();
    let n = headers.len();
    let boxed_overhead = 3 * n + 1;
    let compact_overhead = 2 * n.saturating_sub(1);
    let natural_total: usize = natural.iter().sum();
    let Some(width) = width else {
        return boxed(&headers, &rows, &natural);
    };
    // The first that fits: boxed, then without the box, then with free text cut (boxed, then
    // without the box), else records.
    if natural_total + boxed_overhead <= width {
        return boxed(&headers, &rows, &natural);
    }
    if natural_total + compact_overhead <= width {
        return compact(&headers, &rows, &natural);
    }
    for (overhead, draw) in [
        (
            boxed_overhead,
            boxed as fn(&[String], &[Vec<String>], &[usize]) -> String,
        ),
        (compact_overhead, compact),
    ] {
        if let Some(widths) = fit(&natural, &free, width.saturating_sub(overhead)) {
            let cut: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .zip(&widths)
                        .map(|(c, w)| truncate(c, *w))
                        .collect()
                })
                .collect();
            let headers: Vec<String> = headers
                .iter()
                .zip(&widths)
                .map(|(h, w)| truncate(h, *w))
                .collect();
            return draw(&headers, &cut, &widths);
        }
    }
    records(&headers, &rows, width)
}

/// Column widths within `room` where only free-text columns give way, each keeping at least
/// [`MIN_FREE_TEXT`] (or its natural width, if less); `None` when that does not fit.
fn fit(natural: &[usize], free: &[bool], room: usize) -> Option<Vec<usize>> {
    let fixed: usize = natural
        .iter()
        .zip(free)
        .filter(|(_, free)| !**free)
        .map(|(w, _)| w)
        .sum();
    let mut left = room.checked_sub(fixed)?;
    let mut widths = natural.to_vec();
    // Free-text columns share what is left, narrowest first, each at most its natural width.
    let mut order: Vec<usize> = (0..natural.len()).filter(|i| free[*i]).collect();
    order.sort_by_key(|i| natural[*i]);
    let mut remaining = order.len();
    for i in order {
        let share = left / remaining.max(1);
        widths[i] = natural[i].min(share);
        if widths[i] < natural[i].min(MIN_FREE_TEXT) {
            return None;
        }
        left -= widths[i];
        remaining -= 1;
    }
    Some(widths)
}

/// A cell's text on one line, control characters shown escaped.
fn one_line(text: &str) -> String {
    super::neutralize(text, false).into_owned()
}

/// `text` cut to `width` columns, ending in `…` where it was cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

fn boxed(headers: &[String], rows: &[Vec<String>], widths: &[usize]) -> String {
    let rule = |left: &str, mid: &str, right: &str| {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("{left}{}{right}", parts.join(mid))
    };
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!(" {} ", pad(c, *w)))
            .collect();
        format!("│{}│", parts.join("│"))
    };
    let mut out = vec![rule("┌", "┬", "┐"), line(headers), rule("├", "┼", "┤")];
    out.extend(rows.iter().map(|r| line(r)));
    out.push(rule("└", "┴", "┘"));
    out.join("\n")
}

/// Columns without the box, for a terminal too narrow for it: a rule under the header, two
/// spaces between columns.
fn compact(headers: &[String], rows: &[Vec<String>], widths: &[usize]) -> String {
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells.iter().zip(widths).map(|(c, w)| pad(c, *w)).collect();
        parts.join("  ").trim_end().to_owned()
    };
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    let mut out = vec![line(headers), rule.join("  ")];
    out.extend(rows.iter().map(|r| line(r)));
    out.join("\n")
}

/// Plain columns for a pipe: two spaces between columns, nothing after the last.
fn plain(headers: &[String], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].width())
                .chain([headers[i].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    std::iter::once(headers)
        .chain(rows.iter().map(Vec::as_slice))
        .map(|cells| {
            let parts: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
            parts.join("  ").trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One `key: value` block per row, blocks apart by a blank line; free text longer than the
/// terminal is cut like a cell, identifiers never.
fn records(headers: &[String], rows: &[Vec<String>], width: usize) -> String {
    let label = |h: &str| {
        if h.trim().is_empty() {
            "*".to_owned()
        } else {
            h.to_owned()
        }
    };
    let label_width = headers.iter().map(|h| label(h).width()).max().unwrap_or(0) + 1;
    let blocks: Vec<String> = rows
        .iter()
        .map(|row| {
            headers
                .iter()
                .zip(row)
                .filter(|(h, v)| !(h.trim().is_empty() && v.is_empty()))
                .map(|(h, v)| {
                    let free = FREE_TEXT.contains(&h.trim().to_ascii_lowercase().as_str());
                    let room = width.saturating_sub(label_width + 2);
                    let value = if free {
                        truncate(v, room.max(1))
                    } else {
                        v.clone()
                    };
                    format!("{}  {value}", pad(&format!("{}:", label(h)), label_width))
                        .trim_end()
                        .to_owned()
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    blocks.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut table = new(true, &["id", "name", "created"]);
        table.add_row(vec![
            "tok_0123456789abcdef0123456789abcdef",
            "a rather long free-text name that has to give way somewhere",
            "2026-11-29T23:11:04.123Z",
        ]);
        table
    }

    #[test]
    fn a_narrow_terminal_cuts_free_text_never_ids() {
        let text = render(&sample(), true, Some(90));
        assert!(text.lines().all(|l| l.chars().count() <= 90), "{text}");
        assert!(
            text.contains("tok_0123456789abcdef0123456789abcdef"),
            "{text}"
        );
        assert!(text.contains("2026-11-29T23:11:04.123Z"), "{text}");
        assert!(text.contains('…'), "{text}");
        assert_eq!(text.lines().count(), 5, "one line per row:\n{text}");
    }

    #[test]
    fn a_table_that_cannot_fit_becomes_records() {
        let text = render(&sample(), true, Some(60));
        assert!(text.starts_with("id:"), "{text}");
        assert!(
            text.contains("created:  2026-11-29T23:11:04.123Z"),
            "{text}"
        );
        assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
    }

    #[test]
    fn piped_tables_have_no_trailing_spaces_and_cells_one_line() {
        let mut table = new(false, &["id", "name", ""]);
        table.add_row(vec!["a", "two\nlines", ""]);
        let text = render(&table, false, None);
        assert_eq!(text, "id  name\na   two\\nlines");
    }
}
