//! bosun's secret finder: credentials, cloud keys, tokens, private keys,
//! keystores, certificates and disclosed source code left in an image, and
//! secrets in its config (`Env`, history, labels). Evidence is always redacted.

mod engine;
mod placeholders;
mod rules;
mod special;

pub use engine::{Match, Scan, entropy, mask, scan, scan_bytes};
pub use rules::{BUILTIN, RuleSet};
pub use special::{Found, disclosure, keystore, pem, putty};

use bosun_plugin_sdk::*;
use std::sync::Arc;

/// Bytes sampled to decide that a file is binary.
const BINARY_SNIFF: u32 = 8 << 10;
/// Largest file read.
const MAX_FILE: u64 = 8 << 20;
const REMEDIATION: &str =
    "Remove the secret from the image and from every layer (rebuild without it), rotate it, and supply it at run time";

/// The rules in force: the built-ins until `configure` says otherwise.
static ACTIVE: Active<RuleSet> = Active::new();

fn active() -> Arc<RuleSet> {
    ACTIVE.get_or(|| RuleSet::build(None, &[]).expect("built-in rules are valid"))
}

struct Secrets;

fn finding_from_match(set: &RuleSet, m: &Match, text: &[u8], location: Location) -> Finding {
    let rule = &set.rules[m.rule];
    let location = match &location.path {
        Some(_) => location.with_span(text, m.start, m.end),
        None => location,
    };
    let tags: Vec<&str> = rule.tags.iter().map(String::as_str).collect();
    Finding::new(&rule.id, Category::Secret, rule.severity, &rule.title)
        .described(format!("{} found by rule {}", rule.title, rule.id))
        .confidence(if rule.entropy.is_some() || rule.reveal { Confidence::High } else { Confidence::Medium })
        .at(location)
        .evidence(m.evidence.clone())
        .remediation(rule.remediation.clone().unwrap_or_else(|| REMEDIATION.to_owned()))
        .tagged(&tags)
}

