//! A POSIX-shell tokenizer for `RUN` scripts: enough of the grammar to see
//! each simple command with its arguments — quotes, escapes, `&&`, `||`, `;`,
//! `|`, `&`, newlines, subshells and groups, redirections, comments, compound
//! keywords, `VAR=value` prefixes, and `sh -c '…'` scripts, parsed in turn.

/// One simple command.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Command {
    /// The words, unquoted. Wrappers (`sudo`, `env`, `nice`, `exec`, …) are kept.
    pub argv: Vec<String>,
    /// `NAME=value` words before the command name.
    pub assigns: Vec<(String, String)>,
    /// Index of the command whose output is piped into this one.
    pub piped_from: Option<usize>,
    /// Words that were (or held) command substitutions: `$(curl …)`, `<(wget …)`.
    pub substitutions: Vec<String>,
}

impl Command {
    /// The program name: the basename of the first word after wrappers.
    pub fn program(&self) -> &str {
        self.effective().first().map(|w| w.rsplit('/').next().unwrap_or(w)).unwrap_or_default()
    }

    /// The words after wrappers such as `sudo -E`, `env A=B`, `nice -n 5`, `exec`.
    pub fn effective(&self) -> &[String] {
        let mut argv = self.argv.as_slice();
        loop {
            let Some(first) = argv.first() else { return argv };
            let name = first.rsplit('/').next().unwrap_or(first);
            let skip_options = |argv: &[String], with_value: &[&str]| {
                let mut i = 1;
                while i < argv.len() && argv[i].starts_with('-') {
                    i += if with_value.contains(&argv[i].as_str()) { 2 } else { 1 };
                }
                i
            };
            let next = match name {
                "sudo" => skip_options(argv, &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"]),
                "env" => {
                    let mut i = skip_options(argv, &["-u", "-C", "-S"]);
                    while i < argv.len() && is_assignment(&argv[i]) {
                        i += 1;
                    }
                    i
                }
                "nice" => skip_options(argv, &["-n"]),
                "exec" | "command" | "time" | "nohup" | "builtin" => skip_options(argv, &[]),
                "xargs" => skip_options(argv, &["-I", "-n", "-P", "-d", "-E", "-L", "-s", "-a"]),
                _ => return argv,
            };
            if next >= argv.len() {
                return &argv[argv.len()..];
            }
            argv = &argv[next..];
        }
    }

    /// The arguments after the program.
    pub fn args(&self) -> &[String] {
        self.effective().get(1..).unwrap_or_default()
    }

    /// True when an argument equals one of `options` (`--insecure`) or starts
    /// with `option=`.
    pub fn has_option(&self, options: &[&str]) -> bool {
        self.args().iter().any(|a| {
            options
                .iter()
                .any(|o| a == o || (o.starts_with("--") && a.strip_prefix(o).is_some_and(|r| r.starts_with('='))))
        })
    }

    /// The first argument that is neither an option nor an option's value (a
    /// subcommand such as `install` in `apt-get -t bookworm-backports install`).
    pub fn subcommand(&self) -> Option<&str> {
        let mut args = self.args().iter();
        while let Some(arg) = args.next() {
            if OPTIONS_WITH_VALUE.contains(&arg.as_str()) {
                args.next();
            } else if !arg.starts_with('-') {
                return Some(arg);
            }
        }
        None
    }

    /// The script an interpreter runs from its arguments (`-c SCRIPT`, `-e SCRIPT`,
    /// or a script file), `None` when it reads the script from standard input.
    pub fn script_argument(&self) -> Option<&str> {
        let mut args = self.args().iter();
        while let Some(arg) = args.next() {
            let cluster = arg.strip_prefix('-').filter(|c| !c.starts_with('-'));
            match cluster {
                Some(c) if c.ends_with('c') || c.ends_with('e') || c == "m" => return args.next().map(String::as_str),
                Some(_) => {}
                None if arg == "-" || arg.starts_with("--") => {}
                None => return Some(arg),
            }
        }
        None
    }
}

/// Options of package managers that take the next word as their value.
const OPTIONS_WITH_VALUE: &[&str] = &[
    "-t",
    "-o",
    "-c",
    "-C",
    "-X",
    "--option",
    "--target-release",
    "--config-file",
    "--repository",
    "--root",
    "--installroot",
];

/// True for `NAME=value`.
pub fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit()
        }
        None => false,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word {
        text: String,
        substitutions: Vec<String>,
    },
    /// `&&`, `||`, `;`, `&`, newline, `(`, `)`.
    Separator,
    Pipe,
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"];
const KEYWORD_PREFIXES: &[&str] = &["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}"];
const KEYWORD_ENDS: &[&str] = &["fi", "done", "esac", "}", ";;"];

