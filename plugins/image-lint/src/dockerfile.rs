//! A Dockerfile parser: parser directives, line continuations with the
//! escape character, comments inside continuations, JSON (exec) and shell
//! forms, heredocs, flags, multi-stage `FROM … AS`, and `ARG`/`ENV`
//! substitution, as BuildKit reads them.

use std::collections::HashMap;

/// One instruction, from a Dockerfile or reconstructed from image history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Instruction {
    /// Upper-case keyword: `RUN`, `FROM`, …
    pub keyword: String,
    /// `--name=value` flags before the arguments (`value` empty for bare flags).
    pub flags: Vec<(String, String)>,
    /// The arguments after keyword and flags, continuations joined.
    pub args: String,
    /// Heredoc bodies, in order (`RUN <<EOF`).
    pub heredocs: Vec<Heredoc>,
    /// First and last line (1-based) in the Dockerfile; 0 for history.
    pub line: u32,
    /// Last line, inclusive.
    pub end_line: u32,
    /// Index of the build stage (the `FROM` it follows).
    pub stage: usize,
    /// Rule ids suppressed by a `# bosun ignore=…` comment right above it.
    pub ignored: Vec<String>,
    /// The history entry it came from, for an image.
    pub history_index: Option<u32>,
    /// Build arguments the history recorded for this step (`|2 A=1 B=2 /bin/sh -c …`).
    pub build_args: Vec<(String, String)>,
    /// The arguments with `ARG`/`ENV` variables substituted.
    pub expanded: String,
    /// `ENV`/`ARG`/`LABEL` pairs with their values substituted.
    pub values: Vec<Pair>,
    /// Variables the rules read from a step's environment (`PIP_NO_CACHE_DIR`), as set when it runs.
    pub env: Vec<(String, String)>,
}

/// A heredoc attached to an instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Heredoc {
    /// The delimiter word.
    pub name: String,
    /// The body, without the delimiter line.
    pub body: String,
}

/// A build stage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stage {
    /// The base image, after substitution of global `ARG`s.
    pub base: String,
    /// The `AS` name, lower-case.
    pub name: Option<String>,
    /// Index of the `FROM` instruction.
    pub from: usize,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    /// The instructions in order.
    pub instructions: Vec<Instruction>,
    /// The stages in order.
    pub stages: Vec<Stage>,
    /// Parser directives (`syntax`, `escape`, `check`), lower-case keys.
    pub directives: Vec<(String, String)>,
    /// Lines that are not instructions, with the reason.
    pub errors: Vec<(u32, String)>,
}

/// Instructions the Dockerfile reference defines.
pub const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

impl Instruction {
    /// A flag's value (`--platform=linux/amd64` → `linux/amd64`).
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The exec-form arguments (`["a", "b"]`), when the instruction uses that form.
    pub fn exec_form(&self) -> Option<Vec<String>> {
        let text = self.args.trim();
        if !text.starts_with('[') {
            return None;
        }
        serde_json::from_str::<Vec<String>>(text).ok()
    }

    /// The shell script a `RUN` executes: its heredocs when it names one as the
    /// script, else its argument (exec form joined by spaces).
    pub fn script(&self) -> String {
        if let Some(argv) = self.exec_form() {
            return shell_join(&argv);
        }
        let first = self.args.trim_start();
        match self.heredocs.first() {
            // `RUN <<EOF` (the heredoc is the script) or `RUN bash <<EOF` (stdin of a shell).
            Some(doc) if first.starts_with("<<") || is_shell_reading_stdin(first) => {
                let mut script = doc.body.clone();
                for doc in &self.heredocs[1..] {
                    script.push('\n');
                    script.push_str(&doc.body);
                }
                script
            }
            _ => self.args.clone(),
        }
    }

    /// `KEY=value` pairs of `ENV`, `ARG` and `LABEL` (also the legacy `ENV KEY value`),
    /// unquoted. An `ARG` without a default gives an empty value and `false` for `has_value`.
    pub fn pairs(&self) -> Vec<Pair> {
        let words = words(&self.args);
        if self.keyword == "ENV" && words.first().is_some_and(|w| !w.raw.contains('=')) {
            // Legacy form: the first word is the name, the rest of the line the value.
            let name = words[0].text.clone();
            let rest = self.args.trim_start()[words[0].raw.len()..].trim();
            return vec![Pair { name, value: unquote(rest), has_value: true }];
        }
        words
            .into_iter()
            .map(|w| match w.text.split_once('=') {
                Some((name, value)) => Pair { name: name.to_owned(), value: value.to_owned(), has_value: true },
                None => Pair { name: w.text, value: String::new(), has_value: false },
            })
            .collect()
    }

