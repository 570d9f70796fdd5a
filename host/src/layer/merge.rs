//! The merged view of an image's layers: for a file written by layer *i*,
//! whether a later layer deleted it (whiteout, opaque directory, or a
//! non-directory written over one of its parents) or replaced it.
//!
//! Paths are remembered as hashes under a key drawn fresh for each image, so a
//! layer of a million files costs megabytes, and an image cannot be crafted
//! with colliding paths. Every check walks the path's ancestors: the cost is
//! the path's depth, whatever the number of whiteouts.

use super::path::parent;
use serde::Serialize;
use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, RandomState};

type HashSet64 = HashSet<u64, BuildHasherDefault<IdentityHasher>>;

/// What one layer did to the filesystem.
#[derive(Debug, Clone)]
pub struct LayerChanges {
    key: RandomState,
    written: HashSet64,
    non_dirs: HashSet64,
    whiteouts: HashSet64,
    opaque_dirs: HashSet64,
}

impl LayerChanges {
    /// Changes hashed with `key`; every layer of one image must share it.
    pub fn new(key: RandomState) -> Self {
        LayerChanges {
            key,
            written: HashSet64::default(),
            non_dirs: HashSet64::default(),
            whiteouts: HashSet64::default(),
            opaque_dirs: HashSet64::default(),
        }
    }

    fn hash(&self, path: &str) -> u64 {
        self.key.hash_one(path)
    }

    /// Record that the layer wrote `path`; `directory` says whether it is one.
    pub fn wrote(&mut self, path: &str, directory: bool) {
        let hash = self.hash(path);
        self.written.insert(hash);
        if !directory {
            self.non_dirs.insert(hash);
        }
    }

    /// Record a whiteout of `path`.
    pub fn deleted(&mut self, path: &str) {
        let hash = self.hash(path);
        self.whiteouts.insert(hash);
    }

    /// Record an opaque directory.
    pub fn made_opaque(&mut self, dir: &str) {
        let hash = self.hash(dir);
        self.opaque_dirs.insert(hash);
    }

    /// Whether this layer, applied after the one that wrote `path`, hides it.
    fn hides(&self, path: &str) -> bool {
        if self.whiteouts.contains(&self.hash(path)) {
            return true;
        }
        let mut current = path;
        while current != "/" {
            current = parent(current);
            let hash = self.hash(current);
            if self.whiteouts.contains(&hash) || self.opaque_dirs.contains(&hash) || self.non_dirs.contains(&hash) {
                return true;
            }
        }
        false
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
        for later in self.layers.iter().skip(layer + 1) {
            if later.written.contains(&later.hash(path)) {
                return FileStatus::Replaced;
            }
            if later.hides(path) {
                return FileStatus::Removed;
            }
        }
        FileStatus::Present
    }
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
        let key = RandomState::new();
        let mut base = LayerChanges::new(key.clone());
        for path in ["/app/secret.env", "/app/keep.txt", "/data/db/key.pem", "/etc/passwd", "/srv/x/y.key"] {
            base.wrote(path, false);
        }
        let mut second = LayerChanges::new(key.clone());
        second.deleted("/app/secret.env");
        second.made_opaque("/data");
        second.wrote("/data", true);
        second.wrote("/etc/passwd", false);
        second.wrote("/srv/x", false); // a file (or symlink) where a directory was
        let view = MergedView::new(vec![base, second]);
        assert_eq!(view.status("/app/secret.env", 0), FileStatus::Removed);
        assert_eq!(view.status("/data/db/key.pem", 0), FileStatus::Removed);
        assert_eq!(view.status("/app/keep.txt", 0), FileStatus::Present);
        assert_eq!(view.status("/etc/passwd", 0), FileStatus::Replaced);
        assert_eq!(view.status("/etc/passwd", 1), FileStatus::Present);
        assert_eq!(view.status("/srv/x/y.key", 0), FileStatus::Removed);
    }

    #[test]
    fn a_directory_rewritten_later_hides_nothing() {
        let key = RandomState::new();
        let mut base = LayerChanges::new(key.clone());
        base.wrote("/app/config.yml", false);
        let mut second = LayerChanges::new(key);
        second.wrote("/app", true);
        let view = MergedView::new(vec![base, second]);
        assert_eq!(view.status("/app/config.yml", 0), FileStatus::Present);
    }
}
