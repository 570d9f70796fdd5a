//! Python versions (PEP 440): `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`,
//! normalised (alternative spellings, separators, implicit numbers) and
//! ordered as `packaging` orders them.

use std::cmp::Ordering;

/// A parsed PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    epoch: u64,
    release: Vec<u64>,
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<Local>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Local {
    // Strings sort before numbers in a local segment.
    Text(String),
    Number(u64),
}

fn number(text: &str, at: &mut usize) -> Option<u64> {
    let start = *at;
    let bytes = text.as_bytes();
    while *at < bytes.len() && bytes[*at].is_ascii_digit() {
        *at += 1;
    }
    if *at == start { None } else { text[start..*at].parse().ok() }
}

/// Parse a version; `None` when it is not PEP 440.
pub fn parse(text: &str) -> Option<Version> {
    let lower = text.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix('v').unwrap_or(&lower).to_owned();
    let (public, local) = match lower.split_once('+') {
        Some((p, l)) => (p.to_owned(), Some(l.to_owned())),
        None => (lower, None),
    };
    let s = public.as_str();
    let mut at = 0;
    let mut epoch = 0;
    if let Some(bang) = s.find('!') {
        epoch = s[..bang].parse().ok()?;
        at = bang + 1;
    }
    let mut release = vec![number(s, &mut at)?];
    while s[at..].starts_with('.') && s[at + 1..].starts_with(|c: char| c.is_ascii_digit()) {
        at += 1;
        release.push(number(s, &mut at)?);
    }
    let separator = |at: &mut usize| {
        if s[*at..].starts_with(['.', '-', '_']) {
            *at += 1;
        }
    };
    let mut pre = None;
    let mut post = None;
    let mut dev = None;
    // Pre-release: a, alpha; b, beta; rc, c, pre, preview.
    let mut probe = at;
    separator(&mut probe);
    for (spelling, kind) in
        [("alpha", 0u8), ("beta", 1), ("preview", 2), ("pre", 2), ("rc", 2), ("a", 0), ("b", 1), ("c", 2)]
    {
        if s[probe..].starts_with(spelling) {
            at = probe + spelling.len();
            separator(&mut at);
            pre = Some((kind, number(s, &mut at).unwrap_or(0)));
            break;
        }
    }
    // Post-release: post, rev, r, or an implicit `-N`.
    let mut probe = at;
    if s[probe..].starts_with('-') && s[probe + 1..].starts_with(|c: char| c.is_ascii_digit()) {
        probe += 1;
        post = Some(number(s, &mut probe)?);
        at = probe;
    } else {
        separator(&mut probe);
        for spelling in ["post", "rev", "r"] {
            if s[probe..].starts_with(spelling) {
                at = probe + spelling.len();
                separator(&mut at);
                post = Some(number(s, &mut at).unwrap_or(0));
                break;
            }
        }
    }
    let mut probe = at;
    separator(&mut probe);
    if s[probe..].starts_with("dev") {
        at = probe + 3;
        separator(&mut at);
        dev = Some(number(s, &mut at).unwrap_or(0));
    }
    if at != s.len() {
        return None;
    }
    let local = match local {
        Some(l) => l
            .split(['.', '-', '_'])
            .map(|part| match part.parse::<u64>() {
                Ok(n) if part.bytes().all(|b| b.is_ascii_digit()) => Local::Number(n),
                _ => Local::Text(part.to_owned()),
            })
            .collect(),
        None => Vec::new(),
    };
    Some(Version { epoch, release, pre, post, dev, local })
}

/// `packaging`'s comparison key, as orderable parts: epoch, release without
/// trailing zeros, pre, post, dev, local segments, whether there is a local part.
type Key = (u64, Vec<u64>, (i8, u8, u64), (i8, u64), (i8, u64), Vec<Local>, bool);

fn key(v: &Version) -> Key {
    let mut release = v.release.clone();
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    // A dev release of a final version sorts before its pre-releases.
    let pre = match (v.pre, v.post, v.dev) {
        (None, None, Some(_)) => (-1, 0, 0),
        (None, _, _) => (1, 0, 0),
        (Some((kind, n)), _, _) => (0, kind, n),
    };
    let post = v.post.map_or((-1, 0), |n| (0, n));
    let dev = v.dev.map_or((1, 0), |n| (0, n));
    (v.epoch, release, pre, post, dev, v.local.clone(), !v.local.is_empty())
}

/// Compare parsed versions.
pub fn compare_parsed(a: &Version, b: &Version) -> Ordering {
    let (ka, kb) = (key(a), key(b));
    (ka.0, &ka.1, ka.2, ka.3, ka.4)
        .cmp(&(kb.0, &kb.1, kb.2, kb.3, kb.4))
        .then_with(|| ka.6.cmp(&kb.6))
        .then_with(|| ka.5.cmp(&kb.5))
}

/// Compare two version strings; `None` when either is not PEP 440.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(compare_parsed(&parse(a)?, &parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep_440_ordering() {
        // The ordering example of PEP 440's "Summary of permitted suffixes and relative ordering".
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Some(Ordering::Less), "{pair:?}");
        }
    }

    #[test]
    fn normalisation() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1.0ALPHA1", "1.0a1"),
            ("1.0-1", "1.0.post1"),
            ("1.0c1", "1.0rc1"),
            ("v2.0", "2.0"),
            ("1.0.preview2", "1.0rc2"),
            ("1.0-r4", "1.0.post4"),
        ] {
            assert_eq!(compare(a, b), Some(Ordering::Equal), "{a} = {b}");
        }
        assert_eq!(compare("1!0.1", "2.0"), Some(Ordering::Greater));
        assert!(parse("1.0-foo").is_none());
        assert!(parse("banana").is_none());
    }
}
