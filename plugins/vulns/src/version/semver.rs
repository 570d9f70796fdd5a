//! Semantic versions (npm, Go modules with their `v`, crates): precedence as
//! SemVer 2.0 defines it; build metadata (`+incompatible`) does not count.

use std::cmp::Ordering;

/// A parsed semantic version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemVer<'a> {
    /// Major, minor, patch (missing parts are 0: `1.2` is `1.2.0`).
    pub core: [u64; 3],
    /// Pre-release identifiers (`rc.1` → `["rc", "1"]`).
    pub pre: Vec<&'a str>,
}

/// Parse `[v]MAJOR[.MINOR[.PATCH]][-PRE][+BUILD]`.
pub fn parse(text: &str) -> Option<SemVer<'_>> {
    let text = text.trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    let text = text.split_once('+').map_or(text, |(v, _)| v);
    let (core, pre) = match text.split_once('-') {
        Some((core, pre)) => (core, pre.split('.').collect()),
        None => (text, Vec::new()),
    };
    let mut numbers = [0u64; 3];
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    for (slot, part) in numbers.iter_mut().zip(&parts) {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    Some(SemVer { core: numbers, pre })
}

fn identifier(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    match (numeric(a), numeric(b)) {
        (true, true) => {
            let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

/// Compare parsed versions.
pub fn compare_parsed(a: &SemVer<'_>, b: &SemVer<'_>) -> Ordering {
    a.core.cmp(&b.core).then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            for (x, y) in a.pre.iter().zip(&b.pre) {
                let order = identifier(x, y);
                if order != Ordering::Equal {
                    return order;
                }
            }
            a.pre.len().cmp(&b.pre.len())
        }
    })
}

/// Compare two version strings; `None` when either is not a semantic version.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(compare_parsed(&parse(a)?, &parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_spec_precedence() {
        // The chain from the SemVer 2.0 specification, section 11.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Some(Ordering::Less), "{pair:?}");
        }
        assert_eq!(compare("v1.2.3+incompatible", "1.2.3"), Some(Ordering::Equal));
        assert_eq!(compare("v0.0.0-20210101000000-abcdef", "v0.0.0-20220101000000-abcdef"), Some(Ordering::Less));
        assert_eq!(compare("1.10.0", "1.9.0"), Some(Ordering::Greater));
        assert_eq!(compare("1.2", "1.2.0"), Some(Ordering::Equal));
        assert_eq!(compare("x", "1"), None);
    }
}
