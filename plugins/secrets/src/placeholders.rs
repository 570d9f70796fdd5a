//! Values that look like secrets but are documentation, templates or defaults.

/// Documentation keys published by cloud vendors.
const KNOWN_EXAMPLES: &[&str] =
    &["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAI44QH8DHBEXAMPLE"];

/// Whole values (case-insensitive) that stand in for a real secret.
const STAND_INS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "password",
    "passwd",
    "secret",
    "example",
    "sample",
    "dummy",
    "placeholder",
    "redacted",
    "mypassword",
    "yourpassword",
    "your_password",
    "your-password",
    "password123",
    "p@ssw0rd",
    "notasecret",
    "not-a-secret",
    "secretpassword",
    "topsecret",
    "foobar",
    "testtest",
    "test1234",
];

/// True when `value` is a known placeholder rather than a real secret.
pub fn is_placeholder(value: &str) -> bool {
    let trimmed = value.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | ';'));
    if KNOWN_EXAMPLES.contains(&trimmed) {
        return true;
    }
    let lowered = trimmed.to_ascii_lowercase();
    if STAND_INS.contains(&lowered.as_str()) {
        return true;
    }
    if lowered.contains("example")
        || lowered.starts_with("your")
        || lowered.starts_with("my_")
        || lowered.starts_with("put_")
        || lowered.starts_with("enter_")
        || lowered.ends_with("_here")
        || lowered.ends_with("-here")
        || lowered.contains("xxxx")
    {
        return true;
    }
    let mut chars = trimmed.chars();
    let first = chars.next();
    first.is_some() && chars.all(|c| Some(c) == first)
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn recognises_stand_ins() {
        for value in [
            "changeme",
            "AKIAIOSFODNN7EXAMPLE",
            "your-token-here",
            "xxxxxxxxxxxx",
            "********",
            "'changeme'",
            "password_here",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
        for value in ["Xk9mQ2vLzz", "ghp_R8mYq2VZkT4w9sLxN6cB1dJ3fH7pQ0aE5uGi"] {
            assert!(!is_placeholder(value), "{value}");
        }
    }
}
