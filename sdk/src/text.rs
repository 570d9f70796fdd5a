//! Helpers for plugins that read text.

use crate::{Blob, PluginError};

/// Read a whole blob as text. Invalid UTF-8 is replaced, so offsets into the
/// returned string match the file only for valid UTF-8 input.
pub fn read_text(content: &Blob) -> Result<String, PluginError> {
    let bytes = content.read_all().map_err(PluginError::Failed)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    })
}

/// The 1-based line number of byte `offset` in `text` (a `str` or bytes).
pub fn line_of(text: impl AsRef<[u8]>, offset: usize) -> u32 {
    let text = text.as_ref();
    let end = offset.min(text.len());
    let newlines = text[..end].iter().filter(|&&b| b == b'\n').count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

/// Redact a secret for evidence: keep a short prefix that identifies the kind
/// of credential (`AKIA`, `ghp_`) and hide the rest, so a report never carries
/// a usable secret.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let keep = match chars.len() {
        0..=7 => 0,
        8..=15 => 2,
        _ => 4,
    };
    let shown: String = chars[..keep].iter().collect();
    format!("{shown}{}", "*".repeat(chars.len().saturating_sub(keep).clamp(3, 16)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_all_but_a_short_prefix() {
        assert_eq!(redact("AKIAIOSFODNN7EXAMPLE"), "AKIA****************");
        assert_eq!(redact("hunter2"), "*******");
        assert_eq!(redact("abc"), "***");
        assert_eq!(redact("password12"), "pa********");
        assert!(!redact("ghp_0123456789abcdefghijABCDEFGHIJ0123").contains("0123456789"));
    }

    #[test]
    fn lines_are_counted_from_one() {
        let text = "a\nbb\nccc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 5), 3);
        assert_eq!(line_of(text, 100), 3);
    }
}
