//! The HTML page: header, contents, sections with figures and tables.

use crate::figure::render_figure_svg;
use crate::options::RenderOptions;
use crate::text::{escape_html, format_cell, is_numeric, slug_or};
use std::fmt::Write as _;
use synthbio_core::{ReportSection, Table};

/// Inline stylesheet: the page fetches nothing from the network.
const STYLE: &str = include_str!("style.css");

/// Renders a report as one self-contained HTML page with the default
/// [`RenderOptions`].
///
/// `intro` paragraphs and every text in `sections` are plain text (escaped
/// here). A figure that cannot be drawn is replaced by a visible error box
/// with the reason, so the rest of the report still renders.
pub fn render_html(title: &str, intro: &[String], sections: &[ReportSection]) -> String {
    render_html_with(title, intro, sections, &RenderOptions::default())
}

/// [`render_html`] with explicit options.
pub fn render_html_with(
    title: &str,
    intro: &[String],
    sections: &[ReportSection],
    options: &RenderOptions,
) -> String {
    render_page(title, intro, sections, options, None)
}

/// Renders the page; `tsv_names[s][t]` is the file name of table `t` of
/// section `s` when the tables are written next to the page.
pub(crate) fn render_page(
    title: &str,
    intro: &[String],
    sections: &[ReportSection],
    options: &RenderOptions,
    tsv_names: Option<&[Vec<String>]>,
) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let t = escape_html(title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"generator\" content=\"synthbio-report {}\">\n\
         <title>{t}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{t}</h1>\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(subtitle) = &options.subtitle {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape_html(subtitle));
    }
    out.push_str("</header>\n<main>\n");
    if !intro.is_empty() {
        out.push_str("<section class=\"intro\">\n");
        paragraphs(&mut out, intro);
        out.push_str("</section>\n");
    }

    let ids: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| format!("s{}-{}", i + 1, slug_or(&s.title, "section")))
        .collect();
    contents(&mut out, sections, &ids);

    let mut counters = Counters::default();
    for (s, section) in sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2><span class=\"num\">{}</span>{}</h2>",
            ids[s],
            s + 1,
            escape_html(&section.title)
        );
        paragraphs(&mut out, &section.paragraphs);
        for figure in &section.figures {
            counters.figures += 1;
            figure_html(&mut out, figure, counters.figures, options);
        }
        for (t, (caption, table)) in section.tables.iter().enumerate() {
            counters.tables += 1;
            let file = tsv_names
                .and_then(|names| names.get(s)?.get(t))
                .map(String::as_str);
            table_html(&mut out, caption, table, counters.tables, file, options);
        }
        out.push_str("</section>\n");
    }
    if sections.is_empty() {
        out.push_str("<p class=\"empty\">This report has no sections.</p>\n");
    }
    let _ = write!(
        out,
        "</main>\n<footer>Made with synthbio-report {}. Figures are inline SVG; \
         tables are cut to {} rows here{}.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        options.max_table_rows,
        if tsv_names.is_some() {
            ", full tables are in the TSV files next to this page"
        } else {
            ""
        }
    );
    out
}

/// Running figure and table numbers across the report.
#[derive(Default)]
struct Counters {
    figures: usize,
    tables: usize,
}

fn paragraphs(out: &mut String, paragraphs: &[String]) {
    for p in paragraphs {
        let _ = writeln!(out, "<p>{}</p>", escape_html(p));
    }
}

/// The table of contents, with the number of figures and tables per section.
fn contents(out: &mut String, sections: &[ReportSection], ids: &[String]) {
    if sections.is_empty() {
        return;
    }
    out.push_str("<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n");
    for (section, id) in sections.iter().zip(ids) {
        let mut parts = Vec::new();
        if !section.figures.is_empty() {
            parts.push(crate::figure::plural(
                section.figures.len(),
                "figure",
                "figures",
            ));
        }
        if !section.tables.is_empty() {
            parts.push(crate::figure::plural(
                section.tables.len(),
                "table",
                "tables",
            ));
        }
        let count = if parts.is_empty() {
            String::new()
        } else {
            format!("<span class=\"count\">{}</span>", parts.join(", "))
        };
        let _ = writeln!(
            out,
            "<li><a href=\"#{id}\">{}</a>{count}</li>",
            escape_html(&section.title)
        );
    }
    out.push_str("</ol>\n</nav>\n");
}

