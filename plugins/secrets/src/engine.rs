//! Running the rules over text: keywords first (one automaton pass), then only
//! the regexes of rules whose keywords occur. The regex engine is linear in the
//! input, so no file can make a scan quadratic.

use crate::placeholders::is_placeholder;
use crate::rules::{Check, RuleSet};
use base64::Engine as _;

/// One secret found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the rule in the set.
    pub rule: usize,
    /// Byte range of the whole match.
    pub start: usize,
    /// End of the whole match.
    pub end: usize,
    /// Redacted evidence.
    pub evidence: String,
}

/// Everything one text yielded.
#[derive(Debug, Default)]
pub struct Scan {
    /// The secrets.
    pub matches: Vec<Match>,
    /// Values that matched a rule but are known placeholders (`changeme`,
    /// `AKIAIOSFODNN7EXAMPLE`): not findings, but counted.
    pub placeholders: Vec<String>,
}

/// Longest evidence string, in characters.
const MAX_EVIDENCE: usize = 160;

/// Shannon entropy of `text`, bits per byte.
pub fn entropy(text: &str) -> f64 {
    let mut counts = [0usize; 256];
    for &b in text.as_bytes() {
        counts[b as usize] += 1;
    }
    let len = text.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// Mask a secret: only rules whose secrets start with a type marker (`AKIA`,
/// `ghp_`) may show the first four characters.
pub fn mask(secret: &str, reveal: bool) -> String {
    let count = secret.chars().count();
    let keep = if reveal && count >= 16 { 4 } else { 0 };
    let shown: String = secret.chars().take(keep).collect();
    format!("{shown}{}", "*".repeat((count - keep).clamp(3, 16)))
}

fn passes(check: Check, secret: &str) -> bool {
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    match check {
        Check::Jwt => secret
            .split('.')
            .next()
            .and_then(|header| lenient.decode(header).ok())
            .is_some_and(|json| json.windows(5).any(|w| w == b"\"alg\"")),
        Check::DockerAuth => base64::engine::general_purpose::STANDARD
            .decode(secret)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|text| text.split_once(':').map(|(u, p)| !u.is_empty() && !p.is_empty()))
            .unwrap_or(false),
    }
}

fn line_around(text: &str, start: usize, end: usize) -> &str {
    let begin = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let finish = text[end..].find('\n').map_or(text.len(), |i| end + i);
    &text[begin..finish]
}