/// Split a script into simple commands. `sh -c 'script'` adds the commands of
/// its script after itself (depth-limited).
pub fn commands(script: &str) -> Vec<Command> {
    let mut out = Vec::new();
    parse_into(script, 0, &mut out);
    out
}

fn parse_into(script: &str, depth: usize, out: &mut Vec<Command>) {
    let mut current = Command::default();
    // The command whose output feeds the one being read, when a `|` came before it.
    let mut pipe_source: Option<usize> = None;
    let finish = |current: &mut Command, piped_next: bool, pipe_source: &mut Option<usize>, out: &mut Vec<Command>| {
        let mut command = std::mem::take(current);
        // Strip compound-command keywords (`if`, `then`, `do`, …) from the front.
        while command.argv.first().is_some_and(|w| KEYWORD_PREFIXES.contains(&w.as_str())) {
            command.argv.remove(0);
        }
        let keep = !command.argv.is_empty()
            && !KEYWORD_ENDS.contains(&command.argv[0].as_str())
            && !matches!(command.argv[0].as_str(), "for" | "case" | "select" | "function");
        let mut pushed = None;
        if keep || !command.assigns.is_empty() {
            command.piped_from = pipe_source.take();
            let inner = shell_c_script(&command).map(str::to_owned);
            pushed = Some(out.len());
            out.push(command);
            if let Some(inner) = inner
                && depth < 4
            {
                parse_into(&inner, depth + 1, out);
            }
        }
        *pipe_source = if piped_next { pushed } else { None };
    };
    for token in tokenize(script) {
        match token {
            Token::Word { text, substitutions } => {
                if current.argv.is_empty() && is_assignment(&text) {
                    let (name, value) = text.split_once('=').unwrap_or_default();
                    current.assigns.push((name.to_owned(), value.to_owned()));
                } else {
                    current.argv.push(text);
                }
                for sub in substitutions {
                    if depth < 4 {
                        parse_into(sub.trim_start_matches(['$', '<', '>', '(']).trim_end_matches(')'), depth + 1, out);
                    }
                    current.substitutions.push(sub);
                }
            }
            Token::Separator => finish(&mut current, false, &mut pipe_source, out),
            Token::Pipe => finish(&mut current, true, &mut pipe_source, out),
        }
    }
    finish(&mut current, false, &mut pipe_source, out);
}

/// The script of `sh -c 'script'` / `bash -ec "…"`.
fn shell_c_script(command: &Command) -> Option<&str> {
    let argv = command.effective();
    let program = argv.first()?.rsplit('/').next()?;
    if !SHELLS.contains(&program) {
        return None;
    }
    let mut words = argv[1..].iter();
    if program == "busybox" {
        words.next(); // `busybox sh -c`
    }
    let mut saw_c = false;
    for word in words {
        if saw_c {
            return Some(word);
        }
        if word.starts_with('-') && !word.starts_with("--") && word.contains('c') {
            saw_c = true;
        } else if word == "-o" || word.starts_with("--") || word.starts_with('-') || word == "pipefail" {
            continue;
        } else {
            return None;
        }
    }
    None
}

