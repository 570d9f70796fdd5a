//! Walking the entries of a layer: a tar stream or an unpacked directory.
//! Nothing is ever written to the host: entries are reported as events and the
//! consumer reads the content it wants straight from the stream.

use super::path::{ImagePath, normalise, parent, resolve_link};
use crate::error::{Error, Result};
use crate::plugin::wit::FileKind;
use cap_std::fs::{Dir, MetadataExt};
use std::io::{self, Read};
use std::path::PathBuf;

/// Metadata of one entry, normalised.
#[derive(Debug, Clone)]
pub struct EntryMeta {
    /// Absolute path inside the image.
    pub path: String,
    /// What the entry is.
    pub kind: FileKind,
    /// Content size (0 for non-regular entries).
    pub size: u64,
    /// Mode bits including setuid/setgid/sticky.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Modification time (seconds since the epoch; negative clamps to 0).
    pub mtime: u64,
    /// For links: the target as written in the layer.
    pub link_target: Option<String>,
}

impl EntryMeta {
    /// A regular file owned by root, mode 0644, time 0.
    pub fn regular(path: &str, size: u64) -> Self {
        EntryMeta {
            path: path.to_owned(),
            kind: FileKind::Regular,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: 0,
            link_target: None,
        }
    }
}

/// One thing found in a layer.
pub enum Event<'a> {
    /// An entry; `content` is readable for regular files.
    Entry {
        /// The entry.
        meta: EntryMeta,
        /// Its content (empty for non-regular entries).
        content: &'a mut dyn Read,
    },
    /// A whiteout: `path` from lower layers is deleted.
    Whiteout(String),
    /// An opaque directory: everything below `dir` from lower layers is hidden.
    Opaque(String),
    /// An entry of an unpacked root filesystem that could not be read; skipped.
    Unreadable {
        /// Its path inside the image.
        path: String,
        /// Why.
        reason: String,
    },
    /// An entry whose raw path climbed out of the root; it was resolved inside it.
    Escaped {
        /// The raw path as written in the layer.
        raw: String,
        /// Where it lands inside the image.
        resolved: String,
    },
}

/// What the consumer of events wants next.
pub type Flow = std::ops::ControlFlow<Error>;

/// Walk a tar stream, calling `visit` for every entry. `max_entries` bounds the
/// work a layer of millions of tiny entries can cause.
pub fn walk_tar(stream: impl Read, max_entries: u64, mut visit: impl FnMut(Event<'_>) -> Flow) -> Result<u64> {
    let mut archive = tar::Archive::new(stream);
    let mut count = 0u64;
    let entries = archive.entries().map_err(|err| tar_error(err, count))?;
    for entry in entries {
        let mut entry = entry.map_err(|err| tar_error(err, count))?;
        count += 1;
        if count > max_entries {
            return Err(Error::invalid(format!("layer has more than {max_entries} entries; refusing the rest")));
        }
        let raw = entry.path_bytes().into_owned();
        let ImagePath { path, escaped } = normalise(&raw);
        if escaped {
            let event = Event::Escaped { raw: String::from_utf8_lossy(&raw).into_owned(), resolved: path.clone() };
            if let Flow::Break(err) = visit(event) {
                return Err(err);
            }
        }
        let name = path.rsplit('/').next().unwrap_or_default();
        if let Some(hidden) = name.strip_prefix(".wh.") {
            let dir = parent(&path);
            let event = if hidden == ".wh..opq" {
                Event::Opaque(dir.to_owned())
            } else if hidden.starts_with(".wh.") {
                continue; // aufs metadata (`.wh..wh.plnk`, …), not a deletion
            } else {
                Event::Whiteout(if dir == "/" { format!("/{hidden}") } else { format!("{dir}/{hidden}") })
            };
            if let Flow::Break(err) = visit(event) {
                return Err(err);
            }
            continue;
        }
        let header = entry.header();
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => FileKind::Regular,
            tar::EntryType::Directory => FileKind::Directory,
            tar::EntryType::Symlink => FileKind::Symlink,
            tar::EntryType::Link => FileKind::Hardlink,
            tar::EntryType::Char => FileKind::CharDevice,
            tar::EntryType::Block => FileKind::BlockDevice,
            tar::EntryType::Fifo => FileKind::Fifo,
            _ => continue, // pax/GNU metadata records are folded into the next entry by `tar`
        };
        let link_target = match kind {
            FileKind::Symlink => entry.link_name_bytes().map(|t| String::from_utf8_lossy(&t).into_owned()),
            // Hard link names are paths inside the layer, not relative to the link.
            FileKind::Hardlink => entry.link_name_bytes().map(|t| resolve_link("/", &t).path),
            _ => None,
        };
        let meta = EntryMeta {
            path,
            kind,
            size: if kind == FileKind::Regular { entry.size() } else { 0 },
            mode: header.mode().unwrap_or(0),
            uid: header.uid().map(|u| u as u32).unwrap_or(0),
            gid: header.gid().map(|g| g as u32).unwrap_or(0),
            mtime: header.mtime().unwrap_or(0),
            link_target,
        };
        if let Flow::Break(err) = visit(Event::Entry { meta, content: &mut entry }) {
            return Err(err);
        }
    }
    Ok(count)
}

