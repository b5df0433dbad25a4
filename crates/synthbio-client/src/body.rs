//! Decoding a response body while it arrives: the byte stream is bridged to a
//! blocking [`std::io::Read`] (tokio-util's `StreamReader` + `SyncIoBridge`)
//! and read by a decoder on tokio's blocking pool, so the body is never held
//! whole in memory.

use crate::error::{ClientError, Result};
use futures::TryStreamExt;
use std::io::Read;
use std::sync::{Arc, Mutex};
use tokio_util::io::{StreamReader, SyncIoBridge};

/// What a streamed decode gave, and the transport error if the body broke off.
pub(crate) struct Decoded<T> {
    pub result: Result<T>,
    /// Set when reading the body failed in transport (connection lost, read
    /// timeout): the decode error then says nothing about the data, and the
    /// download may be tried again.
    pub transport_error: Option<reqwest::Error>,
}

/// Runs `decode` over the body of `resp` as it arrives.
pub(crate) async fn decode_body<T, F>(resp: reqwest::Response, decode: F) -> Decoded<T>
where
    T: Send + 'static,
    F: FnOnce(&mut dyn Read) -> Result<T> + Send + 'static,
{
    let slot: Arc<Mutex<Option<reqwest::Error>>> = Arc::new(Mutex::new(None));
    let slot2 = Arc::clone(&slot);
    let stream = Box::pin(resp.bytes_stream().map_err(move |e| {
        let io = std::io::Error::other(e.to_string());
        if let Ok(mut s) = slot2.lock() {
            *s = Some(e);
        }
        io
    }));
    let bridge = SyncIoBridge::new(StreamReader::new(stream));
    // The decoders buffer their reads themselves.
    let joined = tokio::task::spawn_blocking(move || {
        let mut reader = bridge;
        decode(&mut reader)
    })
    .await;
    let result = joined.unwrap_or_else(|e| Err(ClientError::Task(e.to_string())));
    let transport_error = slot.lock().ok().and_then(|mut s| s.take());
    Decoded {
        result,
        transport_error,
    }
}