/// Every secret in `text`, a file at `path` (None: not a file, e.g. an env var).
pub fn scan(set: &RuleSet, path: Option<&str>, text: &str) -> Scan {
    let mut out = Scan::default();
    if path.is_some_and(|p| set.allow.iter().any(|a| a.allows_path(p))) {
        return out;
    }
    let mut candidates = vec![false; set.rules.len()];
    for &index in &set.always {
        candidates[index] = true;
    }
    if let Some(automaton) = &set.keywords {
        let mut seen = vec![false; set.keyword_rules.len()];
        let mut remaining = seen.len();
        for hit in automaton.find_overlapping_iter(text) {
            let pattern = hit.pattern().as_usize();
            if !seen[pattern] {
                seen[pattern] = true;
                remaining -= 1;
                for &rule in &set.keyword_rules[pattern] {
                    candidates[rule] = true;
                }
                if remaining == 0 {
                    break;
                }
            }
        }
    }
    for (index, rule) in set.rules.iter().enumerate() {
        if !candidates[index] {
            continue;
        }
        if let Some(wanted) = &rule.path {
            match path {
                Some(p) if wanted.is_match(p) => {}
                _ => continue,
            }
        }
        if path.is_some_and(|p| rule.allow.iter().any(|a| a.allows_path(p))) {
            continue;
        }
        for caps in rule.regex.captures_iter(text) {
            let whole = caps.get(0).expect("group 0 always matches");
            let secret = match rule.secret_group {
                Some(group) => caps.get(group),
                None => caps.iter().skip(1).flatten().next(),
            }
            .unwrap_or(whole);
            let value = secret.as_str();
            if value.trim().is_empty() {
                continue;
            }
            if rule.entropy.is_some_and(|min| entropy(value) < min) {
                continue;
            }
            let line = line_around(text, whole.start(), whole.end());
            if set.allow.iter().chain(&rule.allow).any(|a| a.allows(value, whole.as_str(), line)) {
                continue;
            }
            if is_placeholder(value) {
                out.placeholders.push(value.chars().take(40).collect());
                continue;
            }
            if rule.check.is_some_and(|check| !passes(check, value)) {
                continue;
            }
            let before = &text[whole.start()..secret.start()];
            let after = &text[secret.end()..whole.end()];
            let evidence: String = format!("{before}{}{after}", mask(value, rule.reveal))
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(MAX_EVIDENCE)
                .collect();
            out.matches.push(Match {
                rule: index,
                start: whole.start(),
                end: whole.end(),
                evidence: evidence.trim().to_owned(),
            });
        }
    }
    out.matches.sort_by_key(|m| (m.start, m.rule));
    out.matches.dedup_by(|b, a| a.rule == b.rule && b.start < a.end);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str, path: Option<&str>) -> Vec<String> {
        let set = RuleSet::build(None, &[]).unwrap();
        scan(&set, path, text).matches.iter().map(|m| set.rules[m.rule].id.clone()).collect()
    }

    #[test]
    fn cloud_keys_and_tokens() {
        assert_eq!(ids("id = AKIAZ7QWERTYUIOPASDF\n", None), ["aws-access-key-id"]);
        assert_eq!(ids("export GITHUB_TOKEN=ghp_R8mYq2VZkT4w9sLxN6cB1dJ3fH7pQ0aE5uGi", None), ["github-pat"]);
        assert_eq!(ids("key: LTAI5tR8mYq2VZkT4w9sLxN6", None), ["alibaba-access-key-id"]);
        assert_eq!(ids("dckr_pat_R8mYq2VZkT4w9sLxN6cB1dJ3fH7", None), ["dockerhub-pat"]);
    }

    #[test]
    fn passwords_in_config_shapes() {
        assert_eq!(ids("DB_PASSWORD=Xk9#mQ2!vL\n", None), ["password-assignment"]);
        assert_eq!(ids("  'PASSWORD': 'Xk9mQ2vLzz',\n", None), ["password-assignment"]);
        assert_eq!(ids("define('DB_PASSWORD', 'Xk9mQ2vL');", None), ["password-php-define"]);
        assert_eq!(ids("<password>Xk9mQ2vL</password>", None), ["password-xml"]);
        assert_eq!(ids("postgres://app:Xk9mQ2vL@db:5432/app", None), ["url-credentials"]);
    }

    #[test]
    fn placeholders_and_settings_are_not_findings() {
        let set = RuleSet::build(None, &[]).unwrap();
        for text in [
            "password = changeme\n",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
            "password: ${DB_PASSWORD}\n",
            "password_file: /run/secrets/db\n",
            "password_hash = bcrypt\n",
            "PASSWORD=<your-password>\n",
            "password = xxxxxxxx\n",
        ] {
            let result = scan(&set, Some("/app/config.yml"), text);
            assert!(result.matches.is_empty(), "{text:?} gave {:?}", result.matches);
        }
        let counted = scan(&set, None, "password = changeme\n");
        assert_eq!(counted.placeholders, ["changeme"]);
    }

    #[test]
    fn path_rules_only_fire_on_their_files() {
        let netrc = "machine example.org login me password Xk9mQ2vLzz\n";
        assert_eq!(ids(netrc, Some("/root/.netrc")), ["netrc-password"]);
        assert!(!ids(netrc, Some("/root/notes.txt")).contains(&"netrc-password".to_owned()));
    }

    #[test]
    fn jwt_must_decode() {
        let real = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        assert_eq!(ids(real, None), ["jwt"]);
        assert!(ids("eyJub3RhbGciOjF9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop", None).is_empty());
    }

    #[test]
    fn evidence_is_redacted() {
        let set = RuleSet::build(None, &[]).unwrap();
        let result = scan(&set, None, "aws_secret_access_key = dlau8Kz2Qp7Xw1Lm9Rt4Yv6Bn3Hs5Jc0Gf8Ek2Wq\n");
        assert_eq!(result.matches.len(), 1);
        assert!(!result.matches[0].evidence.contains("dlau8Kz2"), "{}", result.matches[0].evidence);
    }

    #[test]
    fn entropy_of_uniform_and_constant_strings() {
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    }
}
