//! Running the rules over text: keywords first (one automaton pass), then only
//! the regexes of rules whose keywords occur. The regex engine is linear in the
//! input, so no file can make a scan quadratic.

use crate::placeholders::is_placeholder;
use crate::rules::{Check, RuleSet};
use base64::Engine as _;
use regex_automata::Input;
use regex_automata::util::captures::Captures;

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
    /// The text holds a PEM or PuTTY header: the structural detectors should
    /// look at it.
    pub structural: bool,
}

/// The pseudo path of text that is not a file (an `Env` entry, a history line).
const CONFIG_TEXT: &str = "/image-config.env";

/// How far before its keyword a rule's match may start.
const REACH_BEFORE: usize = 256;
/// How far after its keyword a rule's match may end (a session token, a
/// certificate blob in a JSON string, can be long).
const REACH_AFTER: usize = 2048;

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

fn line_around(text: &[u8], start: usize, end: usize) -> &[u8] {
    let begin = memchr::memrchr(b'\n', &text[..start]).map_or(0, |i| i + 1);
    let finish = memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |i| end + i);
    &text[begin..finish]
}

/// Where the rules of a keyword hit look: the hit's line and the next one. A
/// keyword far from any secret costs one short regex run. Hits arrive in text
/// order, so the cursor remembers the last line and every byte is searched for
/// newlines at most twice, however many keywords a line holds.
struct Windows<'t> {
    text: &'t [u8],
    /// Start of the last hit's line.
    begin: usize,
    /// Its newline (or the end of the text).
    line_end: usize,
    /// End of the line after it: the window's end.
    finish: usize,
    /// Whether the fields above describe a line yet.
    known: bool,
}

impl<'t> Windows<'t> {
    fn new(text: &'t [u8]) -> Self {
        Windows { text, begin: 0, line_end: 0, finish: 0, known: false }
    }

    fn around(&mut self, start: usize, end: usize) -> (usize, usize) {
        if self.known && start >= self.begin && end <= self.line_end {
            return (self.begin, self.finish);
        }
        // Search back only to the last known line end when the hit lies past it.
        let floor = if self.known && start >= self.line_end { self.line_end } else { 0 };
        self.known = true;
        self.begin = memchr::memrchr(b'\n', &self.text[floor..start]).map_or(floor, |i| floor + i + 1);
        self.line_end = memchr::memchr(b'\n', &self.text[end..]).map_or(self.text.len(), |i| end + i);
        let next = (self.line_end + 1).min(self.text.len());
        self.finish = memchr::memchr(b'\n', &self.text[next..]).map_or(self.text.len(), |i| next + i);
        (self.begin, self.finish)
    }
}

/// Decide whether one regex match in `text` is a finding: secret group, entropy, allowlists, placeholders, structural check.
fn judge(set: &RuleSet, index: usize, text: &[u8], caps: &Captures, placeholders: &mut Vec<String>) -> Option<Match> {
    let rule = &set.rules[index];
    let whole = caps.get_group(0)?;
    let secret = match rule.secret_group {
        Some(group) => caps.get_group(group),
        None => caps.iter().skip(1).flatten().next(),
    }
    .unwrap_or(whole);
    let value = String::from_utf8_lossy(&text[secret.range()]);
    if value.trim().is_empty() || rule.entropy.is_some_and(|min| entropy(&value) < min) {
        return None;
    }
    let (start, end) = (whole.start, whole.end);
    if is_placeholder(&value) {
        placeholders.push(value.chars().take(40).collect());
        return None;
    }
    let matched = String::from_utf8_lossy(&text[whole.range()]);
    let line = String::from_utf8_lossy(line_around(text, start, end));
    if set.allow.iter().chain(&rule.allow).any(|a| a.allows(&value, &matched, &line)) {
        return None;
    }
    if rule.check.is_some_and(|check| !passes(check, &value)) {
        return None;
    }
    let before = String::from_utf8_lossy(&text[whole.start..secret.start]);
    let after = String::from_utf8_lossy(&text[secret.end..whole.end]);
    let evidence: String = format!("{before}{}{after}", mask(&value, rule.reveal))
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_EVIDENCE)
        .collect();
    Some(Match { rule: index, start, end, evidence: evidence.trim().to_owned() })
}