    /// The source and destination words of `COPY`/`ADD` (exec or shell form).
    pub fn copy_paths(&self) -> Vec<String> {
        match self.exec_form() {
            Some(argv) => argv,
            None => words(&self.args).into_iter().map(|w| w.text).collect(),
        }
    }

    /// The text to show as evidence: the instruction, one line, bounded.
    pub fn display(&self) -> String {
        let mut text = self.keyword.clone();
        for (name, value) in &self.flags {
            text.push_str(" --");
            text.push_str(name);
            if !value.is_empty() {
                text.push('=');
                text.push_str(value);
            }
        }
        if !self.args.is_empty() {
            text.push(' ');
            text.push_str(&collapse_spaces(&self.args));
        }
        bounded(&text, 240)
    }
}

/// One `KEY=value` of an `ENV`/`ARG`/`LABEL`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The name.
    pub name: String,
    /// The value, unquoted.
    pub value: String,
    /// False for an `ARG NAME` without a default.
    pub has_value: bool,
}

fn is_shell_reading_stdin(args: &str) -> bool {
    let mut words = args.split_whitespace();
    let first = words.next().unwrap_or_default();
    let shell = first.rsplit('/').next().unwrap_or(first);
    matches!(shell, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh") && args.contains("<<")
}

fn shell_join(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) || a.contains('\'') {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters of `text`, with `…` when cut.
pub fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A word of an instruction's arguments: its raw text and its unquoted value.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// As written.
    pub raw: String,
    /// With quotes removed and backslash escapes applied.
    pub text: String,
}

/// Split arguments into words the way BuildKit splits `ENV`/`ARG`/`COPY`:
/// whitespace separates, quotes group, a backslash escapes.
pub fn words(args: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut chars = args.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut text = String::new();
        let mut end = start;
        let mut quote: Option<char> = None;
        while let Some(&(at, c)) = chars.peek() {
            if quote.is_none() && c.is_whitespace() {
                break;
            }
            chars.next();
            end = at + c.len_utf8();
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (q, '\\') if q != Some('\'') => {
                    if let Some(&(at, next)) = chars.peek() {
                        chars.next();
                        end = at + next.len_utf8();
                        text.push(next);
                    }
                }
                (_, c) => text.push(c),
            }
        }
        out.push(Word { raw: args[start..end].to_owned(), text });
    }
    out
}

fn unquote(text: &str) -> String {
    let joined: Vec<String> = words(text).into_iter().map(|w| w.text).collect();
    if joined.len() == 1 { joined.into_iter().next().unwrap_or_default() } else { text.to_owned() }
}

/// Variables a RUN step's environment is checked for.
pub const TRACKED_ENV: &[&str] = &["PIP_NO_CACHE_DIR"];

/// How much longer than its source a substituted text may grow: values that
/// refer to each other cannot blow up memory.
const MAX_GROWTH: usize = 4096;

/// Substitute `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alt}` from
/// `vars`; unknown names are left as written.
pub fn substitute(text: &str, vars: &HashMap<String, String>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'$') {
            out.push_str(&text[last..i]);
            out.push('$');
            i += 2;
            last = i;
            continue;
        }
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let (replacement, next) = if bytes.get(i + 1) == Some(&b'{') {
            match text[i + 2..].find('}') {
                Some(close) => {
                    let inner = &text[i + 2..i + 2 + close];
                    (expand_braced(inner, vars), i + 3 + close)
                }
                None => (None, i + 1),
            }
        } else {
            let name_len = text[i + 1..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
            if name_len == 0 {
                (None, i + 1)
            } else {
                (vars.get(&text[i + 1..i + 1 + name_len]).cloned(), i + 1 + name_len)
            }
        };
        if let Some(value) = replacement
            && out.len() + value.len() <= text.len() + MAX_GROWTH
        {
            out.push_str(&text[last..i]);
            out.push_str(&value);
            last = next;
        }
        i = next;
    }
    out.push_str(&text[last..]);
    out
}

