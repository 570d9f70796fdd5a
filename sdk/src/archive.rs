//! Descending into zip archives (jar, war, ear, zip), read by range from a
//! [`Blob`]: WARs carry jars, jars carry jars. Bounded in depth, entries and
//! bytes, so a zip bomb costs a diagnostic, not the scan. Enabled by the
//! `archive` feature.

use crate::Blob;
use std::io::{Read, Seek};

/// A blob as `Read + Seek`, read by range: an archive is never copied whole
/// into the plugin.
pub struct BlobReader<'a> {
    blob: &'a Blob,
    size: u64,
    at: u64,
}

impl<'a> BlobReader<'a> {
    /// A reader at the start of `blob`.
    pub fn new(blob: &'a Blob) -> Self {
        BlobReader { blob, size: blob.size(), at: 0 }
    }
}

impl std::io::Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = buf.len().min(1 << 20) as u32;
        let chunk = self.blob.read(self.at, want);
        buf[..chunk.len()].copy_from_slice(&chunk);
        self.at += chunk.len() as u64;
        Ok(chunk.len())
    }
}

impl std::io::Seek for BlobReader<'_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        let target = match pos {
            std::io::SeekFrom::Start(at) => Some(at),
            std::io::SeekFrom::End(delta) => self.size.checked_add_signed(delta),
            std::io::SeekFrom::Current(delta) => self.at.checked_add_signed(delta),
        };
        self.at = target.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before start"))?;
        Ok(self.at)
    }
}

/// Archives inside archives, at most this deep (the file itself is depth 0).
pub const MAX_DEPTH: usize = 3;
/// Entries looked at per archive.
pub const MAX_ENTRIES: usize = 50_000;
/// Largest member extracted.
pub const MAX_MEMBER: u64 = 32 << 20;
/// Bytes extracted from one top-level archive, all members together.
pub const MAX_TOTAL: u64 = 256 << 20;

/// Names of members that are archives themselves.
pub fn is_archive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jar", ".war", ".ear", ".zip"].iter().any(|ext| lower.ends_with(ext))
}

/// Whether `head` starts like a zip archive.
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
}

/// What a walk over one archive met besides members.
#[derive(Debug, Default)]
pub struct Walk {
    /// Bytes extracted so far (against [`MAX_TOTAL`]).
    pub extracted: u64,
    /// What was skipped and why.
    pub skipped: Vec<String>,
}

/// Call `visit(path, bytes)` for every member of the archive in `reader`
/// whose name `wanted` accepts, descending into nested archives. `prefix` is
/// the archive's own path; a member's path is `prefix!/name`.
pub fn walk<R: Read + Seek>(
    reader: R,
    prefix: &str,
    depth: usize,
    wanted: &dyn Fn(&str) -> bool,
    visit: &mut dyn FnMut(&str, &[u8]),
    state: &mut Walk,
) {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(err) => {
            state.skipped.push(format!("{prefix}: not a readable zip archive ({err})"));
            return;
        }
    };
    if archive.len() > MAX_ENTRIES {
        state.skipped.push(format!("{prefix}: {} entries, only the first {MAX_ENTRIES} looked at", archive.len()));
    }
    for index in 0..archive.len().min(MAX_ENTRIES) {
        let mut member = match archive.by_index(index) {
            Ok(member) => member,
            Err(err) => {
                state.skipped.push(format!("{prefix}: entry {index} unreadable ({err})"));
                continue;
            }
        };
        if member.is_dir() {
            continue;
        }
        let name = match member.name() {
            Ok(name) => name.into_owned(),
            Err(_) => String::from_utf8_lossy(member.name_raw()).into_owned(),
        };
        let nested = is_archive_name(&name) && depth + 1 < MAX_DEPTH;
        if !nested && !wanted(&name) {
            continue;
        }
        let path = format!("{prefix}!/{name}");
        let left = MAX_TOTAL.saturating_sub(state.extracted);
        let declared = member.size();
        if declared > MAX_MEMBER || declared > left {
            state.skipped.push(format!("{path}: {declared} bytes uncompressed, over the extraction limit"));
            continue;
        }
        // The declared size can lie (a zip bomb): read one byte past it at most.
        let mut bytes = Vec::with_capacity(declared as usize);
        if let Err(err) = (&mut member).take(declared + 1).read_to_end(&mut bytes) {
            state.skipped.push(format!("{path}: unreadable ({err})"));
            continue;
        }
        if bytes.len() as u64 > declared {
            state.skipped.push(format!("{path}: more data than its declared size, skipped"));
            continue;
        }
        state.extracted += bytes.len() as u64;
        if nested && is_zip(&bytes) {
            walk(std::io::Cursor::new(&bytes[..]), &path, depth + 1, wanted, visit, state);
        } else if wanted(&name) {
            visit(&path, &bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in members {
            out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn members(bytes: &[u8]) -> (Vec<String>, Walk) {
        let mut seen = Vec::new();
        let mut state = Walk::default();
        let wanted = |name: &str| name.ends_with(".jsp");
        walk(Cursor::new(bytes), "/app.war", 0, &wanted, &mut |path, _| seen.push(path.to_owned()), &mut state);
        (seen, state)
    }

    #[test]
    fn nested_archives_are_walked_to_their_members() {
        let lib = zip(&[("META-INF/resources/x.jsp", b"<% %>"), ("A.class", b"\xca\xfe")]);
        let war = zip(&[("shell.jsp", b"<% %>"), ("WEB-INF/lib/lib.jar", &lib), ("index.html", b"hi")]);
        let (seen, state) = members(&war);
        assert_eq!(seen, ["/app.war!/shell.jsp", "/app.war!/WEB-INF/lib/lib.jar!/META-INF/resources/x.jsp"]);
        assert!(state.skipped.is_empty());
    }

    #[test]
    fn depth_and_garbage_are_bounded() {
        let mut inner = zip(&[("deep.jsp", b"<% %>")]);
        for level in 0..MAX_DEPTH + 1 {
            inner = zip(&[(&format!("l{level}.jar"), &inner)]);
        }
        let (seen, _) = members(&inner);
        assert!(seen.is_empty(), "deeper than MAX_DEPTH is not visited: {seen:?}");
        let (seen, state) = members(b"PK\x03\x04 not really a zip");
        assert!(seen.is_empty());
        assert!(state.skipped[0].contains("not a readable zip"), "{:?}", state.skipped);
    }
}
