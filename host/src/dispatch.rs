//! Which plugins want which file. Every plugin's interest is compiled once into
//! one matcher, so deciding costs the same whether one plugin runs or twenty.

use crate::error::{Error, ErrorKind, Result};
use crate::layer::EntryMeta;
use crate::plugin::wit::{FileInterest, FileKind};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::HashMap;

/// Plugin indices, in plugin order.
pub type PluginSet = Vec<usize>;

/// The compiled interests of all plugins.
pub struct Dispatcher {
    globs: GlobSet,
    glob_owner: Vec<usize>,
    basenames: HashMap<String, Vec<usize>>,
    extensions: HashMap<String, Vec<usize>>,
    magic: Vec<(Vec<u8>, usize)>,
    max_magic: usize,
    max_size: Vec<u64>,
    special: Vec<bool>,
    mode_mask: Vec<u32>,
    exclude: Vec<GlobSet>,
}

fn compile_glob(plugin: &str, pattern: &str) -> Result<globset::Glob> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|err| Error::new(ErrorKind::PluginLoad, format!("plugin {plugin}: bad glob {pattern:?}: {err}")))
}

impl Dispatcher {
    /// Compile `interests` (one per plugin, `None` for plugins without the
    /// analyze-file role). `host_max` caps every plugin's size limit.
    pub fn new(interests: &[(String, Option<&FileInterest>)], host_max: u64) -> Result<Self> {
        let mut globs = GlobSetBuilder::new();
        let mut dispatcher = Dispatcher {
            globs: GlobSet::empty(),
            glob_owner: Vec::new(),
            basenames: HashMap::new(),
            extensions: HashMap::new(),
            magic: Vec::new(),
            max_magic: 0,
            max_size: Vec::new(),
            special: Vec::new(),
            mode_mask: Vec::new(),
            exclude: Vec::new(),
        };
        for (index, (plugin, interest)) in interests.iter().enumerate() {
            let Some(interest) = interest else {
                dispatcher.max_size.push(0);
                dispatcher.special.push(false);
                dispatcher.mode_mask.push(0);
                dispatcher.exclude.push(GlobSet::empty());
                continue;
            };
            for pattern in &interest.globs {
                globs.add(compile_glob(plugin, pattern)?);
                dispatcher.glob_owner.push(index);
            }
            for name in &interest.basenames {
                dispatcher.basenames.entry(name.clone()).or_default().push(index);
            }
            for ext in &interest.extensions {
                let ext = ext.trim_start_matches('.').to_ascii_lowercase();
                dispatcher.extensions.entry(ext).or_default().push(index);
            }
            for prefix in interest.magic.iter().filter(|m| !m.is_empty()).take(64) {
                let prefix: Vec<u8> = prefix.iter().copied().take(256).collect();
                dispatcher.max_magic = dispatcher.max_magic.max(prefix.len());
                dispatcher.magic.push((prefix, index));
            }
            dispatcher.max_size.push(interest.max_size.unwrap_or(u64::MAX).min(host_max));
            dispatcher.special.push(interest.include_special);
            dispatcher.mode_mask.push(interest.mode_mask & 0o7777);
            let mut exclude = GlobSetBuilder::new();
            for pattern in &interest.exclude {
                exclude.add(compile_glob(plugin, pattern)?);
            }
            dispatcher.exclude.push(
                exclude.build().map_err(|err| {
                    Error::new(ErrorKind::PluginLoad, format!("plugin {plugin}: exclude globs: {err}"))
                })?,
            );
        }
        dispatcher.globs =
            globs.build().map_err(|err| Error::new(ErrorKind::PluginLoad, format!("plugin globs: {err}")))?;
        Ok(dispatcher)
    }

    /// Longest magic prefix any plugin asked for (0: no plugin matches on content).
    pub fn max_magic(&self) -> usize {
        self.max_magic
    }

    /// Plugins that want `meta` by its path alone. Size limits apply.
    pub fn by_path(&self, meta: &EntryMeta, out: &mut PluginSet) {
        out.clear();
        let regular = meta.kind == FileKind::Regular;
        let add = |index: usize, out: &mut PluginSet| {
            let fits = if regular { meta.size <= self.max_size[index] } else { self.special[index] };
            if fits && !out.contains(&index) {
                out.push(index);
            }
        };
        for glob in self.globs.matches(&meta.path) {
            add(self.glob_owner[glob], out);
        }
        let name = meta.path.rsplit('/').next().unwrap_or_default();
        if let Some(owners) = self.basenames.get(name) {
            owners.iter().for_each(|&i| add(i, out));
        }
        if let Some((_, ext)) = name.rsplit_once('.')
            && let Some(owners) = self.extensions.get(&ext.to_ascii_lowercase())
        {
            owners.iter().for_each(|&i| add(i, out));
        }
        if matches!(meta.kind, FileKind::Regular | FileKind::Directory) {
            for (index, &mask) in self.mode_mask.iter().enumerate() {
                if meta.mode & mask != 0 && !out.contains(&index) {
                    out.push(index);
                }
            }
        }
        out.retain(|&index| !self.exclude[index].is_match(&meta.path));
        out.sort_unstable();
    }

