//! Cuts JSON into raw values without parsing them, so that each piece (one
//! result output, one top-level value, one key's value) is parsed from memory,
//! several times faster than serde_json reading from an `io::Read` byte by
//! byte, while only one output's text is held at a time.
//!
//! The scanner only tracks strings (with escapes) and bracket depth to find
//! where a value ends; serde_json then checks each piece's syntax.

use std::io::BufRead;

/// JSON whitespace.
#[inline]
pub(crate) fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

/// Where a value ends, fed its bytes in pieces.
struct ValueEnd {
    /// A number or literal: it ends at the next delimiter.
    scalar: bool,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl ValueEnd {
    fn new(first: u8) -> Self {
        ValueEnd {
            scalar: !matches!(first, b'{' | b'[' | b'"'),
            depth: 0,
            in_string: false,
            escaped: false,
        }
    }

    /// Feeds the next bytes of the value; `Some(n)` when it ends after `n` of them.
    fn feed(&mut self, buf: &[u8]) -> Option<usize> {
        let n = buf.len();
        let mut i = 0;
        while i < n {
            if !self.in_string && !self.scalar {
                // Long runs of numbers hold no structural byte: skip them 8 at a time.
                while i + 8 <= n && !structural(&buf[i..i + 8]) {
                    i += 8;
                }
                if i == n {
                    break;
                }
            }
            let c = buf[i];
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if c == b'\\' {
                    self.escaped = true;
                } else if c == b'"' {
                    self.in_string = false;
                    if self.depth == 0 {
                        return Some(i + 1);
                    }
                }
            } else if self.scalar {
                if matches!(c, b',' | b'}' | b']' | b':') || is_ws(c) {
                    return Some(i);
                }
            } else {
                match c {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        None
    }
}

/// Whether 8 bytes may hold one of `"`, `[`, `]`, `{`, `}` (a few control bytes
/// also answer yes; that only costs a byte-by-byte look).
#[inline]
fn structural(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes);
    // Setting bit 5 maps `[` to `{` and `]` to `}`; `"` keeps its value.
    let w = u64::from_le_bytes(word) | (0x20 * ONES);
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    (has_zero(w ^ (b'{' as u64 * ONES))
        | has_zero(w ^ (b'}' as u64 * ONES))
        | has_zero(w ^ (b'"' as u64 * ONES)))
        != 0
}

/// The length of the JSON value at the start of `bytes` (after whitespace the
/// caller skipped).
pub(crate) fn value_len(bytes: &[u8]) -> Result<usize, String> {
    let first = *bytes
        .first()
        .ok_or("expected a value, found the end of the JSON")?;
    match ValueEnd::new(first).feed(bytes) {
        Some(n) => Ok(n),
        None if !matches!(first, b'{' | b'[' | b'"') => Ok(bytes.len()),
        None => Err("the JSON ends inside a value".into()),
    }
}

/// A reader of raw JSON values from a buffered stream or a byte slice.
pub(crate) struct Scanner<R> {
    r: R,
    /// Bytes consumed so far (for error messages).
    offset: u64,
}

impl<R: BufRead> Scanner<R> {
    /// A scanner over a buffered reader (a `&[u8]` is one).
    pub fn new(r: R) -> Self {
        Scanner { r, offset: 0 }
    }

    fn consume(&mut self, n: usize) {
        self.r.consume(n);
        self.offset += n as u64;
    }

    /// An error at the current position.
    pub fn error(&self, message: impl std::fmt::Display) -> String {
        format!("{message} at byte {}", self.offset)
    }

    fn fill(&mut self) -> Result<&[u8], String> {
        let offset = self.offset;
        self.r
            .fill_buf()
            .map_err(|e| format!("reading failed at byte {offset}: {e}"))
    }

    /// Skips whitespace and returns the next byte without consuming it
    /// (`None` at the end).
    pub fn peek(&mut self) -> Result<Option<u8>, String> {
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(None);
            }
            match buf.iter().position(|&c| !is_ws(c)) {
                Some(i) => {
                    let c = buf[i];
                    self.consume(i);
                    return Ok(Some(c));
                }
                None => {
                    let n = buf.len();
                    self.consume(n);
                }
            }
        }
    }

    /// Skips whitespace and consumes the next byte, which must be one of `allowed`.
    pub fn expect(&mut self, allowed: &[u8]) -> Result<u8, String> {
        match self.peek()? {
            Some(c) if allowed.contains(&c) => {
                self.consume(1);
                Ok(c)
            }
            Some(c) => Err(self.error(format!(
                "expected {}, found {:?}",
                expected(allowed),
                char::from(c)
            ))),
            None => Err(self.error(format!(
                "expected {}, found the end of the JSON",
                expected(allowed)
            ))),
        }
    }

    /// Checks that only whitespace is left.
    pub fn end(&mut self) -> Result<(), String> {
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters after the JSON value")),
        }
    }

    fn first_byte(&mut self) -> Result<u8, String> {
        self.peek()?
            .ok_or_else(|| self.error("expected a value, found the end of the JSON"))
    }

    /// Skips whitespace and appends the next value's bytes to `out`: an object,
    /// array or string up to its closing byte, or a number / literal up to the
    /// next delimiter.
    pub fn read_value(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        let mut end = ValueEnd::new(self.first_byte()?);
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return if end.scalar {
                    Ok(())
                } else {
                    Err(self.error("the JSON ends inside a value"))
                };
            }
            let stop = end.feed(buf);
            let n = stop.unwrap_or(buf.len());
            out.extend_from_slice(&buf[..n]);
            self.consume(n);
            if stop.is_some() {
                return Ok(());
            }
        }
    }
}

