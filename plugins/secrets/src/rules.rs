//! Rules as data: the embedded `rules.toml` plus any user file, in gitleaks'
//! format with bosun's extra keys, compiled once into one keyword automaton
//! and a regex per rule.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use bosun_plugin_sdk::Severity;
use regex::Regex;
use regex_automata::meta;
use serde::Deserialize;

/// Rewrite a pattern to the semantics of Go's RE2, which gitleaks rule files
/// are written for: `\w`, `\d`, `\s` and `\b` are ASCII-only there. It is also
/// what keeps hundreds of rules small and on the DFA (Unicode classes would
/// multiply each regex's size).
pub fn ascii_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('s') => out.push_str("[\\t\\n\\f\\r ]"),
            Some('S') => out.push_str("[^\\t\\n\\f\\r ]"),
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(&ascii_classes(pattern)).size_limit(4 << 20).dfa_size_limit(1 << 20).build()
}

/// A rule's pattern runs on raw file bytes (no UTF-8 validation pass first),
/// over a span of the file: `^`, `$` and `\b` at the span's edges see the
/// bytes beyond it, so a window cut mid-line cannot invent a match.
fn compile_bytes(pattern: &str) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .syntax(regex_automata::util::syntax::Config::new().utf8(false))
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(4 << 20))
                .onepass_size_limit(Some(4 << 20))
                .hybrid_cache_capacity(1 << 20),
        )
        .build(&ascii_classes(pattern))
        .map_err(|e| e.to_string())
}

/// Markers of the structural detectors (PEM blocks, PuTTY keys), searched in
/// the same automaton pass as the keywords, so files without them are never
/// decoded as a whole.
const STRUCTURAL_MARKERS: &[&str] = &["-----begin ", "putty-user-key-file-"];

/// The built-in rule file.
pub const BUILTIN: &str = include_str!("../rules.toml");

#[derive(Debug, Default, Deserialize)]
struct RuleFile {
    #[serde(default)]
    allowlist: Option<RawAllow>,
    #[serde(default)]
    allowlists: Vec<RawAllow>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAllow {
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    regex_target: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    allowlist: Option<RawAllow>,
    #[serde(default)]
    allowlists: Vec<RawAllow>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    remediation: Option<String>,
    #[serde(default)]
    reveal: bool,
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    disabled: bool,
}

/// What an allow rule is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowTarget {
    /// The secret itself (the default).
    Secret,
    /// The whole regex match.
    Match,
    /// The line holding the match.
    Line,
}

/// A compiled allowlist: a match it covers is not a finding.
#[derive(Debug, Clone)]
pub struct Allow {
    regexes: Vec<Regex>,
    stopwords: Vec<String>,
    paths: Vec<Regex>,
    /// What `regexes` look at.
    pub target: AllowTarget,
}

impl Allow {
    fn compile(raw: &RawAllow, problems: &mut Vec<String>) -> Self {
        let compile_all = |list: &[String], problems: &mut Vec<String>| {
            list.iter()
                .filter_map(|r| compile(r).map_err(|e| problems.push(format!("allowlist regex {r:?}: {e}"))).ok())
                .collect()
        };
        Allow {
            regexes: compile_all(&raw.regexes, problems),
            stopwords: raw.stopwords.iter().map(|w| w.to_ascii_lowercase()).collect(),
            paths: compile_all(&raw.paths, problems),
            target: match raw.regex_target.as_deref() {
                Some("match") => AllowTarget::Match,
                Some("line") => AllowTarget::Line,
                _ => AllowTarget::Secret,
            },
        }
    }

    /// True when the file at `path` is allowed as a whole.
    pub fn allows_path(&self, path: &str) -> bool {
        let relative = path.trim_start_matches('/');
        self.paths.iter().any(|p| p.is_match(path) || p.is_match(relative))
    }

    /// True when this match is allowed.
    pub fn allows(&self, secret: &str, whole: &str, line: &str) -> bool {
        let target = match self.target {
            AllowTarget::Secret => secret,
            AllowTarget::Match => whole,
            AllowTarget::Line => line,
        };
        if self.regexes.iter().any(|r| r.is_match(target)) {
            return true;
        }
        let lowered = secret.to_ascii_lowercase();
        self.stopwords.iter().any(|w| lowered.contains(w.as_str()))
    }
}

/// A structural check a match must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The header decodes to JSON with an `alg`.
    Jwt,
    /// The value decodes to `user:password`.
    DockerAuth,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// Title for reports.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Tags.
    pub tags: Vec<String>,
    /// What to do.
    pub remediation: Option<String>,
    /// The pattern (over bytes).
    pub regex: meta::Regex,
    /// Which group is the secret (default: the first that matched).
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy of the secret.
    pub entropy: Option<f64>,
    /// Lower-case keywords; empty: the rule always runs (where its path allows).
    pub keywords: Vec<String>,
    /// Only files whose path matches.
    pub path: Option<Regex>,
    /// Rule-specific allowlists.
    pub allow: Vec<Allow>,
    /// Evidence may show the first characters.
    pub reveal: bool,
    /// Structural check.
    pub check: Option<Check>,
    /// A catch-all rule (tag `generic`): silent where a specific rule matched.
    pub generic: bool,
}

