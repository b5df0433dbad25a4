//! Response bodies written piece by piece on a blocking thread and streamed
//! out as they are written, so a large result is never one giant buffer.

use axum::body::Body;
use bytes::Bytes;
use std::io::{self, Write};
use std::task::Poll;
use tokio::sync::mpsc;

/// Bytes gathered before a chunk is handed to the connection.
const CHUNK_BYTES: usize = 256 * 1024;
/// Chunks in flight between the writer and the connection (back-pressure beyond).
const CHUNKS_IN_FLIGHT: usize = 4;

/// An `io::Write` that sends what is written to the response body in chunks.
pub(crate) struct ChunkWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<io::Result<Bytes>>,
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(CHUNK_BYTES),
        ));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// A body whose bytes `write` produces on a blocking thread; `done` runs once
/// the connection has taken the last byte (not when `write` failed or the
/// client left).
///
/// A failure part-way ends the body with an error, so the client sees a cut
/// connection rather than a truncated but apparently complete document.
pub(crate) fn blocking_body<W, D>(write: W, done: D) -> Body
where
    W: FnOnce(&mut ChunkWriter) -> io::Result<()> + Send + 'static,
    D: FnOnce() + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    tokio::task::spawn_blocking(move || {
        let mut w = ChunkWriter {
            buf: Vec::with_capacity(CHUNK_BYTES),
            tx: tx.clone(),
        };
        // A panic in the writer must not end the body as if it were complete.
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write(&mut w)))
            .unwrap_or_else(|_| Err(io::Error::other("writing the result panicked")));
        match written.and_then(|()| w.flush()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
            Err(e) => {
                tracing::warn!("writing a response body failed: {e}");
                let _ = tx.blocking_send(Err(e));
            }
        }
    });
    let mut done = Some(done);
    let mut failed = false;
    Body::from_stream(futures::stream::poll_fn(move |cx| {
        let item = rx.poll_recv(cx);
        match &item {
            Poll::Ready(Some(Err(_))) => failed = true,
            Poll::Ready(None) if !failed => {
                if let Some(done) = done.take() {
                    done();
                }
            }
            _ => {}
        }
        item
    }))
}
