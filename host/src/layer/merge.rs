//! The merged view of an image's layers: for a file written by layer *i*,
//! whether a later layer deleted it (whiteout, opaque directory) or replaced it.
//!
//! Paths are remembered as 64-bit hashes, so a layer of a million files costs
//! a few megabytes, not the paths themselves.

use super::path::is_within;
use serde::Serialize;
use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

/// What one layer did to the filesystem.
#[derive(Debug, Default, Clone)]
pub struct LayerChanges {
    written: HashSet<u64, BuildHasherDefault<IdentityHasher>>,
    whiteouts: Vec<String>,
    opaque_dirs: Vec<String>,
}

impl LayerChanges {
    /// Record that the layer wrote `path`.
    pub fn wrote(&mut self, path: &str) {
        self.written.insert(path_hash(path));
    }

    /// Record a whiteout of `path`.
    pub fn deleted(&mut self, path: String) {
        self.whiteouts.push(path);
    }

    /// Record an opaque directory.
    pub fn made_opaque(&mut self, dir: String) {
        self.opaque_dirs.push(dir);
    }

    fn hides(&self, path: &str) -> bool {
        self.whiteouts.iter().any(|w| is_within(path, w))
            || self.opaque_dirs.iter().any(|d| d != path && is_within(path, d))
    }
}

/// Whether a file a finding was made in is still in the final filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    /// The file is in the image's final filesystem.
    Present,
    /// A later layer deleted it; its bytes are still in the image's layers.
    Removed,
    /// A later layer wrote a new file at the same path.
    Replaced,
}

/// The changes of every layer, bottom first.
#[derive(Debug, Default)]
pub struct MergedView {
    layers: Vec<LayerChanges>,
}

impl MergedView {
    /// A view over these layers' changes.
    pub fn new(layers: Vec<LayerChanges>) -> Self {
        MergedView { layers }
    }

    /// The status of `path` as written by layer `layer`.
    pub fn status(&self, path: &str, layer: usize) -> FileStatus {
        let hash = path_hash(path);
        for later in self.layers.iter().skip(layer + 1) {
            if later.written.contains(&hash) {
                return FileStatus::Replaced;
            }
            if later.hides(path) {
                return FileStatus::Removed;
            }
        }
        FileStatus::Present
    }
}

fn path_hash(path: &str) -> u64 {
    // A fixed-key SipHash: stable within a process, and collisions need 2^32 paths.
    BuildHasherDefault::<DefaultHasher>::default().hash_one(path)
}

/// The set keys are already hashes.
#[derive(Default)]
struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_remove_or_replace_earlier_files() {
        let mut base = LayerChanges::default();
        base.wrote("/app/secret.env");
        base.wrote("/app/keep.txt");
        base.wrote("/data/db/key.pem");
        base.wrote("/etc/passwd");
        let mut second = LayerChanges::default();
        second.deleted("/app/secret.env".into());
        second.made_opaque("/data".into());
        second.wrote("/etc/passwd");
        let view = MergedView::new(vec![base, second]);
        assert_eq!(view.status("/app/secret.env", 0), FileStatus::Removed);
        assert_eq!(view.status("/data/db/key.pem", 0), FileStatus::Removed);
        assert_eq!(view.status("/app/keep.txt", 0), FileStatus::Present);
        assert_eq!(view.status("/etc/passwd", 0), FileStatus::Replaced);
        assert_eq!(view.status("/etc/passwd", 1), FileStatus::Present);
    }
}
