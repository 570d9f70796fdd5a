//! Baseline checks on the files that decide who can log in and as whom:
//! `/etc/passwd`, `/etc/shadow`, `/etc/group`, `sshd_config`, sudoers, and
//! the mode bits of every file (setuid, setgid, world-writable).

use std::collections::BTreeMap;

/// A baseline problem at a line of a file (line 0: the file as a whole).
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Rule id.
    pub rule: &'static str,
    /// 1-based line, 0 for none.
    pub line: u32,
    /// What exactly, for the title.
    pub detail: String,
    /// The offending line with secrets masked.
    pub evidence: Option<String>,
    /// A severity other than the rule's default.
    pub severity: Option<bosun_plugin_sdk::Severity>,
}

fn issue(rule: &'static str, line: usize, detail: String, evidence: Option<String>) -> Issue {
    Issue { rule, line: line as u32, detail, evidence, severity: None }
}

const NO_LOGIN_SHELLS: &[&str] = &["/sbin/nologin", "/usr/sbin/nologin", "/bin/false", "/usr/bin/false", "/bin/sync"];

/// Lines of a colon-separated database, without comments and blanks: (line number, fields).
fn records(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| (i + 1, l.split(':').collect()))
}

/// `/etc/passwd`: empty password fields, hashes in a world-readable file,
/// extra UID 0 accounts, duplicate UIDs.
pub fn passwd(text: &str) -> Vec<Issue> {
    let mut out = Vec::new();
    let mut uids: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    for (line, fields) in records(text) {
        if fields.len() < 7 {
            continue;
        }
        let (name, password, uid, shell) = (fields[0], fields[1], fields[2], fields[6]);
        let login = !NO_LOGIN_SHELLS.contains(&shell.trim());
        if password.is_empty() {
            let mut found = issue(
                "BSN-040",
                line,
                format!(": {name} (empty password field in /etc/passwd)"),
                Some(format!("{name}::{uid}:…")),
            );
            if !login {
                found.severity = Some(bosun_plugin_sdk::Severity::Medium);
            }
            out.push(found);
        } else if !matches!(password, "x" | "*" | "!" | "!!" | "*LK*")
            && !password.starts_with('!')
            && !password.starts_with('*')
        {
            out.push(issue(
                "BSN-041",
                line,
                format!(": {name}"),
                Some(format!("{name}:{}:{uid}:…", mask_hash(password))),
            ));
        }
        if uid == "0" && name != "root" {
            out.push(issue("BSN-042", line, format!(": {name}"), Some(format!("{name}:x:0:…"))));
        }
        uids.entry(uid).or_default().push((line, name));
    }
    for (uid, users) in uids {
        // Extra UID 0 accounts are BSN-042 already.
        if users.len() > 1 && uid != "0" {
            let names: Vec<&str> = users.iter().map(|(_, n)| *n).collect();
            out.push(issue("BSN-043", users[1].0, format!(": UID {uid} is shared by {}", names.join(", ")), None));
        }
    }
    out
}

/// `/etc/shadow`: accounts whose password field is empty.
pub fn shadow(text: &str) -> Vec<Issue> {
    records(text)
        .filter(|(_, f)| f.len() >= 2 && f[1].is_empty())
        .map(|(line, f)| issue("BSN-040", line, format!(": {}", f[0]), Some(format!("{}::…", f[0]))))
        .collect()
}

/// `/etc/group`: duplicate GIDs.
pub fn group(text: &str) -> Vec<Issue> {
    let mut gids: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    for (line, fields) in records(text) {
        if fields.len() >= 3 {
            gids.entry(fields[2]).or_default().push((line, fields[0]));
        }
    }
    gids.into_iter()
        .filter(|(_, groups)| groups.len() > 1)
        .map(|(gid, groups)| {
            let names: Vec<&str> = groups.iter().map(|(_, n)| *n).collect();
            issue("BSN-043", groups[1].0, format!(": GID {gid} is shared by {}", names.join(", ")), None)
        })
        .collect()
}