    /// True when `size` is above the limit of every plugin in `wanted`: they
    /// asked for the file by its mode alone and get its metadata, not its bytes.
    pub fn metadata_only(&self, size: u64, wanted: &[usize]) -> bool {
        wanted.iter().all(|&index| size > self.max_size[index])
    }

    /// Add plugins whose magic prefix `head` starts with.
    pub fn by_magic(&self, path: &str, size: u64, head: &[u8], out: &mut PluginSet) {
        for (prefix, index) in &self.magic {
            if head.starts_with(prefix)
                && size <= self.max_size[*index]
                && !out.contains(index)
                && !self.exclude[*index].is_match(path)
            {
                out.push(*index);
            }
        }
        out.sort_unstable();
    }

    /// The largest file any plugin may be given.
    pub fn largest_wanted(&self) -> u64 {
        self.max_size.iter().copied().max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interest(globs: &[&str], basenames: &[&str], extensions: &[&str], magic: &[&[u8]]) -> FileInterest {
        FileInterest {
            globs: globs.iter().map(|s| s.to_string()).collect(),
            basenames: basenames.iter().map(|s| s.to_string()).collect(),
            extensions: extensions.iter().map(|s| s.to_string()).collect(),
            magic: magic.iter().map(|m| m.to_vec()).collect(),
            max_size: Some(1000),
            include_special: false,
            mode_mask: 0,
            exclude: Vec::new(),
        }
    }

    fn file(path: &str, size: u64) -> EntryMeta {
        EntryMeta::regular(path, size)
    }

    #[test]
    fn each_plugin_gets_only_what_it_asked_for() {
        let a = interest(&["/etc/**"], &["id_rsa"], &[], &[]);
        let b = interest(&[], &[], &["PHP"], &[b"\x7fELF"]);
        let d = Dispatcher::new(&[("a".into(), Some(&a)), ("b".into(), Some(&b)), ("c".into(), None)], 500).unwrap();
        let mut out = Vec::new();
        d.by_path(&file("/etc/ssl/x.pem", 10), &mut out);
        assert_eq!(out, vec![0]);
        d.by_path(&file("/home/u/.ssh/id_rsa", 10), &mut out);
        assert_eq!(out, vec![0]);
        d.by_path(&file("/var/www/index.Php", 10), &mut out);
        assert_eq!(out, vec![1]);
        d.by_path(&file("/etcetera/x", 10), &mut out);
        assert!(out.is_empty());
        d.by_path(&file("/etc/big", 600), &mut out);
        assert!(out.is_empty(), "host cap applies");
        d.by_magic("/bin/x", 10, b"\x7fELF\x02", &mut out);
        assert_eq!(out, vec![1]);
        assert_eq!(d.max_magic(), 4);
    }

    #[test]
    fn a_mode_mask_offers_setuid_files_and_writable_dirs_whatever_their_name_or_size() {
        let mut a = interest(&["/etc/passwd"], &[], &[], &[]);
        a.mode_mask = 0o6002;
        let b = interest(&["/usr/**"], &[], &[], &[]);
        let d = Dispatcher::new(&[("a".into(), Some(&a)), ("b".into(), Some(&b))], 500).unwrap();
        let mut out = Vec::new();
        let mut su = file("/usr/bin/su", 10);
        su.mode = 0o4755;
        d.by_path(&su, &mut out);
        assert_eq!(out, vec![0, 1]);
        assert!(!d.metadata_only(su.size, &out));
        su.size = 10_000;
        d.by_path(&su, &mut out);
        assert_eq!(out, vec![0], "above every limit, but wanted for its mode");
        assert!(d.metadata_only(su.size, &out));
        let mut tmp = file("/tmp", 0);
        tmp.kind = FileKind::Directory;
        tmp.mode = 0o1777;
        d.by_path(&tmp, &mut out);
        assert_eq!(out, vec![0]);
        let mut link = file("/usr/lib/x.so", 0);
        link.kind = FileKind::Symlink;
        link.mode = 0o777;
        d.by_path(&link, &mut out);
        assert!(out.is_empty(), "symlink modes mean nothing");
        d.by_path(&file("/usr/bin/ls", 10), &mut out);
        assert_eq!(out, vec![1]);
    }

    #[test]
    fn excluded_paths_are_never_offered() {
        let mut a = interest(&["/usr/**"], &[], &[], &[b"\x7fELF"]);
        a.exclude = vec!["**/*.so".into(), "**/*.so.*".into()];
        let d = Dispatcher::new(&[("a".into(), Some(&a))], 500).unwrap();
        let mut out = Vec::new();
        d.by_path(&file("/usr/lib/libc.so.6", 10), &mut out);
        assert!(out.is_empty());
        d.by_magic("/usr/lib/libz.so", 10, b"\x7fELF", &mut out);
        assert!(out.is_empty());
        d.by_magic("/usr/bin/tool", 10, b"\x7fELF", &mut out);
        assert_eq!(out, vec![0]);
    }
}
