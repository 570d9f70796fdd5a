//! Is an `ENV`/`ARG` (or a build argument recorded in history) a secret? By
//! the shape of its value first (a key format is proof), then by its name —
//! without the false alarms name-only checks are known for: `GPG_KEY`,
//! `*_VERSION`, `PATH`, `KEYCLOAK_*`, `*_FILE`, `*_TOKEN_URL`.

/// Why a variable looks like a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The value has the format of a known credential (`AKIA…`, `ghp_…`, a PEM key).
    Shape(&'static str),
    /// The name says secret and the value is a literal, not a placeholder.
    Name,
}

/// Value prefixes of credentials with a fixed format: (prefix, kind, minimum total length).
const SHAPES: &[(&str, &str, usize)] = &[
    ("AKIA", "AWS access key id", 20),
    ("ASIA", "AWS temporary access key id", 20),
    ("ghp_", "GitHub personal access token", 40),
    ("gho_", "GitHub OAuth token", 40),
    ("ghs_", "GitHub app token", 40),
    ("ghu_", "GitHub user-to-server token", 40),
    ("github_pat_", "GitHub fine-grained token", 60),
    ("glpat-", "GitLab personal access token", 26),
    ("xoxb-", "Slack bot token", 20),
    ("xoxp-", "Slack user token", 20),
    ("sk_live_", "Stripe secret key", 24),
    ("rk_live_", "Stripe restricted key", 24),
    ("AIza", "Google API key", 39),
    ("npm_", "npm access token", 40),
    ("pypi-AgEI", "PyPI upload token", 60),
    ("SG.", "SendGrid API key", 60),
    ("dop_v1_", "DigitalOcean token", 64),
    ("hf_", "Hugging Face token", 37),
    ("-----BEGIN", "PEM private key", 30),
];

/// Name parts that mean "secret".
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    "SECRET_KEY",
    "PRIVATE_KEY",
    "ENCRYPTION_KEY",
    "SIGNING_KEY",
    "MASTER_KEY",
    "AUTH_KEY",
    "CLIENT_SECRET",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
    "PWD",
    "PASS",
];

/// Name endings that say the variable holds something else: a path, a URL, a
/// switch, a length, a version.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_HOST",
    "_PORT",
    "_VERSION",
    "_ENABLED",
    "_ENABLE",
    "_DISABLED",
    "_REQUIRED",
    "_LENGTH",
    "_LEN",
    "_TTL",
    "_EXPIRY",
    "_EXPIRATION",
    "_TIMEOUT",
    "_TYPE",
    "_METHOD",
    "_MODE",
    "_NAME",
    "_ID",
    "_HEADER",
    "_FIELD",
    "_PROVIDER",
    "_POLICY",
    "_ALGORITHM",
    "_FORMAT",
    "_COMMAND",
    "_CMD",
    "_KEY_ID",
    "_FINGERPRINT",
    "_ROUNDS",
    "_COUNT",
];

/// Names that are never secrets though a part matches.
const NOT_SECRET_NAMES: &[&str] = &["PATH", "OLDPWD", "PWD", "GPG_KEY", "GPG_KEYS", "PASS_MAX_DAYS", "PASS_MIN_DAYS"];

/// Values that are placeholders, switches or references, not secrets.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.len() < 4
        || v.starts_with('$')
        // A path; a base64 secret that happens to start with `/` has capitals.
        || (v.starts_with('/') && !v.chars().any(|c| c.is_ascii_uppercase()))
        || v.starts_with("./")
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X' || c == '.' || c == '-')
        || matches!(
            lower.as_str(),
            "true"
                | "false"
                | "yes"
                | "none"
                | "null"
                | "nil"
                | "empty"
                | "unset"
                | "changeme"
                | "change_me"
                | "change-me"
                | "placeholder"
                | "dummy"
                | "example"
                | "redacted"
                | "todo"
                | "tbd"
                | "disabled"
                | "enabled"
                | "required"
                | "optional"
                | "default"
        )
}

/// The credential format `value` has, if any.
pub fn shape(value: &str) -> Option<&'static str> {
    let value = value.trim();
    SHAPES.iter().find_map(|&(prefix, kind, min)| {
        let rest = value.strip_prefix(prefix)?;
        let plausible = value.len() >= min
            && (prefix == "-----BEGIN" && rest.contains("PRIVATE KEY")
                || prefix != "-----BEGIN"
                    && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.=".contains(&b))
                    && !rest.to_ascii_uppercase().contains("EXAMPLE"));
        plausible.then_some(kind)
    })
}

/// True when the name reads as a secret's.
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if NOT_SECRET_NAMES.contains(&upper.as_str()) || NOT_SECRET_SUFFIXES.iter().any(|s| upper.ends_with(s)) {
        return false;
    }
    // Compare whole `_`-separated words, so `KEYCLOAK_ADMIN`, `PASSENGER_…` and
    // `TOKENIZERS_PARALLELISM` stay quiet.
    let parts: Vec<&str> = upper.split(['_', '-', '.']).filter(|p| !p.is_empty()).collect();
    SECRET_WORDS.iter().any(|word| {
        let word_parts: Vec<&str> = word.split('_').collect();
        parts.windows(word_parts.len()).any(|w| w == word_parts.as_slice())
    })
}

/// Judge `name=value`.
pub fn judge(name: &str, value: &str) -> Option<Verdict> {
    if let Some(kind) = shape(value) {
        return Some(Verdict::Shape(kind));
    }
    (secret_name(name) && !is_placeholder(value)).then_some(Verdict::Name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_mean_secret() {
        for name in [
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "api_key",
            "NPM_AUTH",
            "SMTP_PASS",
        ] {
            assert!(secret_name(name), "{name}");
        }
        for name in [
            "GPG_KEY",
            "NODE_VERSION",
            "PATH",
            "KEYCLOAK_ADMIN",
            "PASSWORD_FILE",
            "OAUTH_TOKEN_URL",
            "TOKENIZERS_PARALLELISM",
            "PASSENGER_APP_ENV",
            "SSH_KEY_ID",
            "AUTHOR",
            "JAVA_HOME",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }

    #[test]
    fn values_decide_too() {
        assert_eq!(
            judge("X", "ghp_SadNfL6v65YwBykAcTGmCEkpGHX1t16Px0zV"),
            Some(Verdict::Shape("GitHub personal access token"))
        );
        assert_eq!(judge("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(judge("DB_PASSWORD", "s3cr3t-Pa55"), Some(Verdict::Name));
        for value in ["", "${DB_PASSWORD}", "$SECRET", "changeme", "/run/secrets/db", "<your-token>", "true", "****"] {
            assert_eq!(judge("DB_PASSWORD", value), None, "{value}");
        }
    }
}
