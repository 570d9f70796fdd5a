//! Image history back into Dockerfile instructions. Builders record a step in
//! different shapes:
//!
//! - classic Docker and buildah: `/bin/sh -c #(nop)  ENV A=b`, `/bin/sh -c #(nop) COPY file:… in /dst `,
//!   a `RUN` as `/bin/sh -c apt-get …`, with build args `|2 A=1 B=2 /bin/sh -c …`;
//! - BuildKit: `RUN /bin/sh -c apt-get … # buildkit`, `RUN |1 A=1 /bin/sh -c …`, `ENV A=b`,
//!   `EXPOSE map[22/tcp:{}]`, `COPY . . # buildkit`;
//! - kaniko and others: the instruction as written, `RUN apt-get update`;
//! - Windows: `cmd /S /C …`, `powershell -Command …`.

use crate::dockerfile::{Instruction, KEYWORDS, split_flags};

/// The instruction a history entry records, or `None` when it is not one
/// (empty, or a tool's own note such as `bazel build …`).
pub fn instruction(created_by: &str, index: u32) -> Option<Instruction> {
    let mut text = created_by.trim();
    text = text.strip_suffix("# buildkit").unwrap_or(text).trim_end();
    if text.is_empty() {
        return None;
    }
    let (keyword, rest) = if let Some(rest) = strip_nop(text) {
        let rest = rest.trim_start();
        let (keyword, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        (keyword.to_ascii_uppercase(), args.trim().to_owned())
    } else if text.starts_with('|') || shell_prefix(text).is_some() {
        ("RUN".to_owned(), text.to_owned())
    } else {
        let (keyword, args) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        if !keyword.bytes().all(|b| b.is_ascii_uppercase()) || !KEYWORDS.contains(&keyword) {
            return None;
        }
        (keyword.to_owned(), args.trim().to_owned())
    };
    if !KEYWORDS.contains(&keyword.as_str()) {
        return None;
    }
    let mut instruction = Instruction { keyword, history_index: Some(index), ..Instruction::default() };
    if instruction.keyword == "RUN" {
        let (flags, rest) = split_flags(&rest);
        instruction.flags = flags;
        let (build_args, rest) = build_args(rest);
        instruction.build_args = build_args;
        instruction.args = match shell_prefix(rest) {
            Some(script) => script.to_owned(),
            None => rest.to_owned(),
        };
    } else {
        let (flags, rest) = split_flags(&rest);
        instruction.flags = flags;
        instruction.args = rest.to_owned();
    }
    if instruction.keyword == "EXPOSE" {
        instruction.args = go_map_keys(&instruction.args);
    }
    Some(instruction)
}

/// `/bin/sh -c #(nop) REST` → `REST`.
fn strip_nop(text: &str) -> Option<&str> {
    let rest = shell_prefix(text)?;
    rest.trim_start().strip_prefix("#(nop)")
}

/// The script after a shell prefix: `/bin/sh -c X`, `/bin/bash -o pipefail -c X`,
/// `cmd /S /C X`, `powershell -Command X`.
fn shell_prefix(text: &str) -> Option<&str> {
    let mut rest = text;
    let first = rest.split_whitespace().next()?;
    let program = first.rsplit(['/', '\\']).next().unwrap_or(first).to_ascii_lowercase();
    let program = program.trim_end_matches(".exe");
    rest = rest[first.len()..].trim_start();
    match program {
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" => {
            // Options up to and including `-c` (`-e -u -o pipefail -c`, `-ec`).
            loop {
                let word = rest.split_whitespace().next()?;
                rest = rest[word.len()..].trim_start();
                if word.starts_with('-') && !word.starts_with("--") && word.ends_with('c') {
                    return Some(rest);
                }
                if !(word.starts_with('-') || word == "pipefail" || word == "errexit" || word == "nounset") {
                    return None;
                }
            }
        }
        "cmd" => loop {
            let word = rest.split_whitespace().next()?;
            rest = rest[word.len()..].trim_start();
            if word.eq_ignore_ascii_case("/c") {
                return Some(rest);
            }
            if !word.starts_with('/') {
                return None;
            }
        },
        "powershell" | "pwsh" => loop {
            let word = rest.split_whitespace().next()?;
            rest = rest[word.len()..].trim_start();
            if word.eq_ignore_ascii_case("-command") || word.eq_ignore_ascii_case("-c") {
                return Some(rest);
            }
            if !word.starts_with('-') && !word.starts_with('$') {
                return None;
            }
        },
        _ => None,
    }
}

