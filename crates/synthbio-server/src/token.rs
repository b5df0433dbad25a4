//! Unguessable identifiers: query ids and download tokens.

use rand::Rng;
use subtle::ConstantTimeEq;

/// 32 random bytes from the thread's CSPRNG (reseeded from the OS), as 64 hex digits.
///
/// Hex by hand: two lines, where a crate would add a dependency for nothing else.
pub(crate) fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time that does not depend on where they differ
/// (only on their lengths, which are not secret: keys and tokens have known shapes).
pub(crate) fn secrets_equal(given: &[u8], expected: &[u8]) -> bool {
    given.ct_eq(expected).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_hex_and_distinct() {
        let a = random_hex();
        let b = random_hex();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn comparison() {
        assert!(secrets_equal(b"abc", b"abc"));
        assert!(!secrets_equal(b"abc", b"abd"));
        assert!(!secrets_equal(b"abc", b"abcd"));
    }
}
