//! Detectors that need structure, not a regex: private keys (which kind,
//! encrypted or not), keystores, certificates, and source-code disclosure.

use base64::Engine as _;
use bosun_plugin_sdk::Severity;
use regex::Regex;
use std::sync::OnceLock;

/// A structural finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Rule id.
    pub rule_id: &'static str,
    /// Title, specific to what was found.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Byte range in the text, when it is text.
    pub span: Option<(usize, usize)>,
    /// Redacted evidence.
    pub evidence: Option<String>,
    /// Tags.
    pub tags: Vec<&'static str>,
    /// Details.
    pub description: String,
}

fn pem_block() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"-----BEGIN ((?:[A-Z0-9]+ )*)(PRIVATE KEY BLOCK|PRIVATE KEY|CERTIFICATE)-----").expect("pem regex")
    })
}

fn base64_body(body: &str) -> Option<Vec<u8>> {
    let cleaned: String =
        body.lines().filter(|l| !l.contains(':') && !l.trim().is_empty()).flat_map(|l| l.trim().chars()).collect();
    base64::engine::general_purpose::STANDARD.decode(cleaned).ok()
}

/// PEM private keys and certificates in `text`.
pub fn pem(text: &str, path: &str, now: i64) -> Vec<Found> {
    let mut found = Vec::new();
    for caps in pem_block().captures_iter(text) {
        let header = caps.get(0).expect("group 0");
        // The body runs to the next END line, at most 64 KiB on.
        let window = &text[header.end()..text.len().min(header.end() + (64 << 10))];
        let Some(body_len) = window.find("-----END ") else { continue };
        let body = &window[..body_len];
        let end = header.end() + body_len + window[body_len + 9..].find("-----").map_or(9, |i| i + 9 + 5);
        let label = caps.get(1).map_or("", |m| m.as_str()).trim();
        let base64_chars = body.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')).count();
        if base64_chars < 40 {
            continue; // a snippet in documentation (`...`), not a key
        }
        let span = Some((header.start(), end));
        if &caps[2] == "CERTIFICATE" {
            if let Some(cert) = base64_body(body).and_then(|der| certificate(&der, path, now)) {
                found.push(Found { span, ..cert });
            }
            continue;
        }
        let (kind, encrypted) = key_kind(label, body);
        found.push(Found {
            rule_id: "private-key",
            title: format!("{kind} private key ({})", if encrypted { "encrypted" } else { "unencrypted" }),
            severity: if encrypted { Severity::Medium } else { Severity::High },
            span,
            evidence: Some(format!(
                "-----BEGIN {}{}-----<redacted key>",
                caps.get(1).map_or("", |m| m.as_str()),
                &caps[2]
            )),
            tags: vec!["private-key"],
            description: if encrypted {
                "A passphrase-protected private key; anyone with the image can try to crack it offline.".to_owned()
            } else {
                "An unencrypted private key: anyone who can pull the image can use it.".to_owned()
            },
        });
    }
    found
}

fn key_kind(label: &str, body: &str) -> (&'static str, bool) {
    let header_encrypted = label.contains("ENCRYPTED") || body.contains("Proc-Type: 4,ENCRYPTED");
    match label {
        l if l.starts_with("RSA") => ("RSA", header_encrypted),
        l if l.starts_with("EC") => ("EC", header_encrypted),
        l if l.starts_with("DSA") => ("DSA", header_encrypted),
        l if l.starts_with("PGP") => ("PGP", header_encrypted),
        l if l.starts_with("OPENSSH") => {
            // openssh-key-v1\0, then the cipher name as a length-prefixed string.
            let encrypted = base64_body(body).is_some_and(|raw| {
                raw.get(15..19)
                    .map(|len| u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize)
                    .and_then(|len| raw.get(19..19 + len))
                    .is_some_and(|cipher| cipher != b"none")
            });
            ("OpenSSH", encrypted)
        }
        l if l.starts_with("ENCRYPTED") => ("PKCS#8", true),
        _ => ("PKCS#8", header_encrypted),
    }
}