/// `|2 A=1 B=2 rest` → (`[(A, 1), (B, 2)]`, `rest`). The count says how many
/// words are build arguments; values never contain spaces in this notation.
fn build_args(text: &str) -> (Vec<(String, String)>, &str) {
    let Some(rest) = text.strip_prefix('|') else { return (Vec::new(), text) };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Ok(count) = rest[..digits].parse::<usize>() else { return (Vec::new(), text) };
    let mut rest = rest[digits..].trim_start();
    let mut args = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        let Some(word) = rest.split_whitespace().next() else { break };
        if let Some((name, value)) = word.split_once('=') {
            args.push((name.to_owned(), value.to_owned()));
        }
        rest = rest[word.len()..].trim_start();
    }
    (args, rest)
}

/// `map[22/tcp:{} 80/tcp:{}]` → `22/tcp 80/tcp`; other text unchanged.
fn go_map_keys(text: &str) -> String {
    match text.strip_prefix("map[").and_then(|t| t.strip_suffix(']')) {
        Some(inner) => {
            inner.split_whitespace().map(|entry| entry.trim_end_matches(":{}")).collect::<Vec<_>>().join(" ")
        }
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(created_by: &str) -> (String, String, Vec<(String, String)>) {
        let i = instruction(created_by, 0).expect(created_by);
        (i.keyword, i.args, i.build_args)
    }

    #[test]
    fn classic_and_buildah_steps() {
        assert_eq!(parts("/bin/sh -c #(nop)  ENV GPG_KEY=ABC").0, "ENV");
        assert_eq!(parts("/bin/sh -c #(nop)  ENV GPG_KEY=ABC").1, "GPG_KEY=ABC");
        assert_eq!(parts("/bin/sh -c #(nop) ADD file:0c45 in / ").1, "file:0c45 in /");
        assert_eq!(parts("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]").1, "[\"/bin/sh\"]");
        assert_eq!(parts("/bin/sh -c rm /root/.ssh/id_rsa && chmod 600 x").1, "rm /root/.ssh/id_rsa && chmod 600 x");
        let (k, args, build) = parts("|2 TOKEN=abc VERSION=1 /bin/sh -c curl -H \"x: $TOKEN\" u");
        assert_eq!(k, "RUN");
        assert_eq!(args, "curl -H \"x: $TOKEN\" u");
        assert_eq!(build, vec![("TOKEN".into(), "abc".into()), ("VERSION".into(), "1".into())]);
        assert_eq!(parts("/bin/sh -c #(nop)  MAINTAINER Jane").0, "MAINTAINER");
        // A count larger than the words there are ends with the words.
        assert_eq!(parts("|4294967295 A=1 /bin/sh -c x").2.len(), 1);
    }

    #[test]
    fn buildkit_kaniko_and_windows_steps() {
        assert_eq!(parts("RUN /bin/sh -c apt-get update # buildkit").1, "apt-get update");
        let (_, args, build) = parts("RUN |1 NPM_TOKEN=x /bin/sh -c npm ci # buildkit");
        assert_eq!((args.as_str(), build.len()), ("npm ci", 1));
        assert_eq!(parts("RUN /bin/bash -o pipefail -c curl -k u | sh # buildkit").1, "curl -k u | sh");
        assert_eq!(parts("EXPOSE map[22/tcp:{} 8080/tcp:{}]").1, "22/tcp 8080/tcp");
        assert_eq!(parts("COPY . . # buildkit").1, ". .");
        assert_eq!(parts("USER app").0, "USER");
        assert_eq!(parts("RUN apt-get update").1, "apt-get update");
        let copy = instruction("COPY --chown=app:app .env /app/ # buildkit", 3).unwrap();
        assert_eq!(copy.flag("chown"), Some("app:app"));
        assert_eq!(copy.history_index, Some(3));
        assert_eq!(parts("cmd /S /C powershell iwr https://x").1, "powershell iwr https://x");
    }

    #[test]
    fn other_notes_are_not_instructions() {
        assert!(instruction("", 0).is_none());
        assert!(instruction("bazel build //x:image", 0).is_none());
        assert!(instruction("apko", 0).is_none());
        assert!(instruction("Run something", 0).is_none());
    }
}
