//! Reports: the model and its renderings (table, JSON, SARIF, CycloneDX, SPDX).

mod json;
mod model;
mod sarif;
mod sbom;
mod table;

pub use json::to_json;
pub use model::*;
pub use sarif::to_sarif;
pub use sbom::{now_rfc3339, to_cyclonedx, to_spdx};
pub use table::{TableOptions, to_table};

/// Make a plugin-supplied string safe for one line of a terminal: line breaks
/// and tabs become spaces; other control characters (escape sequences
/// included) and bidi overrides become visible `\u{..}` escapes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\n' | '\r' | '\t') {
            out.push(' ');
        } else if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn terminal_escapes_are_neutralised() {
        assert_eq!(escape("ok\u{1b}[31mred"), "ok\\u{1b}[31mred");
        assert_eq!(escape("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("two\nlines"), "two lines");
    }
}