impl<'a> Scanner<&'a [u8]> {
    /// Skips whitespace and returns the next value of the slice, without a copy.
    pub fn value(&mut self) -> Result<&'a [u8], String> {
        self.first_byte()?;
        let rest: &'a [u8] = self.r;
        let n = value_len(rest).map_err(|e| self.error(e))?;
        self.consume(n);
        Ok(&rest[..n])
    }

    /// The entries of the JSON object that is this whole slice. `f(key, rest)`
    /// gets the text from the entry's value to the end of the object and
    /// returns the length of the value (see [`value_len`]).
    pub fn entries(
        mut self,
        mut f: impl FnMut(&str, &'a [u8]) -> Result<usize, String>,
    ) -> Result<(), String> {
        self.expect(b"{")?;
        if self.peek()? == Some(b'}') {
            self.consume(1);
        } else {
            loop {
                let raw = self.value()?;
                let key: String = serde_json::from_slice(raw)
                    .map_err(|e| self.error(format!("an object key is not a string ({e})")))?;
                self.expect(b":")?;
                self.first_byte()?;
                let rest: &'a [u8] = self.r;
                let n = f(&key, rest)?;
                self.consume(n);
                if self.expect(b",}")? == b'}' {
                    break;
                }
            }
        }
        self.end()
    }
}

fn expected(allowed: &[u8]) -> String {
    allowed
        .iter()
        .map(|&c| format!("{:?}", char::from(c)))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: &str, chunk: usize) -> Vec<String> {
        // A tiny buffer makes values cross buffer boundaries.
        let mut sc = Scanner::new(std::io::BufReader::with_capacity(chunk, s.as_bytes()));
        let mut out = Vec::new();
        sc.expect(b"[").unwrap();
        loop {
            let mut v = Vec::new();
            sc.read_value(&mut v).unwrap();
            out.push(String::from_utf8(v).unwrap());
            if sc.expect(b",]").unwrap() == b']' {
                break;
            }
        }
        sc.end().unwrap();
        out
    }

    const LIST: &str =
        r#" [ {"a": [1, {"b": "x}]\"y"}], "c": null} , "s\\" , 12.5e3,true,[[]],{} ] "#;
    const WANT: [&str; 6] = [
        r#"{"a": [1, {"b": "x}]\"y"}], "c": null}"#,
        r#""s\\""#,
        "12.5e3",
        "true",
        "[[]]",
        "{}",
    ];

    #[test]
    fn finds_the_end_of_each_value_across_buffers() {
        for chunk in [1, 2, 3, 7, 64, 1 << 16] {
            assert_eq!(values(LIST, chunk), WANT, "buffer of {chunk} bytes");
        }
    }

    #[test]
    fn slices_give_the_same_values_and_entries() {
        let mut sc = Scanner::new(LIST.as_bytes());
        sc.expect(b"[").unwrap();
        let mut got = Vec::new();
        loop {
            got.push(std::str::from_utf8(sc.value().unwrap()).unwrap());
            if sc.expect(b",]").unwrap() == b']' {
                break;
            }
        }
        assert_eq!(got, WANT);
        let mut seen = Vec::new();
        Scanner::new(br#"{"k\"1": 5 ,"k2":{"x":[]}}"#.as_slice())
            .entries(|k, rest| {
                let n = value_len(rest)?;
                seen.push((
                    k.to_string(),
                    String::from_utf8(rest[..n].to_vec()).unwrap(),
                ));
                Ok(n)
            })
            .unwrap();
        assert_eq!(
            seen,
            [
                ("k\"1".to_string(), "5".to_string()),
                ("k2".to_string(), r#"{"x":[]}"#.to_string())
            ]
        );
        let e = Scanner::new(br#"{"a": 1} x"#.as_slice())
            .entries(value_len_of)
            .unwrap_err();
        assert!(e.contains("trailing"), "{e}");
    }

    fn value_len_of(_: &str, rest: &[u8]) -> Result<usize, String> {
        value_len(rest)
    }

    #[test]
    fn structural_bytes_are_found_in_words() {
        for (s, want) in [
            (&b"12345678"[..], false),
            (b"1,2, 3\n4", false),
            (b"1234567]", true),
            (b"[2345678", true),
            (b"1\"345678", true),
            (b"123{5678", true),
            (b"1234}678", true),
        ] {
            assert_eq!(structural(s), want, "{}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn a_truncated_value_is_an_error() {
        let mut sc = Scanner::new(r#"{"a": [1, 2"#.as_bytes());
        let e = sc.read_value(&mut Vec::new()).unwrap_err();
        assert!(e.contains("ends inside a value"), "{e}");
        let mut sc = Scanner::new(r#"{"a": [1, 2"#.as_bytes());
        assert!(sc.value().is_err());
        let mut sc = Scanner::new("  ".as_bytes());
        assert!(sc.read_value(&mut Vec::new()).is_err());
        let mut sc = Scanner::new(" x".as_bytes());
        let e = sc.expect(b"{").unwrap_err();
        assert!(e.contains("expected '{'") && e.contains("byte 1"), "{e}");
    }
}