/// A PuTTY private key file.
pub fn putty(text: &str) -> Option<Found> {
    let start = memchr::memmem::find(text.as_bytes(), b"PuTTY-User-Key-File-")?;
    let encrypted = !text.contains("Encryption: none");
    Some(Found {
        rule_id: "private-key",
        title: format!("PuTTY private key ({})", if encrypted { "encrypted" } else { "unencrypted" }),
        severity: if encrypted { Severity::Medium } else { Severity::High },
        span: Some((start, start + "PuTTY-User-Key-File-".len())),
        evidence: Some("PuTTY-User-Key-File-<redacted key>".to_owned()),
        tags: vec!["private-key", "putty"],
        description: "A PuTTY private key file.".to_owned(),
    })
}

const PKCS7_DATA_OID: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];

/// A keystore recognised by its structure, whatever its name.
pub fn keystore(head: &[u8]) -> Option<Found> {
    let kind = if head.starts_with(&[0xfe, 0xed, 0xfe, 0xed]) {
        "Java keystore (JKS)"
    } else if head.starts_with(&[0xce, 0xce, 0xce, 0xce]) {
        "Java keystore (JCEKS)"
    } else if head.first() == Some(&0x30)
        && head.get(1).is_some_and(|&b| b >= 0x80)
        && head.windows(3).take(8).any(|w| w == [0x02, 0x01, 0x03])
        && head.windows(PKCS7_DATA_OID.len()).take(40).any(|w| w == PKCS7_DATA_OID)
    {
        "PKCS#12 keystore"
    } else {
        return None;
    };
    Some(Found {
        rule_id: "keystore",
        title: kind.to_owned(),
        severity: Severity::Medium,
        span: None,
        evidence: None,
        tags: vec!["private-key", "keystore"],
        description: "A keystore holding private keys; its password is often a default or sits next to it.".to_owned(),
    })
}

/// Where trusted CA bundles live: public certificates, not findings.
fn is_trust_store(path: &str) -> bool {
    [
        "/etc/ssl/certs/",
        "/usr/share/ca-certificates/",
        "/etc/pki/",
        "/usr/local/share/ca-certificates/",
        "/etc/ca-certificates/",
        "/usr/lib/ssl/",
        "/certifi/",
        "/etc/ssl/cert.pem",
        "/java/cacerts",
    ]
    .iter()
    .any(|p| path.contains(p))
}

fn certificate(der: &[u8], path: &str, now: i64) -> Option<Found> {
    if is_trust_store(path) {
        return None;
    }
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    if cert.is_ca() {
        return None;
    }
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    let not_after = cert.validity().not_after;
    let expired = not_after.timestamp() < now;
    let expiry = not_after.to_datetime().date();
    let description = format!("subject {subject}; issuer {issuer}; expires {expiry}");
    Some(if expired {
        Found {
            rule_id: "expired-certificate",
            title: format!("Expired certificate ({expiry})"),
            severity: Severity::Medium,
            span: None,
            evidence: Some(format!("subject {subject}")),
            tags: vec!["certificate"],
            description,
        }
    } else {
        Found {
            rule_id: "certificate",
            title: format!("Certificate for {subject}"),
            severity: Severity::Low,
            span: None,
            evidence: Some(format!("issuer {issuer}, expires {expiry}")),
            tags: vec!["certificate"],
            description,
        }
    })
}

/// Web roots, where disclosed source or backups are served to anyone.
fn under_web_root(path: &str) -> bool {
    [
        "/var/www/",
        "/srv/",
        "/usr/share/nginx/html/",
        "/usr/local/apache2/htdocs/",
        "/app/public/",
        "/public_html/",
        "/htdocs/",
    ]
    .iter()
    .any(|p| path.contains(p))
}

