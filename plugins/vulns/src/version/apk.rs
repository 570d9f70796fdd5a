//! Alpine versions: `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`,
//! compared as apk-tools does, including fuzzy (`~`) matching.

use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix ranks: pre-release suffixes sort below "none", post-release above.
const SUFFIXES: &[(&str, u8)] =
    &[("alpha", 1), ("beta", 2), ("pre", 3), ("rc", 4), ("cvs", 6), ("svn", 7), ("git", 8), ("hg", 9), ("p", 10)];
const SUFFIX_NONE: u8 = 5;

struct Cursor<'a> {
    rest: &'a [u8],
    token: Token,
    value: &'a [u8],
    number: u64,
    suffix: u8,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        let mut cursor = Cursor { rest: text.as_bytes(), token: Token::InitialDigit, value: b"", number: 0, suffix: 0 };
        cursor.digits();
        cursor
    }

    fn digits(&mut self) {
        let len = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        self.value = &self.rest[..len];
        self.number = self.value.iter().fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0')));
        self.rest = &self.rest[len..];
        if len == 0 {
            self.token = Token::Invalid;
        }
    }

    fn span(&mut self, accept: impl Fn(u8) -> bool) {
        let len = self.rest.iter().take_while(|b| accept(**b)).count();
        self.value = &self.rest[..len];
        self.rest = &self.rest[len..];
    }

    fn next(&mut self) {
        let Some(&first) = self.rest.first() else {
            self.token = Token::End;
            return;
        };
        match first {
            b'a'..=b'z' if self.token <= Token::Digit => {
                self.value = &self.rest[..1];
                self.rest = &self.rest[1..];
                self.token = Token::Letter;
            }
            b'.' | b'0'..=b'9' if first != b'.' || self.token <= Token::Digit => {
                if first == b'.' {
                    self.rest = &self.rest[1..];
                }
                self.token = match self.token {
                    Token::InitialDigit | Token::Digit => Token::Digit,
                    Token::Suffix => Token::SuffixNo,
                    _ => {
                        self.token = Token::Invalid;
                        return;
                    }
                };
                self.digits();
            }
            b'_' if self.token <= Token::SuffixNo => {
                self.rest = &self.rest[1..];
                self.span(|b| b.is_ascii_lowercase());
                match SUFFIXES.iter().find(|(name, _)| name.as_bytes() == self.value) {
                    Some(&(_, rank)) => {
                        self.suffix = rank;
                        self.token = Token::Suffix;
                    }
                    None => self.token = Token::Invalid,
                }
            }
            b'~' if self.token < Token::CommitHash => {
                self.rest = &self.rest[1..];
                self.span(|b| b.is_ascii_hexdigit());
                self.token = if self.value.is_empty() { Token::Invalid } else { Token::CommitHash };
            }
            b'-' if self.token < Token::RevisionNo => {
                if self.rest.get(1) != Some(&b'r') {
                    self.token = Token::Invalid;
                    return;
                }
                self.rest = &self.rest[2..];
                self.token = Token::RevisionNo;
                self.digits();
            }
            _ => self.token = Token::Invalid,
        }
    }
}

fn token_cmp(a: &Cursor<'_>, b: &Cursor<'_>) -> Ordering {
    let numeric = match a.token {
        // A leading zero makes the field compare as text (Gentoo's rule).
        Token::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => None,
        Token::Digit | Token::InitialDigit | Token::SuffixNo | Token::RevisionNo => Some((a.number, b.number)),
        Token::Letter => Some((u64::from(a.value[0]), u64::from(b.value[0]))),
        Token::Suffix => Some((u64::from(a.suffix), u64::from(b.suffix))),
        _ => None,
    };
    match numeric {
        Some((x, y)) => x.cmp(&y),
        None => a.value.cmp(b.value),
    }
}

/// Compare, optionally fuzzily (`b` a prefix of `a` counts as equal).
pub fn compare_fuzzy(a: &str, b: &str, fuzzy: bool) -> Ordering {
    let (mut ta, mut tb) = (Cursor::new(a), Cursor::new(b));
    while ta.token == tb.token && ta.token < Token::End {
        let order = token_cmp(&ta, &tb);
        if order != Ordering::Equal {
            return order;
        }
        ta.next();
        tb.next();
    }
    if ta.token == tb.token || (tb.token == Token::End && fuzzy) {
        return Ordering::Equal;
    }
    // The longer version is newer, unless what follows is a pre-release suffix.
    if ta.token == Token::Suffix && ta.suffix < SUFFIX_NONE {
        return Ordering::Less;
    }
    if tb.token == Token::Suffix && tb.suffix < SUFFIX_NONE {
        return Ordering::Greater;
    }
    tb.token.cmp(&ta.token)
}

/// Compare two apk versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    compare_fuzzy(a, b, false)
}

/// True when `text` is a valid apk version.
pub fn is_valid(text: &str) -> bool {
    let mut cursor = Cursor::new(text);
    while cursor.token < Token::End {
        cursor.next();
    }
    cursor.token == Token::End
}

/// apk's dependency operators: `<`, `<=`, `=`, `>=`, `>`, `~` (fuzzy), `<~`, `>~`.
pub fn matches(a: &str, op: &str, b: &str) -> Option<bool> {
    let (mut less, mut equal, mut greater, mut fuzzy) = (false, false, false, false);
    for c in op.chars() {
        match c {
            '<' => less = true,
            '>' => greater = true,
            '=' => equal = true,
            '~' => {
                fuzzy = true;
                equal = true;
            }
            _ => return None,
        }
    }
    Some(match compare_fuzzy(a, b, fuzzy) {
        Ordering::Less => less,
        Ordering::Equal => equal,
        Ordering::Greater => greater,
    })
}