fn mask_hash(hash: &str) -> String {
    match hash.rsplit_once('$') {
        Some((prefix, _)) => format!("{prefix}$****"),
        None => "****".to_owned(),
    }
}

/// `sshd_config`: the first value of each keyword counts (as in sshd), and
/// `Match` blocks are conditional, so only the global section is read.
pub fn sshd_config(text: &str) -> Vec<Issue> {
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = match line.split_once(|c: char| c.is_whitespace() || c == '=') {
            Some((k, v)) => {
                (k.to_ascii_lowercase(), v.trim_matches(|c: char| c.is_whitespace() || c == '=').to_ascii_lowercase())
            }
            None => continue,
        };
        if key == "match" {
            break;
        }
        if seen.contains(&key) {
            continue;
        }
        seen.push(key.clone());
        let evidence = Some(line.to_owned());
        match (key.as_str(), value.as_str()) {
            ("permitrootlogin", "yes") => out.push(issue("BSN-046", index + 1, String::new(), evidence)),
            ("passwordauthentication", "yes") => {
                out.push(issue("BSN-047", index + 1, ": PasswordAuthentication yes".into(), evidence))
            }
            ("permitemptypasswords", "yes") => {
                let mut found = issue("BSN-047", index + 1, ": PermitEmptyPasswords yes".into(), evidence);
                found.severity = Some(bosun_plugin_sdk::Severity::High);
                out.push(found);
            }
            _ => {}
        }
    }
    out
}

/// sudoers: a `NOPASSWD:` tag followed by `ALL` as the command.
pub fn sudoers(text: &str) -> Vec<Issue> {
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("Defaults") {
            continue;
        }
        let Some(at) = line.find("NOPASSWD:") else { continue };
        let commands = &line[at + "NOPASSWD:".len()..];
        let all = commands.split(',').any(|c| {
            let c = c.trim();
            let c = c.rsplit(':').next().unwrap_or(c).trim(); // later tags: `NOPASSWD: SETENV: ALL`
            c == "ALL"
        });
        if all {
            let who = line.split_whitespace().next().unwrap_or_default();
            out.push(issue("BSN-048", index + 1, format!(": {who}"), Some(line.to_owned())));
        }
    }
    out
}

/// Programs Debian, Ubuntu, Alpine, RHEL and SUSE install setuid or setgid
/// themselves; still reported (they are attack surface), at low severity.
const DISTRIBUTION_SETUID: &[&str] = &[
    "su",
    "sudo",
    "sudoedit",
    "passwd",
    "chsh",
    "chfn",
    "gpasswd",
    "newgrp",
    "newuidmap",
    "newgidmap",
    "chage",
    "expiry",
    "mount",
    "umount",
    "unix_chkpwd",
    "pam_timestamp_check",
    "ping",
    "ping6",
    "crontab",
    "wall",
    "write",
    "bsd-write",
    "ssh-agent",
    "ssh-keysign",
    "dotlockfile",
    "pkexec",
    "polkit-agent-helper-1",
    "fusermount",
    "fusermount3",
    "at",
    "mount.nfs",
    "userhelper",
    "Xorg.wrap",
    "dbus-daemon-launch-helper",
    "bbsuid",
    "mail-lock",
    "mail-unlock",
    "mail-touchlock",
    "chkpwd",
    "screen",
    "utempter",
    "traceroute6.iputils",
    "staprun",
    "locate",
    "plocate",
    "mlocate",
    "lockdev",
    "postdrop",
    "postqueue",
    "sendmail",
    "exim4",
    "procmail",
    "lppasswd",
];

