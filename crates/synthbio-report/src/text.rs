//! HTML escaping, slugs and number formatting.
//!
//! Written by hand: escaping five characters and making ASCII slugs are a few
//! lines each, not worth two more dependencies.

use synthbio_core::Cell;

/// Escapes `&`, `<`, `>`, `"` and `'` so that text is safe both in element
/// content and in quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A lowercase ASCII slug: letters and digits kept, every other run of
/// characters becomes one `-`, no leading or trailing `-`, at most 40
/// characters. Empty when nothing is left.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Slug of `text`, or `fallback` when `text` has no ASCII letters or digits.
pub fn slug_or(text: &str, fallback: &str) -> String {
    let s = slug(text);
    if s.is_empty() {
        fallback.to_string()
    } else {
        s
    }
}

/// A number for display: up to 4 significant digits, scientific notation
/// for very small or very large magnitudes, `NaN`, `inf` and `-inf` spelled out.
pub fn format_number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.3e}");
        // `1.500e-7` -> `1.5e-7`: trailing zeros of the mantissa say nothing.
        return match s.split_once('e') {
            Some((mantissa, exponent)) => {
                let m = mantissa.trim_end_matches('0').trim_end_matches('.');
                format!("{m}e{exponent}")
            }
            None => s,
        };
    }
    // Digits after the point for 4 significant digits; `a` is in [1e-3, 1e6)
    // so the exponent is in -3..=5 and the cast cannot truncate.
    let exponent = a.log10().floor() as i32;
    let decimals = (3 - exponent).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A table cell as display text (not escaped).
pub fn format_cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => format_number(*f),
        Cell::Empty => String::new(),
    }
}

/// Whether a cell holds a number (for right alignment).
pub fn is_numeric(cell: &Cell) -> bool {
    matches!(cell, Cell::Int(_) | Cell::Float(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_all_five_special_characters() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn slugs_are_ascii_and_trimmed() {
        assert_eq!(
            slug("  Differential expression (DE)! "),
            "differential-expression-de"
        );
        assert_eq!(slug("β-β"), "");
        assert_eq!(slug_or("β", "table-1"), "table-1");
        assert_eq!(slug(&"a".repeat(100)).len(), 40);
    }

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(format_number(1.23456), "1.235");
        assert_eq!(format_number(1234.56), "1235");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(-2.0), "-2");
        assert_eq!(format_number(0.0001234), "1.234e-4");
        assert_eq!(format_number(3.0e7), "3e7");
        assert_eq!(format_number(-2.56e-53), "-2.56e-53");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_number(0.0), "0");
    }
}
