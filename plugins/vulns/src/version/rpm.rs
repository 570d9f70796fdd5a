//! rpm versions: `[epoch:]version[-release]`, compared with `rpmvercmp`
//! (tilde sorts before everything, caret after the base but before more).

use std::cmp::Ordering;

/// `rpmvercmp`: alphanumeric segments, numbers numerically and always newer
/// than letters; `~` and `^` handled first; separators only separate.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let separator = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while i < a.len() && separator(a[i]) {
            i += 1;
        }
        while j < b.len() && separator(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else { break };
        let numeric = ca.is_ascii_digit();
        let take = |s: &[u8], mut k: usize| {
            let start = k;
            while k < s.len() && if numeric { s[k].is_ascii_digit() } else { s[k].is_ascii_alphabetic() } {
                k += 1;
            }
            (start, k)
        };
        let (sa, ea) = take(a, i);
        let (sb, eb) = take(b, j);
        if sb == eb {
            // A numeric segment is newer than an alphabetic one.
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let (mut sega, mut segb) = (&a[sa..ea], &b[sb..eb]);
        let order = if numeric {
            while sega.first() == Some(&b'0') {
                sega = &sega[1..];
            }
            while segb.first() == Some(&b'0') {
                segb = &segb[1..];
            }
            sega.len().cmp(&segb.len()).then_with(|| sega.cmp(segb))
        } else {
            sega.cmp(segb)
        };
        if order != Ordering::Equal {
            return order;
        }
        i = ea;
        j = eb;
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// Split `[epoch:]version[-release]`.
pub fn parse(evr: &str) -> (u64, &str, &str) {
    let (epoch, rest) = match evr.split_once(':') {
        Some((e, rest)) if e.bytes().all(|b| b.is_ascii_digit()) && !e.is_empty() => (e.parse().unwrap_or(0), rest),
        _ => (0, evr),
    };
    let (version, release) = rest.rsplit_once('-').unwrap_or((rest, ""));
    (epoch, version, release)
}

/// Compare two epoch:version-release strings; a missing release matches any.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ea, va, ra) = parse(a);
    let (eb, vb, rb) = parse(b);
    ea.cmp(&eb)
        .then_with(|| rpmvercmp(va, vb))
        .then_with(|| if ra.is_empty() || rb.is_empty() { Ordering::Equal } else { rpmvercmp(ra, rb) })
}