/// Mode bits: setuid/setgid regular files, world-writable files, and
/// world-writable directories without the sticky bit.
pub fn mode(path: &str, mode: u32, directory: bool) -> Vec<Issue> {
    let mut out = Vec::new();
    let octal = format!("{:04o}", mode & 0o7777);
    if !directory && mode & 0o6000 != 0 {
        let bits = match (mode & 0o4000 != 0, mode & 0o2000 != 0) {
            (true, true) => "setuid and setgid",
            (true, false) => "setuid",
            _ => "setgid",
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut found = issue("BSN-044", 0, format!(": {path} ({bits}, mode {octal})"), None);
        if !DISTRIBUTION_SETUID.contains(&name) {
            // Not one a distribution ships setuid: someone chose to add it.
            found.detail.push_str(", not a program distributions ship setuid");
            found.severity = Some(bosun_plugin_sdk::Severity::Medium);
        }
        out.push(found);
    }
    let writable = mode & 0o002 != 0;
    if writable && (!directory || mode & 0o1000 == 0) {
        let what = if directory { "directory without the sticky bit" } else { "file" };
        out.push(issue("BSN-045", 0, format!(": {path} (world-writable {what}, mode {octal})"), None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(issues: &[Issue]) -> Vec<(&'static str, u32)> {
        issues.iter().map(|i| (i.rule, i.line)).collect()
    }

    #[test]
    fn passwd_shadow_and_group() {
        let passwd_text = "root:x:0:0:root:/root:/bin/sh\n# comment\ntoor:x:0:0::/root:/bin/sh\nweb::33:33::/var/www:/bin/sh\nold:$6$salt$hash:1000:1000::/home/old:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\n";
        let got = passwd(passwd_text);
        assert_eq!(rules(&got), [("BSN-042", 3), ("BSN-040", 4), ("BSN-041", 5)]);
        assert!(!got[2].evidence.as_ref().unwrap().contains("hash"), "hash is masked");
        let got = passwd("a:x:1000:1000::/home/a:/bin/sh\nb:x:1000:1000::/home/b:/bin/sh\n");
        assert_eq!(rules(&got), [("BSN-043", 2)]);
        // CVE-2019-5021: alpine images shipped `root:::0:::::`.
        assert_eq!(rules(&shadow("root:::0:::::\nbin:!::0:::::\nnobody:*:18000::::::\n")), [("BSN-040", 1)]);
        assert_eq!(rules(&group("root:x:0:\nwheel:x:10:root\nstaff:x:10:\n")), [("BSN-043", 3)]);
    }

    #[test]
    fn sshd_and_sudoers() {
        let got = sshd_config(
            "#PermitRootLogin yes\nPermitRootLogin yes\nPermitRootLogin no\nPasswordAuthentication=yes\nMatch User x\n  PermitEmptyPasswords yes\n",
        );
        assert_eq!(rules(&got), [("BSN-046", 2), ("BSN-047", 4)]);
        assert!(sshd_config("PermitRootLogin prohibit-password\nPasswordAuthentication no\n").is_empty());
        let got = sudoers(
            "Defaults env_reset\n%wheel ALL=(ALL) NOPASSWD: ALL\napp ALL=(root) NOPASSWD: /usr/bin/systemctl restart app\nci ALL=(ALL:ALL) NOPASSWD:SETENV: ALL\n",
        );
        assert_eq!(rules(&got), [("BSN-048", 2), ("BSN-048", 4)]);
    }

    #[test]
    fn mode_bits() {
        assert_eq!(rules(&mode("/usr/bin/su", 0o4755, false)), [("BSN-044", 0)]);
        assert_eq!(mode("/usr/bin/su", 0o4755, false)[0].severity, None);
        assert_eq!(mode("/opt/app/helper", 0o4755, false)[0].severity, Some(bosun_plugin_sdk::Severity::Medium));
        assert_eq!(rules(&mode("/tmp", 0o1777, true)), []);
        assert_eq!(rules(&mode("/data", 0o777, true)), [("BSN-045", 0)]);
        assert_eq!(rules(&mode("/app/run.sh", 0o4777, false)), [("BSN-044", 0), ("BSN-045", 0)]);
    }
}
