//! Results into [`synthbio_core::Dataset`]: result JSON in its three counts
//! encodings, and the self-hosted Arrow IPC stream. Both read from any
//! [`std::io::Read`], so a saved result decodes the same way as a download.

mod arrow;
mod builder;
mod ipc;
mod json;
mod json_seeds;
mod split;

pub use self::arrow::{decode_arrow, decode_arrow_result};
pub(crate) use self::json::scalar_text;
pub use self::json::{decode_json, decode_json_result};