fn expand_braced(inner: &str, vars: &HashMap<String, String>) -> Option<String> {
    if let Some((name, default)) = inner.split_once(":-") {
        return Some(vars.get(name).filter(|v| !v.is_empty()).cloned().unwrap_or_else(|| default.to_owned()));
    }
    if let Some((name, alt)) = inner.split_once(":+") {
        return Some(if vars.get(name).is_some_and(|v| !v.is_empty()) { alt.to_owned() } else { String::new() });
    }
    vars.get(inner).cloned()
}

/// Most instructions read from one Dockerfile (real ones have a few hundred);
/// the rest is reported as not linted.
pub const MAX_INSTRUCTIONS: usize = 10_000;
/// Most variables tracked per scope, so a hostile file cannot make every
/// instruction copy a huge map.
const MAX_VARIABLES: usize = 512;

fn set_variable(scope: &mut HashMap<String, String>, name: String, value: String) {
    if scope.len() < MAX_VARIABLES || scope.contains_key(&name) {
        scope.insert(name, value);
    }
}

/// Parse a Dockerfile. Never fails: lines it cannot read are listed in `errors`.
pub fn parse(text: &str) -> Dockerfile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut file = Dockerfile::default();
    let mut escape = '\\';
    let mut i = 0;

    // Parser directives: `# key=value` lines at the very top.
    while i < lines.len() {
        let Some(rest) = lines[i].trim().strip_prefix('#') else { break };
        let Some((key, value)) = rest.split_once('=') else { break };
        let key = key.trim().to_ascii_lowercase();
        if !matches!(key.as_str(), "syntax" | "escape" | "check") || key.contains(char::is_whitespace) {
            break;
        }
        if key == "escape" && value.trim() == "`" {
            escape = '`';
        }
        file.directives.push((key, value.trim().to_owned()));
        i += 1;
    }

    let mut ignored: Vec<String> = Vec::new();
    let mut globals: HashMap<String, String> = HashMap::new();
    let mut scope: HashMap<String, String> = HashMap::new();
    let mut stage = 0usize;
    let mut seen_from = false;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            i += 1;
            continue;
        }
        if file.instructions.len() >= MAX_INSTRUCTIONS {
            file.errors
                .push((i as u32 + 1, format!("more than {MAX_INSTRUCTIONS} instructions; the rest is not linted")));
            break;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            if let Some(ids) = comment.trim().strip_prefix("bosun ignore=") {
                ignored.extend(ids.split(',').map(|id| id.trim().to_ascii_uppercase()).filter(|id| !id.is_empty()));
            }
            i += 1;
            continue;
        }
        // Join continuation lines; comment lines inside a continuation are dropped.
        let start = i;
        let mut logical = String::new();
        let mut current = line;
        loop {
            let content = current.trim_end();
            match content.strip_suffix(escape) {
                Some(head) if i + 1 < lines.len() => {
                    logical.push_str(head);
                    i += 1;
                    // Comment lines and empty lines inside a continuation are skipped (BuildKit warns).
                    while i + 1 < lines.len() && (lines[i].trim_start().starts_with('#') || lines[i].trim().is_empty())
                    {
                        i += 1;
                    }
                    current = lines[i];
                }
                _ => {
                    logical.push_str(current);
                    break;
                }
            }
        }
        let end = i;
        i += 1;

        let logical = logical.trim();
        let (keyword, rest) = match logical.split_once(char::is_whitespace) {
            Some((k, r)) => (k, r.trim_start()),
            None => (logical, ""),
        };
        let keyword = keyword.to_ascii_uppercase();
        if !KEYWORDS.contains(&keyword.as_str()) {
            file.errors.push((start as u32 + 1, format!("unknown instruction `{}`", bounded(&keyword, 40))));
            ignored.clear();
            continue;
        }
        let (flags, args) = split_flags(rest);
        let mut instruction = Instruction {
            keyword,
            flags,
            args: args.to_owned(),
            line: start as u32 + 1,
            end_line: end as u32 + 1,
            ignored: std::mem::take(&mut ignored),
            ..Instruction::default()
        };

        // Heredocs: `<<EOF`, `<<-EOF`, `<<"EOF"` on RUN, COPY and ADD.
        if matches!(instruction.keyword.as_str(), "RUN" | "COPY" | "ADD") {
            for (name, strip_tabs) in heredoc_markers(&instruction.args) {
                let mut body = Vec::new();
                let mut closed = false;
                while i < lines.len() {
                    let candidate = if strip_tabs { lines[i].trim_start_matches('\t') } else { lines[i] };
                    i += 1;
                    if candidate == name {
                        closed = true;
                        break;
                    }
                    body.push(candidate);
                }
                if !closed {
                    file.errors.push((instruction.line, format!("heredoc `{name}` is never closed")));
                }
                instruction.end_line = i as u32;
                instruction.heredocs.push(Heredoc { name, body: body.join("\n") });
            }
        }

        let vars = if seen_from && instruction.keyword != "FROM" { &scope } else { &globals };
        instruction.expanded = substitute(&instruction.args, vars);
        match instruction.keyword.as_str() {
            "FROM" => {
                if seen_from {
                    stage += 1;
                }
                seen_from = true;
                scope = HashMap::new();
                let parts: Vec<Word> = words(&instruction.args);
                let base = parts.first().map(|w| substitute(&w.text, &globals)).unwrap_or_default();
                let name = match parts.as_slice() {
                    [_, kw, name, ..] if kw.text.eq_ignore_ascii_case("as") => Some(name.text.to_ascii_lowercase()),
                    _ => None,
                };
                file.stages.push(Stage { base, name, from: file.instructions.len() });
            }
            "ARG" => {
                for pair in instruction.pairs() {
                    let value = if pair.has_value {
                        substitute(&pair.value, if seen_from { &scope } else { &globals })
                    } else if seen_from {
                        // Re-declaring a global ARG in a stage brings its default in.
                        globals.get(&pair.name).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    };
                    instruction.values.push(Pair { value: value.clone(), ..pair.clone() });
                    set_variable(if seen_from { &mut scope } else { &mut globals }, pair.name, value);
                }
            }
            "ENV" | "LABEL" => {
                for pair in instruction.pairs() {
                    let value = substitute(&pair.value, &scope);
                    instruction.values.push(Pair { value: value.clone(), ..pair.clone() });
                    if instruction.keyword == "ENV" {
                        set_variable(&mut scope, pair.name, value);
                    }
                }
            }
            "RUN" => {
                instruction.env = TRACKED_ENV
                    .iter()
                    .filter_map(|name| scope.get(*name).map(|v| ((*name).to_owned(), v.clone())))
                    .collect();
            }
            _ => {}
        }
        instruction.stage = stage;
        file.instructions.push(instruction);
    }
    if !seen_from && !file.instructions.is_empty() {
        file.errors.push((file.instructions[0].line, "no FROM instruction: not a Dockerfile".to_owned()));
    }
    file
}

