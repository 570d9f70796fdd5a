//! Affected ranges as OSV writes them: ordered `introduced` / `fixed` /
//! `last_affected` / `limit` events, evaluated with the ecosystem's own
//! version comparison.

use crate::version;
use std::cmp::Ordering;

/// One event of a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Vulnerable from this version on (`0`: from the first version).
    Introduced(String),
    /// Fixed in this version.
    Fixed(String),
    /// The last vulnerable version (no fix known after it).
    LastAffected(String),
    /// Nothing at or above this version is covered by the range.
    Limit(String),
}

impl Event {
    fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// Whether `installed` falls in the range described by `events` (OSV's
/// evaluation: sort the events, then the last one at or below the version
/// decides). `None` when a version does not parse in `ecosystem`.
pub fn affected(ecosystem: &str, installed: &str, events: &[Event]) -> Option<bool> {
    let cmp = |a: &str, b: &str| -> Option<Ordering> {
        match (a, b) {
            ("0", "0") => Some(Ordering::Equal),
            ("0", _) => Some(Ordering::Less),
            (_, "0") => Some(Ordering::Greater),
            _ => version::compare(ecosystem, a, b),
        }
    };
    let mut sorted: Vec<&Event> = events.iter().collect();
    let mut failed = false;
    sorted.sort_by(|a, b| {
        cmp(a.version(), b.version()).unwrap_or_else(|| {
            failed = true;
            Ordering::Equal
        })
    });
    if failed {
        return None;
    }
    let mut hit = false;
    for event in sorted {
        let order = cmp(installed, event.version())?;
        match event {
            Event::Introduced(_) if order != Ordering::Less => hit = true,
            Event::Fixed(_) | Event::Limit(_) if order != Ordering::Less => hit = false,
            Event::LastAffected(_) if order == Ordering::Greater => hit = false,
            _ => {}
        }
    }
    Some(hit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Event::*;

    #[test]
    fn osv_range_semantics() {
        let range = [Introduced("0".into()), Fixed("1.2.3".into()), Introduced("2.0.0".into()), Fixed("2.0.5".into())];
        let check = |v: &str| affected("npm", v, &range).unwrap();
        assert!(check("1.0.0"));
        assert!(!check("1.2.3"), "the fixed version is not affected");
        assert!(!check("1.5.0"));
        assert!(check("2.0.0"));
        assert!(!check("2.0.5"));
        let last = [Introduced("1.0".into()), LastAffected("1.4".into())];
        assert!(affected("pypi", "1.4", &last).unwrap());
        assert!(!affected("pypi", "1.4.post1", &last).unwrap());
        assert!(!affected("pypi", "0.9", &last).unwrap());
        // Distribution versions compare with their own rules: the ~deb12u1 backport is the fix.
        let debian = [Introduced("0".into()), Fixed("3.0.11-1~deb12u2".into())];
        assert!(affected("deb", "3.0.11-1~deb12u1", &debian).unwrap());
        assert!(!affected("deb", "3.0.11-1~deb12u2", &debian).unwrap());
        // musl 1.1.22-r3 sits exactly on its fix in Alpine 3.10.
        assert!(!affected("apk", "1.1.22-r3", &[Introduced("0".into()), Fixed("1.1.22-r3".into())]).unwrap());
        assert_eq!(affected("pypi", "not a version", &last), None);
    }
}
