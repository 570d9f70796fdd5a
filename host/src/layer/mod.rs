//! Layers: decompression, digest checks, the tar walk, and the merged view of
//! what later layers deleted or replaced.

mod decode;
mod merge;
pub mod path;
mod walk;

pub use decode::{ByteCounter, LayerDigests, LayerStream, LimitExceeded};
pub use merge::{FileStatus, LayerChanges, MergedView};
pub use walk::{EntryMeta, Event, Flow, walk_dir, walk_tar};

use std::io;

/// The limit a stream error reports, if it is one.
pub fn limit_exceeded(err: &io::Error) -> Option<&LimitExceeded> {
    err.get_ref().and_then(|inner| inner.downcast_ref::<LimitExceeded>())
}
