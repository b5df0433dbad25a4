//! Writing a report folder: the HTML page and one TSV per table, each atomically.

use crate::error::{ReportError, Result};
use crate::html::render_page;
use crate::options::RenderOptions;
use crate::text::slug_or;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use synthbio_core::ReportSection;

/// The files a report was written to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportFiles {
    /// The HTML page, `<name>.html`.
    pub html: PathBuf,
    /// One TSV per table, in section and table order:
    /// `<name>_<section-slug>_<table-slug>.tsv`.
    pub tables: Vec<PathBuf>,
}

/// Writes `<name>.html` and one TSV per table into `dir` (created if missing)
/// with the default [`RenderOptions`].
///
/// Every file is written to a temporary file in `dir` and then renamed, so a
/// reader never sees a half-written file; the TSVs are written before the page
/// that links to them. TSV contents are exactly [`synthbio_core::Table::to_delimited`]
/// with `'\t'`.
pub fn write_report(
    dir: &Path,
    name: &str,
    title: &str,
    intro: &[String],
    sections: &[ReportSection],
) -> Result<ReportFiles> {
    write_report_with(dir, name, title, intro, sections, &RenderOptions::default())
}

/// [`write_report`] with explicit options.
pub fn write_report_with(
    dir: &Path,
    name: &str,
    title: &str,
    intro: &[String],
    sections: &[ReportSection],
    options: &RenderOptions,
) -> Result<ReportFiles> {
    let names = table_file_names(name, sections)?;
    std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut tables = Vec::new();
    for (section, files) in sections.iter().zip(&names) {
        for ((_, table), file) in section.tables.iter().zip(files) {
            let path = dir.join(file);
            write_atomic(&path, table.to_delimited('\t').as_bytes())?;
            tables.push(path);
        }
    }
    let html = dir.join(format!("{name}.html"));
    let page = render_page(title, intro, sections, options, Some(&names));
    write_atomic(&html, page.as_bytes())?;
    Ok(ReportFiles { html, tables })
}

/// The TSV file name of every table, `names[section][table]`:
/// `<name>_<section-slug>_<table-slug>.tsv`, made unique with `-2`, `-3`, ...
/// when two slugs collide. Errors when `name` is not a plain file name stem.
pub fn table_file_names(name: &str, sections: &[ReportSection]) -> Result<Vec<Vec<String>>> {
    check_name(name)?;
    let mut taken = HashSet::new();
    let names = sections
        .iter()
        .enumerate()
        .map(|(s, section)| {
            let section_slug = slug_or(&section.title, &format!("section-{}", s + 1));
            section
                .tables
                .iter()
                .enumerate()
                .map(|(t, (caption, _))| {
                    let table_slug = slug_or(caption, &format!("table-{}", t + 1));
                    let stem = format!("{name}_{section_slug}_{table_slug}");
                    let mut file = format!("{stem}.tsv");
                    let mut k = 2;
                    while !taken.insert(file.clone()) {
                        file = format!("{stem}-{k}.tsv");
                        k += 1;
                    }
                    file
                })
                .collect()
        })
        .collect();
    Ok(names)
}

/// A report name is a file name stem: ASCII letters, digits, `-`, `_`, `.`,
/// not starting with `.`, at most 100 characters.
fn check_name(name: &str) -> Result<()> {
    let invalid = |reason| {
        Err(ReportError::InvalidName {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return invalid("it is empty");
    }
    if name.len() > 100 {
        return invalid("it is longer than 100 characters");
    }
    if name.starts_with('.') {
        return invalid("it starts with '.'");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return invalid(
            "it contains a character other than ASCII letters, digits, '-', '_' or '.'",
        );
    }
    Ok(())
}

/// Writes `contents` to a temporary file next to `path`, flushes it to disk,
/// then renames it over `path`. On error the temporary file is removed.
fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let fail = |source: std::io::Error| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    synthbio_core::fs::write_atomic(path, |w| w.write_all(contents).map_err(fail), fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_plain_stems() {
        for bad in ["", "../x", "a/b", ".hidden", "a b", "é"] {
            assert!(
                matches!(check_name(bad), Err(ReportError::InvalidName { .. })),
                "{bad:?} accepted"
            );
        }
        for good in ["report", "qc_2024-01.v2"] {
            assert!(check_name(good).is_ok(), "{good:?} rejected");
        }
    }
}
