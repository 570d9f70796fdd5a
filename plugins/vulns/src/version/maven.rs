//! Maven versions, ordered as Maven's `ComparableVersion`: items split at
//! `.`, `-` and digit/letter changes; numbers numerically; known qualifiers
//! in their order (`alpha < beta < milestone < rc < snapshot < release < sp`);
//! trailing zero items and release qualifiers do not count.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Number(u128),
    Qualifier(String),
    // A `-` starts a sub-list.
    List(Vec<Item>),
}

fn qualifier_rank(q: &str) -> (u8, String) {
    let canonical = match q {
        "a" => "alpha",
        "b" => "beta",
        "m" => "milestone",
        "cr" => "rc",
        "ga" | "final" | "release" => "",
        other => other,
    };
    let rank = match canonical {
        "alpha" => 0,
        "beta" => 1,
        "milestone" => 2,
        "rc" => 3,
        "snapshot" => 4,
        "" => 5,
        "sp" => 6,
        _ => 7,
    };
    (rank, if rank == 7 { canonical.to_owned() } else { String::new() })
}

fn normalize(list: &mut Vec<Item>) {
    while let Some(last) = list.last() {
        let null = match last {
            Item::Number(0) => true,
            Item::Qualifier(q) => qualifier_rank(q).0 == 5,
            Item::List(l) => l.is_empty(),
            _ => false,
        };
        if null {
            list.pop();
        } else {
            break;
        }
    }
}

fn parse(text: &str) -> Vec<Item> {
    let lower = text.trim().to_ascii_lowercase();
    let mut root: Vec<Item> = Vec::new();
    let mut stack: Vec<Vec<Item>> = Vec::new();
    let mut current = String::new();
    let mut digits = false;
    let push = |current: &mut String, digits: bool, list: &mut Vec<Item>| {
        if current.is_empty() {
            list.push(Item::Number(0));
        } else if digits {
            list.push(Item::Number(current.parse().unwrap_or(u128::MAX)));
        } else {
            list.push(Item::Qualifier(std::mem::take(current)));
        }
        current.clear();
    };
    for c in lower.chars() {
        match c {
            '.' => push(&mut current, digits, &mut root),
            '-' => {
                push(&mut current, digits, &mut root);
                normalize(&mut root);
                stack.push(std::mem::take(&mut root));
            }
            c if c.is_ascii_digit() => {
                if !digits && !current.is_empty() {
                    push(&mut current, false, &mut root);
                }
                digits = true;
                current.push(c);
            }
            c => {
                if digits && !current.is_empty() {
                    push(&mut current, true, &mut root);
                }
                digits = false;
                current.push(c);
            }
        }
    }
    if !current.is_empty() {
        push(&mut current, digits, &mut root);
    }
    normalize(&mut root);
    while let Some(mut parent) = stack.pop() {
        if !root.is_empty() {
            parent.push(Item::List(std::mem::take(&mut root)));
        }
        normalize(&mut parent);
        root = parent;
    }
    root
}

fn compare_item(a: Option<&Item>, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (Some(x), None) => compare_item(None, Some(x)).reverse(),
        (None, Some(Item::Number(n))) => {
            if *n == 0 {
                Ordering::Equal
            } else {
                Ordering::Less
            }
        }
        (None, Some(Item::Qualifier(q))) => (5, String::new()).cmp(&qualifier_rank(q)),
        (None, Some(Item::List(l))) => {
            if l.is_empty() {
                Ordering::Equal
            } else {
                compare_item(None, l.first())
            }
        }
        (Some(Item::Number(x)), Some(Item::Number(y))) => x.cmp(y),
        (Some(Item::Number(_)), Some(_)) => Ordering::Greater,
        (Some(Item::Qualifier(_)), Some(Item::Number(_))) => Ordering::Less,
        (Some(Item::Qualifier(x)), Some(Item::Qualifier(y))) => qualifier_rank(x).cmp(&qualifier_rank(y)),
        (Some(Item::Qualifier(_)), Some(Item::List(_))) => Ordering::Less,
        (Some(Item::List(_)), Some(Item::Number(_))) => Ordering::Less,
        (Some(Item::List(_)), Some(Item::Qualifier(_))) => Ordering::Greater,
        (Some(Item::List(x)), Some(Item::List(y))) => compare_lists(x, y),
    }
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let order = compare_item(a.get(i), b.get(i));
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// Compare two Maven versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    compare_lists(&parse(a), &parse(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maven_ordering() {
        let chain = [
            "1.0-alpha-1",
            "1.0-beta-1",
            "1.0-milestone-1",
            "1.0-rc-1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp-1",
            "1.0.1",
            "1.1",
            "2.0",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        for (a, b) in
            [("1", "1.0.0"), ("1.0-ga", "1.0"), ("1.0-final", "1"), ("1.0.RELEASE", "1.0"), ("1.0cr1", "1.0rc1")]
        {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} = {b}");
        }
        assert_eq!(compare("2.15.2", "2.9.10"), Ordering::Greater);
        assert_eq!(
            compare("1.0-jre", "1.0-android"),
            Ordering::Greater,
            "unknown qualifiers sort as text, after release"
        );
    }
}
