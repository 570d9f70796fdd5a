//! Package URLs (https://github.com/package-url/purl-spec).

/// Percent-encode a purl component: unreserved characters stay.
pub fn encode(text: &str) -> String {
    encode_keeping(text, b"")
}

/// Percent-encode, also keeping the characters in `keep`.
fn encode_keeping(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `pkg:TYPE/NAMESPACE/NAME@VERSION?k=v&…`, qualifiers sorted by key, empty ones dropped.
pub fn purl(kind: &str, namespace: Option<&str>, name: &str, version: &str, qualifiers: &[(&str, &str)]) -> String {
    let mut out = format!("pkg:{kind}/");
    if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
        for part in ns.split('/') {
            out.push_str(&encode(part));
            out.push('/');
        }
    }
    out.push_str(&encode(name));
    if !version.is_empty() {
        // A colon needs no escaping after `@` (Debian epochs: `1:2.38.1-5`).
        out.push('@');
        out.push_str(&encode_keeping(version, b":"));
    }
    let mut quals: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    quals.sort_by_key(|(k, _)| *k);
    for (i, (k, v)) in quals.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&encode(v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_spec() {
        assert_eq!(
            purl("deb", Some("debian"), "libc6", "2.36-9+deb12u4", &[("upstream", "glibc"), ("arch", "amd64")]),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc"
        );
        assert_eq!(purl("npm", Some("@babel"), "core", "7.0.0", &[]), "pkg:npm/%40babel/core@7.0.0");
        assert_eq!(purl("deb", Some("debian"), "bsdutils", "1:2.38.1-5", &[]), "pkg:deb/debian/bsdutils@1:2.38.1-5");
        assert_eq!(
            purl("rpm", Some("redhat"), "bash", "5.1-2.el9", &[("epoch", "1")]),
            "pkg:rpm/redhat/bash@5.1-2.el9?epoch=1"
        );
    }
}
