//! The library's error type: one line naming the thing and the cause.

use std::fmt;
use std::path::PathBuf;

/// What went wrong, broadly. Callers match on this to pick an exit code or an
/// HTTP status; the message says the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The image source does not exist or is not a recognised image format.
    SourceNotFound,
    /// The image is malformed: bad JSON, a missing blob, an unsupported media type.
    InvalidImage,
    /// A blob's content does not match its digest.
    DigestMismatch,
    /// No platform of an index matches the requested one.
    NoMatchingPlatform,
    /// A plugin could not be loaded (bad component, forbidden import, bad description).
    PluginLoad,
    /// The request itself is inconsistent (unknown scanner id, bad option).
    InvalidRequest,
    /// The scan was cancelled by the caller.
    Cancelled,
    /// Reading or writing host storage (cache, scratch space, output) failed.
    Io,
}

/// A failure that stops a whole scan. Problems confined to one layer, file or
/// plugin do not stop a scan: they become diagnostics in the report.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// An error of `kind` with a message that names the thing and the cause.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into() }
    }

    /// The broad class of the failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// An I/O failure on host storage at `path`.
    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, format!("{}: {err}", path.into().display()))
    }

    /// The image is malformed.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidImage, message)
    }

    /// Prefix the message with context, keeping the kind.
    pub fn context(self, context: impl fmt::Display) -> Self {
        Error { kind: self.kind, message: format!("{context}: {}", self.message) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
