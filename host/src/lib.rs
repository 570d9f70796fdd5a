//! bosun: a container-image security scanner whose detectors are sandboxed
//! WebAssembly component plugins.
//!
//! The flow is one-way: [`source`] resolves images, [`layer`] streams and
//! verifies their layers, [`dispatch`] decides which [`plugin`]s see which
//! file, [`scan`] runs them on a worker pool and merges the results, and
//! [`report`] renders them. [`Scanner`] ties it together for the CLI and for a
//! scan service alike: no global state, no printing, results as values.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod digest;
pub mod dispatch;
pub mod error;
pub mod layer;
pub mod limits;
pub mod plugin;
pub mod report;
pub mod scan;
pub mod source;

pub use error::{Error, ErrorKind, Result};
pub use limits::Limits;
pub use scan::{
    CancelToken, LintFile, LintRequest, NoProgress, Progress, ProgressEvent, ScanRequest, Scanner, ScannerOptions,
};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_plugins.rs"));
}

/// The first-party plugins compiled into this binary.
pub fn builtin_plugins() -> Vec<plugin::PluginSource> {
    embedded::PLUGINS.iter().map(|&(name, wasm)| plugin::PluginSource::Embedded { name, wasm }).collect()
}
