//! Normalising the paths of layer entries inside the image root.

/// An entry path resolved inside the image root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePath {
    /// Absolute, normalised: `/etc/passwd`; the root itself is `/`.
    pub path: String,
    /// True when the raw path used `..` to climb above the root, or was absolute
    /// in a way tar writers never produce: a sign of a hostile layer.
    pub escaped: bool,
}

/// Resolve a raw entry path the way a container runtime does (chroot
/// semantics): `.` and empty components vanish, `..` climbs but never above `/`.
pub fn normalise(raw: &[u8]) -> ImagePath {
    let text = String::from_utf8_lossy(raw);
    let mut parts: Vec<&str> = Vec::new();
    let mut escaped = false;
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => escaped |= parts.pop().is_none(),
            other => parts.push(other),
        }
    }
    ImagePath { path: format!("/{}", parts.join("/")), escaped }
}

/// Resolve a link target relative to the directory of the link at `link_path`,
/// inside the image root. Absolute targets are taken from the image root, never
/// from the host's.
pub fn resolve_link(link_path: &str, target: &[u8]) -> ImagePath {
    if target.first() == Some(&b'/') {
        return normalise(target);
    }
    let parent = link_path.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("");
    let mut joined = parent.as_bytes().to_vec();
    joined.push(b'/');
    joined.extend_from_slice(target);
    normalise(&joined)
}

/// The parent directory of an absolute image path (`/` for top-level entries).
pub fn parent(path: &str) -> &str {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((dir, _)) => dir,
    }
}

/// True when `path` is `dir` or lies below it.
pub fn is_within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn climbing_above_the_root_stays_inside_it() {
        let p = normalise(b"../../../../etc/cron.d/evil");
        assert_eq!(p.path, "/etc/cron.d/evil");
        assert!(p.escaped);
        let p = normalise(b"./usr/lib/../bin/sh");
        assert_eq!(p.path, "/usr/bin/sh");
        assert!(!p.escaped);
        assert_eq!(normalise(b"./").path, "/");
    }

    #[test]
    fn links_resolve_inside_the_image() {
        assert_eq!(resolve_link("/usr/bin/python", b"python3.11").path, "/usr/bin/python3.11");
        assert_eq!(resolve_link("/a/b", b"../../../../etc/shadow").path, "/etc/shadow");
        assert_eq!(resolve_link("/a/b", b"/etc/shadow").path, "/etc/shadow");
    }

    #[test]
    fn containment_respects_component_boundaries() {
        assert!(is_within("/app/x", "/app"));
        assert!(!is_within("/apple", "/app"));
        assert!(is_within("/anything", "/"));
        assert_eq!(parent("/etc/passwd"), "/etc");
        assert_eq!(parent("/etc"), "/");
    }
}
