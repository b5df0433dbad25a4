//! Parsing one count value.

use crate::error::CountProblem;

/// Parses a raw count: a non-negative integer, or a float with no fractional part
/// (`10.0`, `1e3`), as R and pandas write integer columns that once held a missing value.
pub(crate) fn parse_count(field: &[u8]) -> Result<u32, CountProblem> {
    let text = std::str::from_utf8(field).map_err(|_| CountProblem::NotNumber)?;
    if let Ok(n) = text.parse::<u32>() {
        return Ok(n);
    }
    count_from_f64(text.parse().map_err(|_| CountProblem::NotNumber)?)
}

/// A floating-point value as a count: finite, non-negative, whole and at most
/// `u32::MAX` (as text tables and AnnData matrices store counts).
pub(crate) fn count_from_f64(v: f64) -> Result<u32, CountProblem> {
    if !v.is_finite() {
        Err(CountProblem::NotNumber)
    } else if v < 0.0 {
        Err(CountProblem::Negative)
    } else if v.fract() != 0.0 {
        Err(CountProblem::NotWhole)
    } else if v > f64::from(u32::MAX) {
        Err(CountProblem::TooLarge)
    } else {
        // Whole, finite and in range: the cast is exact.
        Ok(v as u32)
    }
}