/// Every secret in `text`, a file at `path` (None: not a file, e.g. an env var).
pub fn scan(set: &RuleSet, path: Option<&str>, text: &str) -> Scan {
    scan_bytes(set, path, text.as_bytes())
}

/// Every secret in the file contents `bytes`, which need not be valid UTF-8
/// (the rules match UTF-8 text; a match's pieces are decoded lossily for the
/// checks and the evidence). Offsets in the result are offsets into `bytes`.
pub fn scan_bytes(set: &RuleSet, path: Option<&str>, bytes: &[u8]) -> Scan {
    let mut out = Scan::default();
    if path.is_some_and(|p| set.allow.iter().any(|a| a.allows_path(p))) {
        return out;
    }
    // Where each rule should look: the lines around its keywords (a rule
    // without keywords looks everywhere its path filter allows).
    let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); set.rules.len()];
    for &index in &set.always {
        windows[index].push((0, bytes.len()));
    }
    let mut lines = Windows::new(bytes);
    for hit in set.keywords.find_overlapping_iter(bytes) {
        let pattern = hit.pattern().as_usize();
        out.structural |= set.marker[pattern];
        // The lines around the hit, but not farther from it than any rule reaches.
        let (begin, finish) = lines.around(hit.start(), hit.end());
        let window = (begin.max(hit.start().saturating_sub(REACH_BEFORE)), finish.min(hit.end() + REACH_AFTER));
        for &rule in &set.keyword_rules[pattern] {
            let list = &mut windows[rule];
            match list.last_mut() {
                Some(last) if window.0 <= last.1 => *last = (last.0.min(window.0), last.1.max(window.1)),
                _ => list.push(window),
            }
        }
    }
    for (index, rule) in set.rules.iter().enumerate() {
        if windows[index].is_empty() {
            continue;
        }
        let mut caps = rule.regex.create_captures();
        // Text from the image config (no path) is judged like a `.env` file.
        if rule.path.as_ref().is_some_and(|wanted| !wanted.is_match(path.unwrap_or(CONFIG_TEXT))) {
            continue;
        }
        if path.is_some_and(|p| rule.allow.iter().any(|a| a.allows_path(p))) {
            continue;
        }
        for &(from, to) in &windows[index] {
            // The DFA finds matches fast; capture groups are resolved only for those.
            for found in rule.regex.find_iter(Input::new(bytes).span(from..to)) {
                rule.regex.search_captures(&Input::new(bytes).span(found.start()..to), &mut caps);
                if let Some(found) = judge(set, index, bytes, &caps, &mut out.placeholders) {
                    out.matches.push(found);
                }
            }
        }
    }
    out.matches.sort_by_key(|m| (m.start, m.rule));
    out.matches.dedup_by(|b, a| a.rule == b.rule && b.start < a.end);
    // A generic rule only speaks where no specific rule did.
    let specific: Vec<(usize, usize)> =
        out.matches.iter().filter(|m| !set.rules[m.rule].generic).map(|m| (m.start, m.end)).collect();
    out.matches.retain(|m| !set.rules[m.rule].generic || !specific.iter().any(|&(s, e)| m.start < e && s < m.end));
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
        assert_eq!(ids("$db_password = 'Xk9mQ2vLzz';", Some("/var/www/app/db.php")), ["password-in-code"]);
        assert!(ids("$this->password = $password;", Some("/var/www/app/db.php")).is_empty());
        assert!(ids("'ApiResetPassword' => __DIR__ . '/x.php',", Some("/var/www/autoload.php")).is_empty());
        assert!(ids("Functions.suggestPassword = function () {", Some("/var/www/js/f.js")).is_empty());
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