fn finding_from_found(found: Found, text: Option<&str>, path: &str) -> Finding {
    let mut location = Location::in_file(path);
    if let (Some((start, end)), Some(text)) = (found.span, text) {
        location = location.with_span(text, start, end);
    }
    let remediation = match found.rule_id {
        "git-repository" | "svn-working-copy" | "hg-repository" | "source-backup-file" => {
            "Exclude it from the build context (.dockerignore) or delete it in the same layer that adds it"
        }
        "certificate" | "expired-certificate" => "Ship certificates as run-time configuration; renew expired ones",
        _ => REMEDIATION,
    };
    let mut finding = Finding::new(found.rule_id, Category::Secret, found.severity, &found.title)
        .described(found.description)
        .confidence(Confidence::High)
        .at(location)
        .remediation(remediation)
        .tagged(&found.tags);
    finding.evidence = found.evidence;
    finding
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl Detector for Secrets {
    fn describe() -> PluginInfo {
        PluginInfo::new("secrets", "Leaked credentials, cloud keys, tokens, private keys, certificates and source code")
            .named("Secret finder")
            .version(env!("CARGO_PKG_VERSION"))
            .analyzing_files(
                FileInterest::globs(&[
                    "/*",
                    "/etc/**",
                    "/root/**",
                    "/home/**",
                    "/app/**",
                    "/opt/**",
                    "/srv/**",
                    "/var/www/**",
                    "/usr/src/**",
                    "/usr/local/etc/**",
                    "/usr/local/bin/**",
                    "/usr/share/nginx/**",
                    "/workspace/**",
                    "/data/**",
                    "/tmp/**",
                    "/var/tmp/**",
                    "/var/lib/jenkins/**",
                    "/run/secrets/**",
                    "/code/**",
                    "/src/**",
                    "/usr/app/**",
                    "/usr/local/app/**",
                    "**/.git/HEAD",
                    "**/.svn/wc.db",
                    "**/.svn/entries",
                    "**/.hg/requires",
                    "**/*~",
                ])
                .and_extensions(&[
                    "pem",
                    "key",
                    "env",
                    "p8",
                    "p12",
                    "pfx",
                    "jks",
                    "jceks",
                    "keystore",
                    "ppk",
                    "crt",
                    "cer",
                    "cfg",
                    "conf",
                    "config",
                    "ini",
                    "properties",
                    "yml",
                    "yaml",
                    "json",
                    "toml",
                    "xml",
                    "tfvars",
                    "bak",
                    "old",
                    "orig",
                    "swp",
                    "swo",
                    "save",
                    "sql",
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
                    "_netrc",
                    ".pgpass",
                    ".git-credentials",
                    ".htpasswd",
                    "htpasswd",
                    "credentials",
                    "kubeconfig",
                    "wp-config.php",
                    "settings.py",
                    "config.php",
                    "LocalSettings.php",
                    "local.php",
                ])
                .and_magic(&[0xfe, 0xed, 0xfe, 0xed])
                .and_magic(&[0xce, 0xce, 0xce, 0xce])
                .max_size(MAX_FILE),
            )
            .analyzing_image()
    }

    fn configure(options: Vec<(String, String)>) -> Result<(), PluginError> {
        let mut user = None;
        let mut disabled = Vec::new();
        for (key, value) in options {
            match key.as_str() {
                "config" => user = Some(value),
                "disable" => disabled.extend(value.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())),
                other => {
                    return Err(PluginError::InvalidConfig(format!(
                        "unknown option `{other}` (known: config, disable)"
                    )));
                }
            }
        }
        let set = RuleSet::build(user.as_deref(), &disabled).map_err(PluginError::InvalidConfig)?;
        for problem in set.problems.iter().take(20) {
            log(LogLevel::Warn, &format!("rule skipped: {problem}"));
        }
        ACTIVE.set(set);
        Ok(())
    }

    fn analyze_file(meta: FileMeta, content: &Blob) -> Result<Analysis, PluginError> {
        let mut findings = Vec::new();
        if let Some(found) = disclosure(&meta.path) {
            findings.push(finding_from_found(found, None, &meta.path));
        }
        let head = content.read(0, BINARY_SNIFF);
        if let Some(found) = keystore(&head) {
            findings.push(finding_from_found(found, None, &meta.path));
            return Ok(Analysis::with_findings(findings));
        }
        if head.contains(&0) {
            return Ok(Analysis::with_findings(findings));
        }
        let bytes = content.read_all().map_err(PluginError::Failed)?;
        let set = active();
        let result = scan_bytes(&set, Some(&meta.path), &bytes);
        findings
            .extend(result.matches.iter().map(|m| finding_from_match(&set, m, &bytes, Location::in_file(&meta.path))));
        // The structural detectors need the whole file as text; most files
        // hold no PEM or PuTTY header and are never decoded.
        if result.structural {
            let text = String::from_utf8_lossy(&bytes);
            findings.extend(
                pem(&text, &meta.path, now()).into_iter().map(|f| finding_from_found(f, Some(&text), &meta.path)),
            );
            findings.extend(putty(&text).map(|f| finding_from_found(f, Some(&text), &meta.path)));
        }
        if !result.placeholders.is_empty() {
            log(
                LogLevel::Warn,
                &format!(
                    "{} placeholder value(s) not reported as secrets (e.g. {})",
                    result.placeholders.len(),
                    mask(&result.placeholders[0], false)
                ),
            );
        }
        Ok(Analysis::with_findings(findings))
    }

    fn analyze_image(image: ImageInfo) -> Result<Vec<Finding>, PluginError> {
        let set = active();
        let mut findings = Vec::new();
        let mut check = |text: &str, location: Location, place: &str, tag: &str| {
            for m in scan(&set, None, text).matches {
                let mut finding = finding_from_match(&set, &m, text.as_bytes(), location.clone());
                finding.title = format!("{} in the image config ({place})", finding.title);
                finding.tags.extend(["image-config".to_owned(), tag.to_owned()]);
                findings.push(finding);
            }
        };
        for var in &image.env {
            check(var, Location::default(), "Env", "env");
        }
        for (index, step) in image.history.iter().enumerate() {
            if let Some(created_by) = &step.created_by {
                check(created_by, Location::in_history(index as u32), "history", "history");
            }
        }
        for (key, value) in &image.labels {
            check(&format!("{key}={value}"), Location::default(), "labels", "label");
        }
        Ok(findings)
    }
}

export_detector!(Secrets);
