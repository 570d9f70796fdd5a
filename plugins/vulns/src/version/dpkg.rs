//! Debian versions: `[epoch:]upstream[-revision]`, compared as dpkg does.

use std::cmp::Ordering;

/// A parsed Debian version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version<'a> {
    /// The epoch (0 when absent).
    pub epoch: u64,
    /// The upstream version.
    pub upstream: &'a str,
    /// The Debian revision ("" when absent, which compares like "0").
    pub revision: &'a str,
}

/// Split a version into epoch, upstream and revision. An epoch that is not a
/// number is an error, as in dpkg.
pub fn parse(text: &str) -> Result<Version<'_>, String> {
    let text = text.trim();
    let (epoch, rest) = match text.split_once(':') {
        Some((epoch, rest)) => {
            let epoch = epoch.parse::<u64>().map_err(|_| format!("`{text}`: epoch is not a number"))?;
            (epoch, rest)
        }
        None => (0, text),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((upstream, revision)) => (upstream, revision),
        None => (rest, ""),
    };
    if upstream.is_empty() {
        return Err(format!("`{text}`: empty upstream version"));
    }
    Ok(Version { epoch, upstream, revision })
}

/// The weight of a non-digit character: `~` sorts before everything, even
/// the end of the string; letters before other characters.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`: alternate non-digit runs (by [`order`]) and digit runs
/// (numerically).
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while i < a.len() && a[i].is_ascii_digit() && j < b.len() && b[j].is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if i < a.len() && a[i].is_ascii_digit() {
            return Ordering::Greater;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

/// Compare two parsed versions.
pub fn compare_parsed(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    a.epoch
        .cmp(&b.epoch)
        .then_with(|| verrevcmp(a.upstream, b.upstream))
        .then_with(|| verrevcmp(a.revision, b.revision))
}

/// Compare two version strings as `dpkg --compare-versions` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, String> {
    Ok(compare_parsed(&parse(a)?, &parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_cases() {
        let cmp = |a, b| compare(a, b).unwrap();
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1:1.0", "2.0"), Ordering::Greater);
        assert_eq!(cmp("1.0-1", "1.0"), Ordering::Greater);
        assert_eq!(cmp("1.0-0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("3.0.11-1~deb12u2", "3.0.11-1"), Ordering::Less);
        assert_eq!(cmp("1.2.10", "1.2.9"), Ordering::Greater);
        assert_eq!(cmp("1.0+b1", "1.0"), Ordering::Greater);
        assert!(compare("x:1", "1").is_err());
    }
}
