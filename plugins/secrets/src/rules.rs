//! The secret rules: what a credential looks like and how bad a leak is.

use bosun_plugin_sdk::Severity;

/// One kind of secret.
pub struct Rule {
    /// Stable kebab-case id, reported as the finding's rule id.
    pub id: &'static str,
    /// One line for the report.
    pub title: &'static str,
    /// How bad a leak is.
    pub severity: Severity,
    /// The pattern; capture group `secret` (or the whole match) is the part to redact.
    pub pattern: &'static str,
    /// Tags for the finding.
    pub tags: &'static [&'static str],
    /// Show the first characters of the secret in evidence: true only where
    /// they name the credential type (`AKIA`, `ghp_`) rather than a guessable part.
    pub reveal_prefix: bool,
    /// Cheap prefilter: the rule runs only on text containing one of these
    /// (compared case-insensitively).
    pub keywords: &'static [&'static str],
}

/// The built-in rules.
pub const RULES: &[Rule] = &[
    Rule {
        id: "private-key",
        title: "Private key",
        severity: Severity::High,
        pattern: r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?P<secret>[\s\S]{16,}?)-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
        tags: &["private-key"],
        reveal_prefix: false,
        keywords: &["PRIVATE KEY"],
    },
    Rule {
        id: "aws-access-key-id",
        title: "AWS access key ID",
        severity: Severity::Critical,
        pattern: r"\b(?P<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        tags: &["aws", "cloud"],
        reveal_prefix: true,
        keywords: &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
    },
    Rule {
        id: "aws-secret-access-key",
        title: "AWS secret access key",
        severity: Severity::Critical,
        pattern: r#"(?i)aws_?secret_?(?:access_?)?key(?:_?id)?["']?\s*[:=]\s*["']?(?P<secret>[A-Za-z0-9/+=]{40})\b"#,
        tags: &["aws", "cloud"],
        reveal_prefix: false,
        keywords: &["secret"],
    },
    Rule {
        id: "github-token",
        title: "GitHub token",
        severity: Severity::Critical,
        pattern: r"\b(?P<secret>(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})\b",
        tags: &["github"],
        reveal_prefix: true,
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
    },
    Rule {
        id: "slack-token",
        title: "Slack token",
        severity: Severity::High,
        pattern: r"\b(?P<secret>xox[baprs]-[0-9A-Za-z-]{10,72})\b",
        tags: &["slack"],
        reveal_prefix: true,
        keywords: &["xox"],
    },
    Rule {
        id: "password-assignment",
        title: "Password in a configuration file",
        severity: Severity::High,
        pattern: r#"(?i)\b(?:password|passwd|pwd)["']?\s*[:=]\s*["']?(?P<secret>[^\s"'$<>{}]{6,})"#,
        tags: &["password"],
        reveal_prefix: false,
        keywords: &["pass", "pwd"],
    },
];