/// The compiled rule set.
#[derive(Debug)]
pub struct RuleSet {
    /// The rules.
    pub rules: Vec<Rule>,
    /// Global allowlists.
    pub allow: Vec<Allow>,
    /// Keyword automaton (ASCII case-insensitive), structural markers included.
    pub keywords: AhoCorasick,
    /// For each keyword pattern, the rules it enables.
    pub keyword_rules: Vec<Vec<usize>>,
    /// For each keyword pattern, whether it is a structural marker.
    pub marker: Vec<bool>,
    /// Rules without keywords.
    pub always: Vec<usize>,
    /// Problems met while compiling (bad regexes are skipped, not fatal).
    pub problems: Vec<String>,
}

fn severity(text: Option<&str>) -> Severity {
    match text.map(str::to_ascii_lowercase).as_deref() {
        Some("critical") => Severity::Critical,
        Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        Some("unknown" | "info") => Severity::Unknown,
        _ => Severity::High,
    }
}

impl RuleSet {
    /// The built-in rules, then `user` (a TOML rule file: same-id rules
    /// replace built-ins, `disabled = true` removes one), minus `disabled` ids.
    pub fn build(user: Option<&str>, disabled: &[String]) -> Result<Self, String> {
        let builtin: RuleFile = toml::from_str(BUILTIN).map_err(|e| format!("built-in rules: {e}"))?;
        let user: RuleFile = match user {
            Some(text) => toml::from_str(text).map_err(|e| format!("secret rule file: {e}"))?,
            None => RuleFile::default(),
        };
        let mut raw_rules = builtin.rules;
        for rule in user.rules {
            raw_rules.retain(|r| r.id != rule.id);
            raw_rules.push(rule);
        }
        raw_rules.retain(|r| !r.disabled && !disabled.contains(&r.id));

        let mut problems = Vec::new();
        let allow = [builtin.allowlist, user.allowlist]
            .into_iter()
            .flatten()
            .chain(builtin.allowlists)
            .chain(user.allowlists)
            .map(|raw| Allow::compile(&raw, &mut problems))
            .collect();
        let mut rules = Vec::new();
        for raw in raw_rules {
            let Some(pattern) = raw.regex.as_deref() else {
                problems.push(format!("rule {}: no regex (path-only rules are not supported)", raw.id));
                continue;
            };
            let regex = match compile_bytes(pattern) {
                Ok(regex) => regex,
                Err(err) => {
                    problems.push(format!("rule {}: {err}", raw.id));
                    continue;
                }
            };
            let path = match raw.path.as_deref().map(compile).transpose() {
                Ok(path) => path,
                Err(err) => {
                    problems.push(format!("rule {}: path: {err}", raw.id));
                    continue;
                }
            };
            let check = match raw.check.as_deref() {
                Some("jwt") => Some(Check::Jwt),
                Some("docker-auth") => Some(Check::DockerAuth),
                _ => None,
            };
            rules.push(Rule {
                title: raw.title.clone().or(raw.description.clone()).unwrap_or_else(|| raw.id.clone()),
                severity: severity(raw.severity.as_deref()),
                generic: raw.tags.iter().any(|t| t == "generic"),
                tags: raw.tags,
                remediation: raw.remediation,
                regex,
                secret_group: raw.secret_group.filter(|&g| g > 0),
                entropy: raw.entropy,
                keywords: raw.keywords.iter().map(|k| k.to_ascii_lowercase()).filter(|k| !k.is_empty()).collect(),
                path,
                allow: raw.allowlist.iter().chain(&raw.allowlists).map(|a| Allow::compile(a, &mut problems)).collect(),
                reveal: raw.reveal,
                check,
                id: raw.id,
            });
        }

        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(index);
            }
            for keyword in &rule.keywords {
                match patterns.iter().position(|p| p == keyword) {
                    Some(at) => keyword_rules[at].push(index),
                    None => {
                        patterns.push(keyword.clone());
                        keyword_rules.push(vec![index]);
                    }
                }
            }
        }
        let mut marker = vec![false; patterns.len()];
        for &text in STRUCTURAL_MARKERS {
            match patterns.iter().position(|p| p == text) {
                Some(at) => marker[at] = true,
                None => {
                    patterns.push(text.to_owned());
                    keyword_rules.push(Vec::new());
                    marker.push(true);
                }
            }
        }
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| format!("keywords: {e}"))?;
        Ok(RuleSet { rules, allow, keywords, keyword_rules, marker, always, problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_all_compile() {
        let set = RuleSet::build(None, &[]).unwrap();
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        assert!(set.rules.len() >= 40, "{}", set.rules.len());
        let mut ids: Vec<_> = set.rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), set.rules.len(), "rule ids are unique");
    }

    #[test]
    fn classes_follow_go_semantics() {
        assert_eq!(ascii_classes(r"\bkey\w+\s*[\w.-]\\w"), r"(?-u:\b)key[0-9A-Za-z_]+[\t\n\f\r ]*[[0-9A-Za-z_].-]\\w");
        let re = compile(r"^\w+$").unwrap();
        assert!(re.is_match("abc_123") && !re.is_match("straße"));
    }

    #[test]
    fn user_rules_replace_and_disable() {
        let user = r#"
            [[rules]]
            id = "github-pat"
            disabled = true

            [[rules]]
            id = "acme-token"
            description = "ACME internal token"
            regex = '''\b(acme_[a-z0-9]{24})\b'''
            keywords = ["acme_"]
        "#;
        let set = RuleSet::build(Some(user), &["slack-token".to_owned()]).unwrap();
        assert!(set.rules.iter().any(|r| r.id == "acme-token" && r.severity == Severity::High));
        assert!(!set.rules.iter().any(|r| r.id == "github-pat" || r.id == "slack-token"));
    }
}
