//! An Arrow IPC stream read message by message into one reused buffer.
//!
//! arrow-rs' `StreamReader` allocates a fresh, zeroed, 64-byte aligned buffer
//! for every message body; with glibc those large aligned blocks fragment the
//! heap, and decoding a 178 MB result peaked near twice its size. Here each
//! whole message (prefix, metadata, body) is read into one `Vec<u8>`, handed
//! to arrow's push decoder as a `Buffer` without a copy (the arrays are slices
//! of it), and taken back for the next message once the batch is dropped.

use arrow::array::RecordBatch;
use arrow::buffer::Buffer;
use arrow::datatypes::SchemaRef;
use arrow::ipc::reader::StreamDecoder;
use std::io::{BufReader, Read};

const CONTINUATION: [u8; 4] = [0xff; 4];

/// The messages of one Arrow IPC stream.
pub(crate) struct Messages<R> {
    reader: BufReader<R>,
    decoder: StreamDecoder,
    /// The buffer of the message before, taken back when no batch holds it.
    spare: Option<Buffer>,
    /// A batch decoded while looking for the schema (arrow's decoder finishes
    /// a message without a body when the next one arrives).
    pending: Option<RecordBatch>,
    ended: bool,
}

impl<R: Read> Messages<R> {
    /// A stream over `reader` (buffered here for the small reads).
    pub fn new(reader: R) -> Self {
        Messages {
            reader: BufReader::with_capacity(1 << 16, reader),
            decoder: StreamDecoder::new(),
            spare: None,
            pending: None,
            ended: false,
        }
    }

    /// The stream's schema (its first message).
    pub fn schema(&mut self) -> Result<SchemaRef, String> {
        loop {
            if let Some(schema) = self.decoder.schema() {
                return Ok(schema);
            }
            if self.pending.is_some() {
                return Err("the stream has a record batch before its schema".into());
            }
            if self.ended {
                return Err("the stream ends before its schema".into());
            }
            self.pending = self.next_message()?;
        }
    }

    /// The next record batch, or `None` at the end of the stream.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>, String> {
        if let Some(batch) = self.pending.take() {
            return Ok(Some(batch));
        }
        while !self.ended {
            if let Some(batch) = self.next_message()? {
                return Ok(Some(batch));
            }
        }
        Ok(None)
    }

    /// Reads and decodes one message; `Some` when it was a record batch.
    fn next_message(&mut self) -> Result<Option<RecordBatch>, String> {
        let mut buf = self
            .spare
            .take()
            .and_then(|b| b.into_vec::<u8>().ok())
            .unwrap_or_default();
        buf.clear();
        let Some(meta_len) = self.read_prefix(&mut buf)? else {
            self.ended = true;
            return Ok(None);
        };
        let read = |r: &mut BufReader<R>, buf: &mut Vec<u8>, n: usize, what: &str| {
            let got = r
                .by_ref()
                .take(n as u64)
                .read_to_end(buf)
                .map_err(|e| format!("reading {what}: {e}"))?;
            if got == n {
                Ok(())
            } else {
                Err(format!("the stream ends inside {what}"))
            }
        };
        let meta_start = buf.len();
        read(&mut self.reader, &mut buf, meta_len, "a message header")?;
        let body_len = arrow::ipc::root_as_message(&buf[meta_start..])
            .map_err(|e| format!("a message header is not valid: {e}"))
            .and_then(|m| {
                usize::try_from(m.bodyLength())
                    .map_err(|_| format!("a message declares {} body bytes", m.bodyLength()))
            })?;
        read(&mut self.reader, &mut buf, body_len, "a message body")?;
        let whole = Buffer::from(buf);
        let mut rest = whole.clone();
        let batch = self.decoder.decode(&mut rest).map_err(|e| e.to_string())?;
        drop(rest);
        // Arrays of the batch hold slices of `whole`: it is reused only once
        // they are gone (`into_vec` fails while it is shared).
        self.spare = Some(whole);
        Ok(batch)
    }

    /// Reads a message's length prefix into `buf`; `None` at the end of the
    /// stream (the end marker, or no more bytes).
    fn read_prefix(&mut self, buf: &mut Vec<u8>) -> Result<Option<usize>, String> {
        let mut word = [0u8; 4];
        match self.reader.read_exact(&mut word) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(format!("reading a message length: {e}")),
        }
        buf.extend_from_slice(&word);
        if word == CONTINUATION {
            self.reader
                .read_exact(&mut word)
                .map_err(|e| format!("reading a message length: {e}"))?;
            buf.extend_from_slice(&word);
        }
        let len = u32::from_le_bytes(word) as usize;
        Ok((len != 0).then_some(len))
    }
}
