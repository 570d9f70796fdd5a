//! bosun's secret finder: credentials, cloud keys and private keys left in an
//! image. Evidence is always redacted.

mod rules;

use bosun_plugin_sdk::*;
use regex::Regex;
use std::sync::OnceLock;

pub use rules::{RULES, Rule};

/// Bytes sampled to decide that a file is binary.
const BINARY_SNIFF: usize = 8 << 10;

struct Secrets;

fn compiled() -> &'static [(&'static Rule, Regex)] {
    static COMPILED: OnceLock<Vec<(&'static Rule, Regex)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        RULES.iter().map(|rule| (rule, Regex::new(rule.pattern).expect("built-in rule compiles"))).collect()
    })
}

/// A secret one rule matched in a text.
#[derive(Debug, PartialEq, Eq)]
pub struct Match {
    /// The rule's id.
    pub rule_id: &'static str,
    /// Byte range of the whole match.
    pub start: usize,
    /// End of the whole match.
    pub end: usize,
    /// Redacted evidence.
    pub evidence: String,
}

/// Every secret in `text`.
pub fn scan_text(text: &str) -> Vec<Match> {
    let mut found = Vec::new();
    let lowered = text.to_ascii_lowercase();
    for (rule, regex) in compiled() {
        if !rule.keywords.iter().any(|k| lowered.contains(&k.to_ascii_lowercase())) {
            continue;
        }
        for caps in regex.captures_iter(text) {
            let whole = caps.get(0).expect("group 0 always matches");
            let secret = caps.name("secret").unwrap_or(whole);
            let shown = &text[whole.start()..secret.start()];
            let evidence = if rule.id == "private-key" {
                format!("{}<redacted key>", shown.trim_end())
            } else if rule.reveal_prefix {
                format!("{shown}{}", redact(secret.as_str()))
            } else {
                format!("{shown}{}", "*".repeat(secret.as_str().chars().count().clamp(3, 16)))
            };
            found.push(Match { rule_id: rule.id, start: whole.start(), end: whole.end(), evidence });
        }
    }
    found
}

impl Detector for Secrets {
    fn describe() -> PluginInfo {
        PluginInfo::new("secrets", "Leaked credentials, cloud keys, tokens and private keys")
            .named("Secret finder")
            .analyzing_files(
                FileInterest::globs(&[
                    "/etc/**",
                    "/root/**",
                    "/home/**",
                    "/app/**",
                    "/opt/**",
                    "/srv/**",
                    "/var/www/**",
                    "/usr/src/**",
                    "/usr/local/etc/**",
                    "/workspace/**",
                ])
                .and_extensions(&[
                    "pem",
                    "key",
                    "env",
                    "p8",
                    "ppk",
                    "cfg",
                    "conf",
                    "ini",
                    "properties",
                    "yml",
                    "yaml",
                    "json",
                    "toml",
                    "xml",
                ])
                .and_basenames(&[
                    "id_rsa",
                    "id_dsa",
                    "id_ecdsa",
                    "id_ed25519",
                    ".env",
                    ".npmrc",
                    ".pypirc",
                    ".netrc",
                    ".git-credentials",
                    "credentials",
                ])
                .max_size(4 << 20),
            )
    }

    fn analyze_file(meta: FileMeta, content: &Blob) -> Result<Analysis, PluginError> {
        let head = content.read(0, BINARY_SNIFF as u32);
        if head.contains(&0) {
            return Ok(Analysis::default());
        }
        let text = read_text(content)?;
        let findings = scan_text(&text)
            .into_iter()
            .map(|m| {
                let rule = RULES.iter().find(|r| r.id == m.rule_id).expect("match names a rule");
                Finding::new(rule.id, Category::Secret, rule.severity, rule.title)
                    .described(format!("{} found in {}", rule.title, meta.path))
                    .confidence(Confidence::Medium)
                    .at(Location::in_file(&meta.path).with_span(&text, m.start, m.end))
                    .evidence(m.evidence)
                    .remediation("Remove the secret from the image (and every layer), rotate it, and pass it at run time instead")
                    .tagged(rule.tags)
            })
            .collect();
        Ok(Analysis::with_findings(findings))
    }
}

export_detector!(Secrets);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_redacts_an_aws_key() {
        let found = scan_text("aws_access_key_id = AKIAZ7QWERTYUIOPASDF\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule_id, "aws-access-key-id");
        assert!(!found[0].evidence.contains("Z7QWERTYUIOPASDF"));
    }

    #[test]
    fn finds_a_pem_private_key_without_leaking_it() {
        let key =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretsecretsecret\n-----END RSA PRIVATE KEY-----\n";
        let found = scan_text(key);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule_id, "private-key");
        assert!(!found[0].evidence.contains("MIIE"));
    }

    #[test]
    fn ignores_text_without_secrets() {
        assert!(scan_text("just a README about passwords\n").is_empty());
    }
}