fn tar_error(err: io::Error, count: u64) -> Error {
    match super::limit_exceeded(&err) {
        Some(limit) => Error::invalid(limit.to_string()),
        None => Error::invalid(format!("corrupt layer after {count} entries: {err}")),
    }
}

/// Walk an unpacked root filesystem through a capability on its directory:
/// symlinks are reported, never followed, and nothing outside it is reachable.
/// An entry that cannot be read is reported and skipped; the walk goes on.
pub fn walk_dir(root: &Dir, max_entries: u64, mut visit: impl FnMut(Event<'_>) -> Flow) -> Result<u64> {
    let mut stack: Vec<(String, PathBuf)> = vec![(String::new(), PathBuf::new())];
    let mut count = 0u64;
    let mut emit = |event: Event<'_>| match visit(event) {
        Flow::Break(err) => Err(err),
        Flow::Continue(()) => Ok(()),
    };
    while let Some((rel, rel_os)) = stack.pop() {
        let opened = if rel.is_empty() { root.try_clone() } else { root.open_dir(&rel_os) };
        let listing = opened.and_then(|dir| {
            let mut names = Vec::new();
            for entry in dir.entries()? {
                names.push(entry?.file_name());
            }
            Ok((dir, names))
        });
        let (dir, mut names) = match listing {
            Ok(listing) => listing,
            Err(err) => {
                emit(Event::Unreadable { path: format!("/{rel}"), reason: err.to_string() })?;
                continue;
            }
        };
        names.sort();
        for name in names {
            count += 1;
            if count > max_entries {
                return Err(Error::invalid(format!("directory has more than {max_entries} entries")));
            }
            let shown = name.to_string_lossy();
            let child = if rel.is_empty() { shown.into_owned() } else { format!("{rel}/{shown}") };
            let md = match dir.symlink_metadata(&name) {
                Ok(md) => md,
                Err(err) => {
                    emit(Event::Unreadable { path: format!("/{child}"), reason: err.to_string() })?;
                    continue;
                }
            };
            let ft = md.file_type();
            let kind = if ft.is_dir() {
                FileKind::Directory
            } else if ft.is_symlink() {
                FileKind::Symlink
            } else if ft.is_file() {
                FileKind::Regular
            } else {
                FileKind::Fifo
            };
            let link_target = (kind == FileKind::Symlink)
                .then(|| dir.read_link_contents(&name).ok().map(|t| t.to_string_lossy().into_owned()))
                .flatten();
            let meta = EntryMeta {
                path: format!("/{child}"),
                kind,
                size: if kind == FileKind::Regular { md.len() } else { 0 },
                mode: md.mode(),
                uid: md.uid(),
                gid: md.gid(),
                mtime: md.mtime().max(0) as u64,
                link_target,
            };
            if kind == FileKind::Regular {
                match dir.open(&name) {
                    Ok(file) => emit(Event::Entry { meta, content: &mut file.into_std() })?,
                    Err(err) => emit(Event::Unreadable { path: meta.path, reason: err.to_string() })?,
                }
            } else {
                emit(Event::Entry { meta, content: &mut io::empty() })?;
            }
            if kind == FileKind::Directory {
                stack.push((child, rel_os.join(&name)));
            }
        }
    }
    Ok(count)
}
