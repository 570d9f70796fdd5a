//! File content as plugins see it: host-owned bytes read by range.

use crate::error::{Error, Result};
use cap_std::fs::Dir;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};

/// The bytes of one file or dataset.
#[derive(Debug)]
pub enum Content {
    /// Small files, held in memory.
    Memory(Vec<u8>),
    /// Large files, spilled into the scan's scratch directory. The file is
    /// already unlinked: it vanishes when the last handle closes.
    Spilled {
        /// The open scratch file.
        file: std::fs::File,
        /// Its size.
        size: u64,
    },
}

impl Content {
    /// Total size.
    pub fn size(&self) -> u64 {
        match self {
            Content::Memory(bytes) => bytes.len() as u64,
            Content::Spilled { size, .. } => *size,
        }
    }

    /// Up to `len` bytes from `offset`.
    pub fn read_at(&self, offset: u64, len: u64) -> io::Result<Vec<u8>> {
        let size = self.size();
        let start = offset.min(size);
        let len = len.min(size - start) as usize;
        match self {
            Content::Memory(bytes) => Ok(bytes[start as usize..start as usize + len].to_vec()),
            Content::Spilled { file, .. } => {
                let mut buf = vec![0; len];
                file.read_exact_at(&mut buf, start)?;
                Ok(buf)
            }
        }
    }

    /// The first bytes, for magic matching.
    pub fn head(&self, len: usize) -> io::Result<Vec<u8>> {
        self.read_at(0, len as u64)
    }
}

/// A `blob` resource handed to a plugin.
pub struct BlobHandle(pub std::sync::Arc<Content>);

/// Scan-private scratch space: a fresh temporary directory, reached only
/// through a capability. Names inside it are generated, never taken from the image.
pub struct Scratch {
    dir: cap_tempfile::TempDir,
    next: AtomicU64,
}

impl Scratch {
    /// A new scratch directory inside `parent`.
    pub fn new_in(parent: &Dir) -> Result<Self> {
        let dir = cap_tempfile::TempDir::new_in(parent).map_err(|err| Error::io("scratch directory", err))?;
        Ok(Scratch { dir, next: AtomicU64::new(0) })
    }

    /// Copy `size` bytes of `reader` into an unlinked scratch file.
    pub fn spill(&self, reader: &mut dyn Read, size: u64) -> io::Result<Content> {
        let name = format!("spill-{}", self.next.fetch_add(1, Ordering::Relaxed));
        let mut options = cap_std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        let file = self.dir.open_with(&name, &options)?;
        self.dir.remove_file(&name)?;
        let mut file = file.into_std();
        let copied = io::copy(&mut reader.take(size), &mut file)?;
        if copied != size {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file content is truncated"));
        }
        Ok(Content::Spilled { file, size })
    }

    /// The capability on the scratch directory (tests prove nothing escapes it).
    pub fn dir(&self) -> &Dir {
        &self.dir
    }
}