fn backup_name() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\.(?:php\d?|phtml|inc|jsp|aspx?|py|rb|pl|cgi|js|ts|conf|config|cfg|env|ini|ya?ml|xml|json|properties|sql|sh)(?:\.(?:bak|backup|old|orig|save|sav|tmp|copy|swp|swo|\d)|~)$|/\.[^/]+\.sw[po]$",
        )
        .expect("backup regex")
    })
}

/// Source-code disclosure judged from the path alone: version-control
/// metadata and editor or backup copies of source.
pub fn disclosure(path: &str) -> Option<Found> {
    let web = under_web_root(path);
    let (rule_id, title, dir) = if let Some(repo) = path.strip_suffix("/.git/HEAD") {
        ("git-repository", "Git repository (.git) in the image", repo)
    } else if let Some(repo) = path.strip_suffix("/.svn/wc.db").or_else(|| path.strip_suffix("/.svn/entries")) {
        ("svn-working-copy", "Subversion working copy (.svn) in the image", repo)
    } else if let Some(repo) = path.strip_suffix("/.hg/requires") {
        ("hg-repository", "Mercurial repository (.hg) in the image", repo)
    } else if backup_name().is_match(path) {
        ("source-backup-file", "Backup or editor copy of a source or config file", path)
    } else {
        return None;
    };
    Some(Found {
        rule_id,
        title: title.to_owned(),
        severity: if web { Severity::High } else { Severity::Medium },
        span: None,
        evidence: None,
        tags: if web { vec!["source-disclosure", "web-root"] } else { vec!["source-disclosure"] },
        description: format!(
            "{} at {}{}: it can disclose source code, history and the credentials in them.",
            title,
            if dir.is_empty() { "/" } else { dir },
            if web { ", under a web root where it may be served" } else { "" }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_BODY: &str = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n";

    #[test]
    fn private_keys_say_which_and_whether_encrypted() {
        let rsa = format!("-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}-----END RSA PRIVATE KEY-----\n");
        let found = pem(&rsa, "/root/.ssh/id_rsa", 0);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].title, "RSA private key (unencrypted)");
        assert_eq!(found[0].severity, Severity::High);
        assert!(!found[0].evidence.as_deref().unwrap().contains("MIIB"));
        let enc = format!("-----BEGIN ENCRYPTED PRIVATE KEY-----\n{KEY_BODY}-----END ENCRYPTED PRIVATE KEY-----\n");
        assert_eq!(pem(&enc, "/k.pem", 0)[0].title, "PKCS#8 private key (encrypted)");
        let legacy = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n{KEY_BODY}-----END RSA PRIVATE KEY-----\n"
        );
        assert_eq!(pem(&legacy, "/k.pem", 0)[0].severity, Severity::Medium);
        let snippet = "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n";
        assert!(pem(snippet, "/README", 0).is_empty());
    }

    #[test]
    fn disclosure_by_path() {
        assert_eq!(disclosure("/var/www/html/.git/HEAD").unwrap().severity, Severity::High);
        assert_eq!(disclosure("/app/.svn/wc.db").unwrap().rule_id, "svn-working-copy");
        assert_eq!(disclosure("/var/www/html/wp-config.php.bak").unwrap().rule_id, "source-backup-file");
        assert_eq!(disclosure("/var/www/html/.index.php.swp").unwrap().rule_id, "source-backup-file");
        assert!(disclosure("/var/www/html/index.php").is_none());
        assert!(disclosure("/usr/lib/x86_64-linux-gnu/libc.so.6").is_none());
    }

    #[test]
    fn keystores_by_structure() {
        assert_eq!(keystore(&[0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]).unwrap().title, "Java keystore (JKS)");
        let mut p12 = vec![0x30, 0x82, 0x0a, 0x00, 0x02, 0x01, 0x03, 0x30, 0x82, 0x09, 0xc6];
        p12.extend_from_slice(PKCS7_DATA_OID);
        assert_eq!(keystore(&p12).unwrap().title, "PKCS#12 keystore");
        assert!(keystore(b"\x7fELF\x02\x01\x01").is_none());
    }
}