fn tokenize(script: &str) -> Vec<Token> {
    let chars: Vec<char> = strip_here_documents(script).chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut word = String::new();
    let mut in_word = false;
    let mut subs: Vec<String> = Vec::new();
    let flush = |word: &mut String, in_word: &mut bool, subs: &mut Vec<String>, tokens: &mut Vec<Token>| {
        if *in_word {
            tokens.push(Token::Word { text: std::mem::take(word), substitutions: std::mem::take(subs) });
            *in_word = false;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => {
                flush(&mut word, &mut in_word, &mut subs, &mut tokens);
                i += 1;
            }
            '\\' if chars.get(i + 1) == Some(&'\n') => i += 2, // line continuation
            '\\' => {
                if let Some(&next) = chars.get(i + 1) {
                    word.push(next);
                }
                in_word = true;
                i += 2;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\n' | ';' | '(' | ')' => {
                flush(&mut word, &mut in_word, &mut subs, &mut tokens);
                tokens.push(Token::Separator);
                i += 1;
                if c == ';' && chars.get(i) == Some(&';') {
                    i += 1;
                }
            }
            '&' => {
                flush(&mut word, &mut in_word, &mut subs, &mut tokens);
                if chars.get(i + 1) == Some(&'>') {
                    // `&>file`: a redirection of both streams.
                    i = skip_redirect_target(&chars, i + 2);
                    continue;
                }
                tokens.push(Token::Separator);
                i += if chars.get(i + 1) == Some(&'&') { 2 } else { 1 };
            }
            '|' => {
                flush(&mut word, &mut in_word, &mut subs, &mut tokens);
                if chars.get(i + 1) == Some(&'|') {
                    tokens.push(Token::Separator);
                    i += 2;
                } else {
                    tokens.push(Token::Pipe);
                    i += if chars.get(i + 1) == Some(&'&') { 2 } else { 1 };
                }
            }
            '<' | '>' if chars.get(i + 1) == Some(&'(') => {
                // Process substitution `<(cmd)`.
                let end = matching_paren(&chars, i + 1);
                let text: String = chars[i..end].iter().collect();
                subs.push(text.clone());
                word.push_str(&text);
                in_word = true;
                i = end;
            }
            '<' | '>' => {
                // A redirection: drop it and its target. A word of digits just
                // before it (`2>`) is its file descriptor.
                if in_word && word.chars().all(|c| c.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                } else {
                    flush(&mut word, &mut in_word, &mut subs, &mut tokens);
                }
                i += 1;
                if c == '<' {
                    // `<<EOF`, `<<-EOF`, `<<<word`: the body was stripped before.
                    while matches!(chars.get(i), Some('<' | '-')) {
                        i += 1;
                    }
                }
                i = skip_redirect_target(&chars, i);
            }
            '\'' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    match chars[i] {
                        '\\' if matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`' | '\n')) => {
                            if chars[i + 1] != '\n' {
                                word.push(chars[i + 1]);
                            }
                            i += 2;
                        }
                        '$' | '`' if is_substitution(&chars, i) => {
                            i = take_substitution(&chars, i, &mut word, &mut subs)
                        }
                        c => {
                            word.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
            }
            '$' | '`' if is_substitution(&chars, i) => {
                i = take_substitution(&chars, i, &mut word, &mut subs);
                in_word = true;
            }
            '$' if chars.get(i + 1) == Some(&'{') => {
                let end = chars[i..].iter().position(|&c| c == '}').map_or(chars.len(), |p| i + p + 1);
                word.extend(&chars[i..end]);
                in_word = true;
                i = end;
            }
            '{' | '}' if !in_word && chars.get(i + 1).is_none_or(|c| c.is_whitespace() || *c == ';') => {
                tokens.push(Token::Separator);
                i += 1;
            }
            c => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    flush(&mut word, &mut in_word, &mut subs, &mut tokens);
    tokens
}

/// True at `$(` or a backquote.
fn is_substitution(chars: &[char], i: usize) -> bool {
    chars[i] == '`' || chars.get(i + 1) == Some(&'(')
}

/// Read a command substitution at `i` (`$(…)` or `` `…` ``) into `word`, note
/// it (as `$(…)`) in `subs`, and return the index after it.
fn take_substitution(chars: &[char], i: usize, word: &mut String, subs: &mut Vec<String>) -> usize {
    let end = if chars[i] == '`' {
        chars[i + 1..].iter().position(|&c| c == '`').map_or(chars.len(), |p| i + 2 + p)
    } else {
        matching_paren(chars, i + 1)
    };
    let text: String = chars[i..end].iter().collect();
    subs.push(if chars[i] == '`' { format!("$({})", text.trim_matches('`')) } else { text.clone() });
    word.push_str(&text);
    end
}

/// Index one past the `)` matching the `(` at `open`, honouring quotes and nesting.
fn matching_paren(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    let mut i = open;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => i += 1,
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// Skip `>`/`>>`/`>&`/`<` operators' remaining characters and the target word.
fn skip_redirect_target(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && matches!(chars[i], '>' | '&' | '|') {
        i += 1;
    }
    while i < chars.len() && matches!(chars[i], ' ' | '\t') {
        i += 1;
    }
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ' ' | '\t' | '\n' | ';' | '&' | '|' | ')' | '(' | '<' | '>') => break,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Remove the bodies of here-documents (`cat <<EOF … EOF`) so they are not
/// read as commands; the `<<EOF` stays and is skipped as a redirection.
fn strip_here_documents(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut pending: Vec<(String, bool)> = Vec::new();
    for line in script.split('\n') {
        if let Some((delimiter, strip_tabs)) = pending.first() {
            let candidate = if *strip_tabs { line.trim_start_matches('\t') } else { line };
            if candidate.trim_end() == delimiter {
                pending.remove(0);
            }
            out.push('\n');
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("<<") {
            let mut tail = &rest[at + 2..];
            if let Some(after) = tail.strip_prefix('<') {
                rest = after;
                continue;
            }
            let strip_tabs = tail.starts_with('-');
            tail = tail.trim_start_matches('-').trim_start();
            let name: String = tail
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | '>' | '<' | ')'))
                .filter(|c| !matches!(c, '\'' | '"' | '\\'))
                .collect();
            if !name.is_empty() {
                pending.push((name, strip_tabs));
            }
            rest = tail;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(script: &str) -> Vec<Vec<String>> {
        commands(script).into_iter().map(|c| c.argv).collect()
    }

    #[test]
    fn separators_quotes_and_redirections() {
        let got = argvs("apt-get update && apt-get install -y 'a b' \"c\\\"d\" >/dev/null 2>&1; echo x|tee y || true");
        assert_eq!(
            got,
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b", "c\"d"],
                vec!["echo", "x"],
                vec!["tee", "y"],
                vec!["true"],
            ]
        );
        let cmds = commands("curl -fsSL https://x.sh | sudo -E bash -");
        assert_eq!(cmds[1].piped_from, Some(0));
        assert_eq!(cmds[1].program(), "bash");
    }

    #[test]
    fn compound_commands_assignments_and_comments() {
        let cmds = commands(
            "set -e; if [ -f x ]; then\n  NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci # comment && rm -rf /\nfi\nfor f in a b; do chmod 777 $f; done",
        );
        let programs: Vec<&str> = cmds.iter().map(|c| c.program()).collect();
        assert_eq!(programs, ["set", "[", "npm", "chmod"]);
        assert_eq!(cmds[2].assigns, vec![("NODE_TLS_REJECT_UNAUTHORIZED".into(), "0".into())]);
    }

    #[test]
    fn sh_c_and_substitutions_are_parsed_too() {
        let cmds = commands("su -c 'x' && /bin/bash -o pipefail -c \"wget --no-check-certificate -qO- u | sh\"");
        assert!(cmds.iter().any(|c| c.program() == "wget" && c.has_option(&["--no-check-certificate"])));
        let sh = cmds.iter().find(|c| c.program() == "sh").unwrap();
        assert_eq!(cmds[sh.piped_from.unwrap()].program(), "wget");
        let cmds = commands("sh -c \"$(curl -fsSL https://get.example/install.sh)\"");
        assert!(cmds.iter().any(|c| c.program() == "curl"));
        assert_eq!(cmds.iter().find(|c| c.program() == "sh").unwrap().substitutions.len(), 1);
        let cmds = commands("bash <(curl -s https://x)");
        assert!(cmds.iter().any(|c| c.program() == "curl"));
    }

    #[test]
    fn wrappers_are_seen_through() {
        let c = &commands("sudo -u root env A=1 nice -n 5 apt-get -y install x")[0];
        assert_eq!(c.program(), "apt-get");
        assert_eq!(c.subcommand(), Some("install"));
        assert!(c.has_option(&["-y"]));
        let c = &commands("apt-get -t bookworm-backports -o Dpkg::Options::=--force-confold install -y x")[0];
        assert_eq!(c.subcommand(), Some("install"));
        assert_eq!(commands("python3 -c 'import json'")[0].script_argument(), Some("import json"));
        assert_eq!(commands("bash -s -- -y")[0].script_argument(), None);
        assert_eq!(commands("sh ./install.sh")[0].script_argument(), Some("./install.sh"));
        let c = &commands("pip install --trusted-host=pypi.internal x")[0];
        assert!(c.has_option(&["--trusted-host"]));
    }

    #[test]
    fn here_documents_in_scripts_are_skipped() {
        let got = argvs("cat <<EOF > /etc/x\nrm -rf /\nEOF\necho done <<< word");
        assert_eq!(got, vec![vec!["cat"], vec!["echo", "done"]]);
        let got = argvs("cat <<-'END' | sh\n\tcurl -k x\n\tEND\ntrue");
        assert_eq!(got, vec![vec!["cat"], vec!["sh"], vec!["true"]]);
    }
}