fn figure_html(
    out: &mut String,
    figure: &synthbio_core::Figure,
    number: usize,
    options: &RenderOptions,
) {
    match render_figure_svg(figure, options) {
        Ok(drawn) => {
            let _ = write!(
                out,
                "<figure id=\"figure-{number}\">\n{}<figcaption><span class=\"label\">Figure {number}.</span> {}",
                drawn.svg,
                escape_html(&sentence(&drawn.title))
            );
            for note in &drawn.notes {
                let _ = write!(out, " {}", escape_html(note));
            }
            out.push_str("</figcaption>\n</figure>\n");
        }
        Err(e) => {
            let _ = writeln!(
                out,
                "<figure id=\"figure-{number}\" class=\"figure-error\"><p><span class=\"label\">Figure {number}</span> could not be drawn: {}</p></figure>",
                escape_html(&e.to_string())
            );
        }
    }
}

fn table_html(
    out: &mut String,
    caption: &str,
    table: &Table,
    number: usize,
    file: Option<&str>,
    options: &RenderOptions,
) {
    let cols = table.columns.len();
    let rows = table.rows.len();
    // A column is numeric (right-aligned) when every non-empty cell is a number.
    let numeric: Vec<bool> = (0..cols)
        .map(|c| {
            let mut cells = table.rows.iter().filter_map(|r| r.get(c));
            let mut any = false;
            cells.all(|cell| {
                any |= is_numeric(cell);
                is_numeric(cell) || matches!(cell, synthbio_core::Cell::Empty)
            }) && any
        })
        .collect();
    let class = |c: usize| {
        if numeric.get(c).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        }
    };

    let _ = write!(
        out,
        "<div class=\"table-block\" id=\"table-{number}\">\n<p class=\"table-caption\"><span class=\"label\">Table {number}.</span> {} <span class=\"count\">{} × {}</span></p>\n\
         <div class=\"table-scroll\">\n<table>\n<thead><tr>",
        escape_html(&sentence(caption)),
        plural_rows(rows),
        crate::figure::plural(cols, "column", "columns"),
    );
    for (c, name) in table.columns.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(c), escape_html(name));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let shown = rows.min(options.max_table_rows);
    for row in &table.rows[..shown] {
        out.push_str("<tr>");
        // Rows shorter than the header are padded so the grid stays aligned.
        for c in 0..cols.max(row.len()) {
            let text = row.get(c).map(display_cell).unwrap_or_default();
            let _ = write!(out, "<td{}>{}</td>", class(c), escape_html(&text));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");

    let link = file.map(|f| {
        format!(
            "<a href=\"{}\"><code>{}</code></a>",
            escape_html(f),
            escape_html(f)
        )
    });
    if rows == 0 {
        out.push_str("<p class=\"note\">The table is empty.</p>\n");
    } else if shown < rows {
        let where_ = link.as_deref().map_or_else(
            || "in the TSV file written next to this report".to_string(),
            |l| format!("in {l}, next to this report"),
        );
        let _ = writeln!(
            out,
            "<p class=\"note\">Showing the first {} of {} rows. The full table is {where_}.</p>",
            thousands(shown),
            thousands(rows)
        );
    } else if let Some(l) = link {
        let _ = writeln!(out, "<p class=\"note\">As TSV: {l}</p>");
    }
    out.push_str("</div>\n");
}

/// A table cell for the page: whole numbers of five digits or more get
/// thousands separators (the TSV keeps them plain).
fn display_cell(cell: &synthbio_core::Cell) -> String {
    match cell {
        synthbio_core::Cell::Int(i) if i.unsigned_abs() >= 10_000 => {
            let sign = if *i < 0 { "-" } else { "" };
            format!("{sign}{}", thousands_u64(i.unsigned_abs()))
        }
        other => format_cell(other),
    }
}

/// `text` ending with a full stop (unless it already ends with punctuation).
fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.is_empty() || t.ends_with(['.', '!', '?', ':']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

fn plural_rows(n: usize) -> String {
    format!("{} {}", thousands(n), if n == 1 { "row" } else { "rows" })
}

/// `12345` as `12,345`.
pub(crate) fn thousands(n: usize) -> String {
    // usize is at most 64 bits wide on every supported target.
    thousands_u64(n as u64)
}

/// `12345_u64` as `12,345`.
fn thousands_u64(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(12345), "12,345");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
