//! The API key in the OS keyring, where the official Python client keeps it
//! (`keyring.set_password("pysynthbio", "api_token", ...)`), so a key stored by
//! either client serves both.

use crate::config::ApiKey;

/// The keyring service name the official client uses.
pub const KEYRING_SERVICE: &str = "pysynthbio";
/// The keyring user name the official client uses.
pub const KEYRING_USER: &str = "api_token";

/// Why the keyring could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyringError(String);

fn explain(e: keyring::Error) -> KeyringError {
    let fix = "set SYNTHESIZE_API_KEY instead";
    KeyringError(match e {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => format!(
            "the OS keyring is not available on this machine (no secret service answered: {inner}); {fix}"
        ),
        keyring::Error::BadEncoding(_) => format!("the key stored in the OS keyring is not text; run `synthbio login` again or {fix}"),
        other => format!("the OS keyring failed: {other}; {fix}"),
    })
}

/// The keyring entry of the API key.
pub struct KeyStore {
    entry: keyring::Entry,
}

impl KeyStore {
    /// Opens the entry (nothing is read yet).
    pub fn open() -> Result<Self, KeyringError> {
        keyring::Entry::new(KEYRING_SERVICE, KEYRING_USER)
            .map(|entry| KeyStore { entry })
            .map_err(explain)
    }

    /// The stored key; `None` when there is none.
    pub fn read(&self) -> Result<Option<ApiKey>, KeyringError> {
        match self.entry.get_password() {
            Ok(k) => Ok(ApiKey::new(k)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(explain(e)),
        }
    }

    /// Stores a key, replacing any stored before.
    pub fn store(&self, key: &ApiKey) -> Result<(), KeyringError> {
        self.entry.set_password(key.expose()).map_err(explain)
    }

    /// Removes the stored key; `false` when there was none.
    pub fn delete(&self) -> Result<bool, KeyringError> {
        match self.entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(explain(e)),
        }
    }

    /// The underlying entry (tests reach the mock credential through it).
    pub fn entry(&self) -> &keyring::Entry {
        &self.entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock_store() -> KeyStore {
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        KeyStore::open().unwrap()
    }

    #[test]
    fn store_read_and_delete_a_key() {
        let store = mock_store();
        assert_eq!(store.read().unwrap(), None);
        store.store(&ApiKey::new(" sk-test-1 ").unwrap()).unwrap();
        assert_eq!(store.read().unwrap().unwrap().expose(), "sk-test-1");
        assert!(store.delete().unwrap());
        assert_eq!(store.read().unwrap(), None);
        assert!(!store.delete().unwrap());
    }

    #[test]
    fn a_missing_secret_service_is_a_clear_error() {
        let store = mock_store();
        let mock: &keyring::mock::MockCredential =
            store.entry().get_credential().downcast_ref().unwrap();
        mock.set_error(keyring::Error::NoStorageAccess("no D-Bus session".into()));
        let e = store.read().unwrap_err().to_string();
        assert!(e.contains("not available on this machine"), "{e}");
        assert!(e.contains("SYNTHESIZE_API_KEY"), "{e}");
    }
}
