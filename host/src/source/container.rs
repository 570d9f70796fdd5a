//! Read-only access to the files of an image container: an OCI layout or
//! docker-save directory, or the same in a tarball, read in place without
//! unpacking.

use crate::error::{Error, ErrorKind, Result};
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A reader over one member of a container.
pub type MemberReader<'a> = Box<dyn Read + Send + 'a>;

/// The files of a layout, whether a directory or a tarball.
pub trait Container: Send + Sync {
    /// Open the member at `path` (relative, `/`-separated).
    fn open(&self, path: &str) -> Result<MemberReader<'_>>;
    /// True when `path` exists.
    fn contains(&self, path: &str) -> bool;
    /// Where the container is, for messages.
    fn origin(&self) -> &Path;
}

/// Read a small member (index, manifest, config) fully, refusing to buffer
/// more than `limit` bytes.
pub fn read_small(container: &dyn Container, path: &str, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    container
        .open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| Error::invalid(format!("{}: reading {path}: {err}", container.origin().display())))?;
    if bytes.len() as u64 > limit {
        return Err(Error::invalid(format!(
            "{}: {path} is larger than {limit} bytes; refusing to parse it",
            container.origin().display()
        )));
    }
    Ok(bytes)
}

/// A layout directory, opened as a capability: member paths cannot escape it,
/// whatever `..` or symlinks they contain.
pub struct DirContainer {
    dir: Dir,
    origin: PathBuf,
}

impl DirContainer {
    /// Open the directory at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let dir = Dir::open_ambient_dir(path, ambient_authority())
            .map_err(|err| Error::new(ErrorKind::SourceNotFound, format!("{}: {err}", path.display())))?;
        Ok(DirContainer { dir, origin: path.to_owned() })
    }
}

impl Container for DirContainer {
    fn open(&self, path: &str) -> Result<MemberReader<'_>> {
        // Refuse fifos and devices before opening: opening a fifo would block.
        if !self.dir.is_file(path) {
            return Err(Error::invalid(format!("{}: {path} is missing or not a regular file", self.origin.display())));
        }
        let file = self
            .dir
            .open(path)
            .map_err(|err| Error::invalid(format!("{}: cannot open {path}: {err}", self.origin.display())))?;
        Ok(Box::new(file.into_std()))
    }

    fn contains(&self, path: &str) -> bool {
        self.dir.is_file(path)
    }

    fn origin(&self) -> &Path {
        &self.origin
    }
}

/// A tarball (oci-archive or docker-archive) read in place: members are byte
/// ranges of the file, found by one pass over its headers.
pub struct TarContainer {
    file: Arc<File>,
    members: HashMap<String, (u64, u64)>,
    origin: PathBuf,
}

impl TarContainer {
    /// Index the tarball at `path`. A gzip- or zstd-compressed tarball
    /// (`docker save | gzip`) is first expanded into an unlinked scratch file,
    /// at most `max_expanded` bytes.
    pub fn open(path: &Path, max_expanded: u64) -> Result<Self> {
        let mut file = File::open(path)
            .map_err(|err| Error::new(ErrorKind::SourceNotFound, format!("{}: {err}", path.display())))?;
        let mut magic = [0u8; 4];
        let n = file.read_at(&mut magic, 0).map_err(|err| Error::io(path, err))?;
        let reopen = || file.try_clone().map_err(|e| Error::io(path, e));
        let decoder: Option<Box<dyn Read>> = match &magic[..n] {
            [0x1f, 0x8b, ..] => Some(Box::new(flate2::read::MultiGzDecoder::new(reopen()?))),
            [0x28, 0xb5, 0x2f, 0xfd] => Some(Box::new(zstd::Decoder::new(reopen()?).map_err(|e| Error::io(path, e))?)),
            _ => None,
        };
        if let Some(decoder) = decoder {
            file = expand(decoder, max_expanded)
                .map_err(|err| Error::invalid(format!("{}: cannot decompress the archive: {err}", path.display())))?;
        }
        Self::index(file, path)
    }

    fn index(file: File, path: &Path) -> Result<Self> {
        let bad = |err: io::Error| Error::invalid(format!("{}: not a readable tar archive: {err}", path.display()));
        let mut archive = tar::Archive::new(file.try_clone().map_err(|e| Error::io(path, e))?);
        let mut members = HashMap::new();
        for entry in archive.entries_with_seek().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let name = name.trim_start_matches("./").to_owned();
            members.insert(name, (entry.raw_file_position(), entry.size()));
        }
        if members.is_empty() {
            return Err(Error::invalid(format!("{}: archive holds no files", path.display())));
        }
        Ok(TarContainer { file: Arc::new(file), members, origin: path.to_owned() })
    }
}

impl Container for TarContainer {
    fn open(&self, path: &str) -> Result<MemberReader<'_>> {
        let key = path.trim_start_matches("./");
        let &(offset, len) = self
            .members
            .get(key)
            .ok_or_else(|| Error::invalid(format!("{}: archive has no member {path}", self.origin.display())))?;
        Ok(Box::new(RangeReader { file: Arc::clone(&self.file), pos: offset, end: offset + len }))
    }

    fn contains(&self, path: &str) -> bool {
        self.members.contains_key(path.trim_start_matches("./"))
    }

    fn origin(&self) -> &Path {
        &self.origin
    }
}

/// Expand a compressed archive into an anonymous scratch file.
fn expand(decoder: Box<dyn Read>, max: u64) -> io::Result<File> {
    let scratch = cap_tempfile::TempDir::new(ambient_authority())?;
    let mut options = cap_std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    let file = scratch.open_with("archive.tar", &options)?;
    scratch.remove_file("archive.tar")?;
    let mut file = file.into_std();
    let copied = io::copy(&mut decoder.take(max + 1), &mut file)?;
    if copied > max {
        return Err(io::Error::other(format!("expands beyond {max} bytes")));
    }
    io::Seek::rewind(&mut file)?;
    Ok(file)
}

/// Reads `pos..end` of a shared file with positioned reads, so several members
/// can be read at once.
struct RangeReader {
    file: Arc<File>,
    pos: u64,
    end: u64,
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min((self.end - self.pos) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "archive member is truncated"));
        }
        self.pos += n as u64;
        Ok(n)
    }
}
