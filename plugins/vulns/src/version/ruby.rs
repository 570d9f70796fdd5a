//! RubyGems versions (`Gem::Version`): segments split at dots and at
//! letter/digit changes; a letter segment marks a pre-release and sorts
//! before any number; missing segments count as 0.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Number(u128),
    Text(String),
}

fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in text.trim().split('.') {
        let mut current = String::new();
        let mut digits = None;
        for c in part.chars() {
            let is_digit = c.is_ascii_digit();
            if digits.is_some_and(|d| d != is_digit) {
                out.push(segment(&std::mem::take(&mut current)));
            }
            digits = Some(is_digit);
            current.push(c);
        }
        if !current.is_empty() {
            out.push(segment(&current));
        }
    }
    // Trailing zeros do not count (`1.0` == `1`), nor zeros before a letter segment.
    while matches!(out.last(), Some(Segment::Number(0))) {
        out.pop();
    }
    out
}

fn segment(text: &str) -> Segment {
    match text.parse::<u128>() {
        Ok(n) if text.bytes().all(|b| b.is_ascii_digit()) => Segment::Number(n),
        _ => Segment::Text(text.to_owned()),
    }
}

/// Compare two gem versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (segments(a), segments(b));
    for i in 0..a.len().max(b.len()) {
        let order = match (a.get(i), b.get(i)) {
            (Some(Segment::Number(x)), Some(Segment::Number(y))) => x.cmp(y),
            (Some(Segment::Text(x)), Some(Segment::Text(y))) => x.cmp(y),
            (Some(Segment::Text(_)), Some(Segment::Number(_))) => Ordering::Less,
            (Some(Segment::Number(_)), Some(Segment::Text(_))) => Ordering::Greater,
            (Some(Segment::Number(x)), None) => x.cmp(&0),
            (None, Some(Segment::Number(y))) => 0.cmp(y),
            (Some(Segment::Text(_)), None) => Ordering::Less,
            (None, Some(Segment::Text(_))) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gem_ordering() {
        let chain = ["1.0.a", "1.0.a2", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.1", "1.10"];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(compare("1.0", "1"), Ordering::Equal);
        assert_eq!(compare("2.0.0.pre1", "2.0.0"), Ordering::Less);
    }
}
