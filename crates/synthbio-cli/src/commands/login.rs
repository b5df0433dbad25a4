//! `login` and `logout`: the API key in the OS keyring, where the official
//! clients keep it (service `pysynthbio`, user `api_token`); read after
//! `SYNTHESIZE_API_KEY` when choosing the backend.

use super::CliResult;
use std::io::{BufRead, IsTerminal};
use synthbio::client::{ApiKey, KeyStore};

/// Stores a key read from a hidden prompt (or from stdin when it is not a
/// terminal), never from an argument, so it stays out of shell history.
pub fn login() -> CliResult {
    let key = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Synthesize Bio API key (input hidden): ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line
    };
    let key = ApiKey::new(key).ok_or("no key given: paste the API key (from app.synthesize.bio) at the prompt or pipe it on stdin")?;
    KeyStore::open()?.store(&key)?;
    eprintln!("API key stored in the OS keyring (service \"pysynthbio\", user \"api_token\"); `synthbio logout` removes it");
    Ok(())
}

/// Removes the stored key.
pub fn logout() -> CliResult {
    if KeyStore::open()?.delete()? {
        eprintln!("API key removed from the OS keyring");
    } else {
        eprintln!("no API key was stored in the OS keyring");
    }
    Ok(())
}