/// Split leading `--flag[=value]` words off an instruction's arguments.
pub fn split_flags(mut rest: &str) -> (Vec<(String, String)>, &str) {
    let mut flags = Vec::new();
    while let Some(flag) = rest.strip_prefix("--") {
        let end = flag.find(char::is_whitespace).unwrap_or(flag.len());
        let word = &flag[..end];
        if word.is_empty() {
            break;
        }
        let (name, value) = word.split_once('=').unwrap_or((word, ""));
        flags.push((name.to_ascii_lowercase(), value.trim_matches('"').to_owned()));
        rest = flag[end..].trim_start();
    }
    (flags, rest)
}

/// The heredoc delimiters an instruction's arguments open, in order: shell
/// words that start with `<<` (not `<<<`), so `sed 's/<<X>>/y/'` and
/// `$((1<<20))` open none.
fn heredoc_markers(args: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for word in words(args) {
        let Some(mut tail) = word.raw.strip_prefix("<<") else { continue };
        if tail.starts_with('<') {
            continue;
        }
        let strip_tabs = tail.starts_with('-');
        if strip_tabs {
            tail = &tail[1..];
        }
        let name: String = tail
            .chars()
            .filter(|c| !matches!(c, '"' | '\''))
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
            .collect();
        if !name.is_empty() {
            out.push((name, strip_tabs));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_escape_directive() {
        let text =
            "# escape=`\nFROM mcr.microsoft.com/windows AS base\nRUN dir `\n  # a comment inside\n  c:\\ `\n  /s\n";
        let file = parse(text);
        assert_eq!(file.directives, vec![("escape".into(), "`".into())]);
        assert_eq!(file.instructions.len(), 2);
        let run = &file.instructions[1];
        assert_eq!((run.line, run.end_line), (3, 6));
        assert_eq!(run.args.split_whitespace().collect::<Vec<_>>(), ["dir", "c:\\", "/s"]);
        assert_eq!(file.stages[0].name.as_deref(), Some("base"));
    }

    #[test]
    fn flags_exec_form_and_heredocs() {
        let text = "FROM --platform=linux/amd64 alpine:3.19\nRUN --mount=type=cache,target=/var/cache/apk <<EOF\napk add curl\ncurl -k https://x | sh\nEOF\nCMD [\"sh\", \"-c\", \"echo hi\"]\nCOPY <<-EOT /etc/motd\n\thello\n\tEOT\n";
        let file = parse(text);
        let from = &file.instructions[0];
        assert_eq!(from.flag("platform"), Some("linux/amd64"));
        assert_eq!(from.args, "alpine:3.19");
        let run = &file.instructions[1];
        assert_eq!(run.flag("mount"), Some("type=cache,target=/var/cache/apk"));
        assert_eq!(run.script(), "apk add curl\ncurl -k https://x | sh");
        assert_eq!((run.line, run.end_line), (2, 5));
        let cmd = &file.instructions[2];
        assert_eq!(cmd.exec_form().unwrap(), ["sh", "-c", "echo hi"]);
        assert_eq!(cmd.line, 6);
        let copy = &file.instructions[3];
        assert_eq!(copy.heredocs[0].body, "hello");
        assert!(file.errors.is_empty(), "{:?}", file.errors);
    }

    #[test]
    fn env_arg_pairs_and_substitution() {
        let text = "ARG BASE=debian\nARG TAG\nFROM ${BASE}:${TAG:-bookworm} AS build\nARG BASE\nENV A=1 B=\"two words\" C=${BASE}-x\nENV LEGACY some value\nFROM build\n";
        let file = parse(text);
        assert_eq!(file.stages[0].base, "debian:bookworm");
        assert_eq!(file.stages[1].base, "build");
        let env = &file.instructions[4];
        let pairs = env.pairs();
        assert_eq!(pairs[1].value, "two words");
        assert_eq!(env.values[2].value, "debian-x");
        let legacy = file.instructions[5].pairs();
        assert_eq!((legacy[0].name.as_str(), legacy[0].value.as_str()), ("LEGACY", "some value"));
        assert_eq!(file.instructions[6].stage, 1);
    }

    #[test]
    fn variables_that_refer_to_each_other_stay_bounded() {
        let mut text = String::from("FROM a:1\nENV V0=xxxxxxxxxxxxxxxx\n");
        for i in 1..2000 {
            text.push_str(&format!("ENV V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
        }
        let file = parse(&text);
        let total: usize = file
            .instructions
            .iter()
            .map(|i| i.expanded.len() + i.values.iter().map(|p| p.value.len()).sum::<usize>())
            .sum();
        assert!(total < 2000 * 3 * (MAX_GROWTH + 64), "{total}");
    }

    #[test]
    fn real_world_oddities() {
        // A BOM, an empty line inside a continuation, `<<` that is not a heredoc.
        let text = "\u{feff}FROM alpine:3.20\nRUN apt-get update && \\\n\n    apt-get install -y x\nRUN sed -i 's/<<PORT>>/8080/' a.conf && echo $((1<<20))\nUSER app\n";
        let file = parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let keywords: Vec<&str> = file.instructions.iter().map(|i| i.keyword.as_str()).collect();
        assert_eq!(keywords, ["FROM", "RUN", "RUN", "USER"]);
        assert!(file.instructions[1].args.contains("apt-get install"));
        assert!(file.instructions[2].heredocs.is_empty());
        let exec = Instruction { args: r#"["sh","-c","echo 'a b' && curl -k u"]"#.into(), ..Instruction::default() };
        assert!(crate::shell::commands(&exec.script()).iter().any(|c| c.program() == "curl"));
    }

    #[test]
    fn inline_ignores_apply_to_the_next_instruction_only() {
        let file = parse("FROM alpine\n# bosun ignore=BSN-020, bsn-010\n\nRUN curl -k x | sh\nRUN true\n");
        assert_eq!(file.instructions[1].ignored, ["BSN-020", "BSN-010"]);
        assert!(file.instructions[2].ignored.is_empty());
    }

    #[test]
    fn unknown_instructions_are_reported_not_fatal() {
        let file = parse("FROM alpine\nRUNN x\nUSER app\n");
        assert_eq!(file.errors.len(), 1);
        assert_eq!(file.instructions.len(), 2);
    }
}
