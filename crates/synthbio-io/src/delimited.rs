//! Reading delimited text (TSV, CSV) record by record, with the delimiter told from
//! the header line. Parsing itself (quotes, CRLF line ends) is the `csv` crate's.

use crate::error::IoError;
use crate::source::Source;
use std::collections::HashMap;
use std::io::{BufRead, Chain, Cursor, Read};
use std::path::Path;

/// How the columns of a text table are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delimiter {
    /// Tab-separated (TSV).
    Tab,
    /// Comma-separated (CSV).
    Comma,
    /// Semicolon-separated (CSV as spreadsheets write it in many locales).
    Semicolon,
}

impl Delimiter {
    /// The separating byte.
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Tab => b'\t',
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        }
    }

    /// "tab-separated", "comma-separated" or "semicolon-separated".
    pub fn describe(self) -> &'static str {
        match self {
            Delimiter::Tab => "tab-separated",
            Delimiter::Comma => "comma-separated",
            Delimiter::Semicolon => "semicolon-separated",
        }
    }
}

/// What to do when the header line has no delimiter at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SingleColumn {
    /// It is an error (tables that need an id column and values).
    Refuse,
    /// The file has one column (a list of ids).
    Allow,
}

type Inner = Chain<Cursor<Vec<u8>>, Box<dyn BufRead + Send>>;

/// An open delimited file positioned after its header.
pub(crate) struct Delimited {
    /// The file name, for messages.
    pub file: String,
    /// Whether it was gzipped.
    pub gzip: bool,
    /// The delimiter used.
    pub delimiter: Delimiter,
    /// Lines starting with `#` before the header, skipped.
    pub comment_lines: usize,
    /// The header's fields, trimmed.
    pub header: Vec<String>,
    reader: csv::Reader<Inner>,
    record: csv::ByteRecord,
}

impl Delimited {
    /// Opens a file and reads its header. `delimiter: None` detects it from the header
    /// line; `expected` says what the file should hold, for the message when it is empty.
    pub fn open(
        path: &Path,
        delimiter: Option<Delimiter>,
        single: SingleColumn,
        expected: &'static str,
    ) -> Result<Delimited, IoError> {
        let Source {
            file,
            gzip,
            mut reader,
        } = Source::open(path)?;
        // Read up to the header line ourselves, to detect the delimiter from it and to
        // skip comment lines (featureCounts writes one) and blank lines.
        let mut comment_lines = 0;
        let mut first = Vec::new();
        loop {
            first.clear();
            let n = reader
                .read_until(b'\n', &mut first)
                .map_err(|source| IoError::Read {
                    file: file.clone(),
                    source,
                })?;
            if n == 0 {
                return Err(IoError::Empty {
                    file,
                    problem: "is empty",
                    expected,
                });
            }
            strip_bom(&mut first);
            if first.starts_with(b"#") {
                comment_lines += 1;
            } else if !first.trim_ascii().is_empty() {
                break;
            }
        }
        let delimiter = match delimiter {
            Some(d) => d,
            None => detect_delimiter(&first).or_else(|found| match single {
                SingleColumn::Allow if found.is_none() => Ok(Delimiter::Tab),
                _ => Err(IoError::Delimiter {
                    file: file.clone(),
                    found: found.unwrap_or("no tab, comma or semicolon").to_string(),
                }),
            })?,
        };
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter.byte())
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(Cursor::new(first).chain(reader));
        let mut this = Delimited {
            file,
            gzip,
            delimiter,
            comment_lines,
            header: Vec::new(),
            reader,
            record: csv::ByteRecord::new(),
        };
        let Some(line) = this.next_record()? else {
            // Unreachable in practice: the header line was non-blank.
            return Err(IoError::Empty {
                file: this.file,
                problem: "is empty",
                expected,
            });
        };
        let header = (0..this.record.len())
            .map(|i| this.text(i, line).map(str::to_string))
            .collect::<Result<Vec<_>, _>>()?;
        this.header = header;
        Ok(this)
    }

    /// Reads the next record; returns its 1-based line number in the file, or `None` at
    /// the end. Blank lines are skipped (by the `csv` crate).
    pub fn next_record(&mut self) -> Result<Option<u64>, IoError> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                let line = self.record.position().map_or(0, csv::Position::line);
                Ok(Some(line + self.comment_lines as u64))
            }
            Ok(false) => Ok(None),
            Err(e) => Err(IoError::Read {
                file: self.file.clone(),
                source: e.into(),
            }),
        }
    }

    /// The current record.
    pub fn record(&self) -> &csv::ByteRecord {
        &self.record
    }

    /// Field `i` of the current record as text.
    pub fn text(&self, i: usize, line: u64) -> Result<&str, IoError> {
        std::str::from_utf8(&self.record[i]).map_err(|_| IoError::NotUtf8 {
            file: self.file.clone(),
            line,
        })
    }

    /// The current record's id (its first field): not empty, and not on an earlier
    /// line (`seen` maps each id to its line).
    pub fn row_id(&self, line: u64, seen: &mut HashMap<String, u64>) -> Result<String, IoError> {
        let id = self.text(0, line)?.to_string();
        if id.is_empty() {
            return Err(IoError::EmptyId {
                file: self.file.clone(),
                place: format!("line {line}"),
            });
        }
        if let Some(first) = seen.insert(id.clone(), line) {
            return Err(IoError::DuplicateId {
                file: self.file.clone(),
                id,
                places: format!("lines {first} and {line}"),
            });
        }
        Ok(id)
    }
}

/// Removes a UTF-8 byte order mark (spreadsheets write one).
fn strip_bom(line: &mut Vec<u8>) {
    if line.starts_with(&[0xef, 0xbb, 0xbf]) {
        line.drain(..3);
    }
}

/// The delimiter of a header line: whichever of tab, comma and semicolon occurs most
/// often outside double quotes. `Err(None)` when none occurs, `Err(Some(why))` on a tie.
fn detect_delimiter(line: &[u8]) -> Result<Delimiter, Option<&'static str>> {
    let mut counts = [
        (Delimiter::Tab, 0usize),
        (Delimiter::Comma, 0),
        (Delimiter::Semicolon, 0),
    ];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if b == d.byte() {
                    *n += 1;
                }
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    match (counts[0], counts[1]) {
        ((_, 0), _) => Err(None),
        ((_, a), (_, b)) if a == b => {
            Err(Some("as many of two separators (tabs, commas, semicolons)"))
        }
        ((d, _), _) => Ok(d),
    }
}

/// Rejects an empty or repeated column id; `first_column` is the 1-based header column
/// of `ids[0]`.
pub(crate) fn check_column_ids(
    file: &str,
    ids: &[String],
    first_column: usize,
) -> Result<(), IoError> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
    for (j, id) in ids.iter().enumerate() {
        if id.is_empty() {
            return Err(IoError::EmptyId {
                file: file.to_string(),
                place: format!("header column {}", j + first_column),
            });
        }
        if let Some(k) = seen.insert(id, j) {
            return Err(IoError::DuplicateId {
                file: file.to_string(),
                id: id.clone(),
                places: format!(
                    "header columns {} and {}",
                    k + first_column,
                    j + first_column
                ),
            });
        }
    }
    Ok(())
}
