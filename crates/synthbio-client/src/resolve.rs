//! Whether the environment selects a server at all, so callers can fall back
//! to the local engine when it does not.

use crate::config::ClientConfig;

impl ClientConfig {
    /// The configuration of the environment when it selects a server (a key
    /// from the environment or the OS keyring, `SYNTHESIZE_API_BASE_URL`, an
    /// endpoint variable, `SYNTHESIZE_SELF_HOSTED`, or a config file named by
    /// `SYNTHESIZE_CONFIG`), else `None`: nothing asks for a server, so the
    /// local engine answers.
    pub fn remote_from_env() -> Option<Self> {
        let config = ClientConfig::from_env();
        config.selects_remote().then_some(config)
    }
}

/// The backend the environment selects: `Some(config)` for a server (create
/// the client with [`crate::Client::new`] or [`crate::BlockingClient::new`];
/// a broken config file makes that fail with a clear error), `None` for the
/// local engine. Say which one answers with [`ClientConfig::describe`].
pub fn backend_from_env() -> Option<ClientConfig> {
    ClientConfig::remote_from_env()
}
