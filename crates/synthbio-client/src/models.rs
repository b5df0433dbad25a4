//! Entries of `GET /api/models`: [`ListedModel`], shared with every
//! [`synthbio_core::Predictor`].

pub use synthbio_core::ListedModel;
