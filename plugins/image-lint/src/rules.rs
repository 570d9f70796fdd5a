//! The rule catalogue and the checks on instructions. A check looks at the
//! commands and flags the shell tokenizer found, never at substrings of a line.

use crate::dockerfile::{Instruction, bounded};
use crate::secret_vars::{self, Verdict};
use crate::shell::{self, Command};
use bosun_plugin_sdk::Severity;

/// One rule: a stable id and what a report says about it.
#[derive(Debug)]
pub struct Rule {
    /// `BSN-…`.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// hadolint / Trivy / Dockle checks that mean the same thing.
    pub peers: &'static [&'static str],
}

const fn rule(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    why: &'static str,
    fix: &'static str,
    peers: &'static [&'static str],
) -> Rule {
    Rule { id, title, severity, why, fix, peers }
}

use Severity::{Critical, High, Low, Medium};

/// Every rule, by id.
pub const RULES: &[Rule] = &[
    rule(
        "BSN-001",
        Low,
        "Deprecated MAINTAINER instruction",
        "MAINTAINER has been deprecated since Docker 1.13; tools read the maintainer from labels.",
        "Use `LABEL org.opencontainers.image.authors=\"…\"`.",
        &["DL4000", "DS022"],
    ),
    rule(
        "BSN-002",
        High,
        "Image runs as root",
        "A process running as root in the container is root on the host's kernel: one escape or one mounted volume away from the host.",
        "Create an unprivileged user and end the final stage with `USER <name or uid>` (not root or 0).",
        &["DL3002", "DS002", "CIS-DI-0001"],
    ),
    rule(
        "BSN-003",
        Low,
        "ADD where COPY serves",
        "ADD also extracts archives and fetches URLs; for a plain local file that magic only hides what the step does.",
        "Use COPY for local files and directories.",
        &["DL3020", "DS005", "CIS-DI-0009"],
    ),
    rule(
        "BSN-004",
        Medium,
        "ADD fetches a remote URL without a checksum",
        "ADD downloads at build time with no integrity check: whoever controls the URL or the path to it controls the image.",
        "Download with curl/wget and verify a pinned sha256, or use `ADD --checksum=sha256:…`.",
        &["DS005"],
    ),
    rule(
        "BSN-005",
        High,
        "Secret in ENV or ARG",
        "ENV values are stored in the image config and ARG values used by RUN are recorded in the history: anyone who can pull the image can read them.",
        "Pass secrets at run time, or with `RUN --mount=type=secret` at build time; rotate the exposed value.",
        &["DS031", "CIS-DI-0010"],
    ),
    rule(
        "BSN-006",
        High,
        "NODE_TLS_REJECT_UNAUTHORIZED=0 turns off TLS verification in Node.js",
        "Every HTTPS connection the Node.js process makes accepts any certificate: a man in the middle reads and alters its traffic.",
        "Remove the variable; add the private CA with NODE_EXTRA_CA_CERTS instead.",
        &[],
    ),
    rule(
        "BSN-007",
        Low,
        "`apt` in RUN",
        "apt is meant for people at a terminal; its interface is not stable for scripts.",
        "Use apt-get or apt-cache.",
        &["DL3027"],
    ),
    rule(
        "BSN-010",
        High,
        "curl without certificate checks (-k/--insecure)",
        "The download accepts any certificate, so anyone on the path can swap it.",
        "Remove -k/--insecure; add the CA with --cacert if the server uses a private one.",
        &[],
    ),
    rule(
        "BSN-011",
        High,
        "wget --no-check-certificate",
        "The download accepts any certificate, so anyone on the path can swap it.",
        "Remove --no-check-certificate; add the CA with --ca-certificate.",
        &[],
    ),
    rule(
        "BSN-012",
        Medium,
        "pip --trusted-host turns off TLS checks for an index",
        "pip installs whatever a spoofed index serves.",
        "Serve the index over valid TLS; give pip the CA with --cert or PIP_CERT.",
        &[],
    ),
    rule(
        "BSN-013",
        High,
        "PYTHONHTTPSVERIFY=0 turns off certificate checks in Python",
        "Python's HTTPS clients accept any certificate.",
        "Remove the variable; install the CA into the trust store.",
        &[],
    ),
    rule(
        "BSN-014",
        High,
        "npm/yarn strict-ssl disabled",
        "The package manager accepts any certificate from the registry: packages can be swapped in transit.",
        "Remove `strict-ssl false`; set `cafile` for a private CA.",
        &[],
    ),
    rule(
        "BSN-015",
        High,
        "Git TLS verification disabled",
        "GIT_SSL_NO_VERIFY or http.sslVerify=false lets anyone on the path serve the repository.",
        "Remove it; give git the CA with http.sslCAInfo.",
        &[],
    ),
    rule(
        "BSN-016",
        High,
        "apk --allow-untrusted installs unsigned packages",
        "Packages are installed without a signature check.",
        "Sign the packages and install the public key in /etc/apk/keys.",
        &[],
    ),
    rule(
        "BSN-017",
        High,
        "rpm signature or digest checks disabled",
        "rpm --nosignature/--nodigest installs packages nobody vouches for.",
        "Import the vendor key with `rpm --import` and keep the checks.",
        &[],
    ),
    rule(
        "BSN-018",
        High,
        "yum/dnf/zypper GPG checks disabled",
        "--nogpgcheck installs unsigned packages from any mirror.",
        "Import the repository key and remove --nogpgcheck.",
        &[],
    ),
    rule(
        "BSN-019",
        High,
        "apt-get accepts unauthenticated packages or repositories",
        "--allow-unauthenticated, --allow-insecure-repositories and `[trusted=yes]` install packages without a signature check.",
        "Add the repository's signing key (signed-by=) and drop the override.",
        &[],
    ),
    rule(
        "BSN-020",
        Medium,
        "Remote script piped into a shell",
        "`curl … | sh` runs whatever the server returns at build time, unreviewed and unpinned.",
        "Download the script, verify its checksum or signature, then run it.",
        &[],
    ),
    rule(
        "BSN-021",
        Medium,
        "apt-get update alone in a RUN",
        "A layer with only `apt-get update` is cached: a later install reads stale lists and installs old, vulnerable versions.",
        "Run update and install in the same RUN: `apt-get update && apt-get install -y …`.",
        &["DS017"],
    ),
    rule(
        "BSN-022",
        Low,
        "apt-get install without --no-install-recommends",
        "Recommended packages add size and attack surface nobody asked for.",
        "Add --no-install-recommends.",
        &["DL3015"],
    ),
    rule(
        "BSN-023",
        Low,
        "Package manager cache left in the layer",
        "The cache adds size to the image and keeps stale package lists.",
        "apk: `--no-cache`; apt: `rm -rf /var/lib/apt/lists/*` in the same RUN; pip: `--no-cache-dir`; yum/dnf: `yum clean all`; zypper: `zypper clean`.",
        &["DL3009", "DL3019", "DL3042", "DL3032", "DL3040", "DL3036"],
    ),
    rule(
        "BSN-024",
        Medium,
        "chmod makes files writable by everyone",
        "Any user in the container can change world-writable files, including the ones the application runs.",
        "Grant only what is needed, e.g. chmod 755 for programs, 644 for data, ownership with chown.",
        &[],
    ),
    rule(
        "BSN-025",
        Medium,
        "sudo in RUN",
        "Build steps already run as the current USER; sudo in an image usually means a sudo binary and rules ship in it too.",
        "Drop sudo; switch with USER when a step needs root.",
        &["DL3004", "DKL-DI-0001"],
    ),
    rule(
        "BSN-026",
        Medium,
        "Port 22 exposed",
        "An SSH server in a container is a second, unmanaged way in.",
        "Remove the SSH server and EXPOSE 22; use `docker exec` or `kubectl exec`.",
        &["DS004"],
    ),
    rule(
        "BSN-027",
        Low,
        "No HEALTHCHECK",
        "Without a health check the runtime cannot tell a hung container from a healthy one.",
        "Add `HEALTHCHECK CMD …` that probes the service, or set one in the orchestrator.",
        &["DS026", "CIS-DI-0006"],
    ),
    rule(
        "BSN-028",
        Medium,
        "Base image not pinned (untagged or :latest)",
        "The base changes under you: builds are not reproducible and a scan says nothing about the next build.",
        "Pin a version tag, or better a digest: `FROM debian:12.7@sha256:…`.",
        &["DL3006", "DL3007", "DS001"],
    ),
    rule(
        "BSN-029",
        Low,
        "FROM --platform pinned to a constant",
        "A constant platform breaks multi-platform builds and emulates silently on other hosts.",
        "Drop --platform, or use `--platform=$BUILDPLATFORM` for build stages.",
        &["DL3029"],
    ),
    rule(
        "BSN-030",
        High,
        "Secret file copied into the image",
        "Keys, credentials and .env files copied into a layer stay in the image for anyone who can pull it, even if a later step deletes them.",
        "Mount secrets at build time (`RUN --mount=type=secret`) or at run time; list the files in .dockerignore.",
        &["DS031"],
    ),
    rule(
        "BSN-031",
        Low,
        "Whole build context copied without a .dockerignore",
        "`COPY . .` without a .dockerignore sends .git, .env, keys and local configuration into the image.",
        "Add a .dockerignore that excludes .git, .env*, *.pem, *.key and credentials; or copy only what the image needs.",
        &[],
    ),
    rule(
        "BSN-040",
        High,
        "Account without a password",
        "An empty password field lets anyone log in as this account (on a console, su, or any PAM service).",
        "Lock the account: `passwd -l NAME` (a `!` or `*` in /etc/shadow).",
        &["DKL-LI-0001", "CVE-2019-5021"],
    ),
    rule(
        "BSN-041",
        Medium,
        "Password hash in /etc/passwd",
        "/etc/passwd is world-readable: a hash there can be cracked offline by any user.",
        "Move hashes to /etc/shadow (`pwconv`) or lock the account.",
        &[],
    ),
    rule(
        "BSN-042",
        High,
        "Extra account with UID 0",
        "A second UID-0 account is root under another name, often a backdoor.",
        "Remove the account or give it its own UID.",
        &[],
    ),
    rule(
        "BSN-043",
        Low,
        "Duplicate UID or GID",
        "Two names for one UID or GID share every file and permission; audits attribute actions to the wrong name.",
        "Give each account and group its own id.",
        &["DKL-LI-0002"],
    ),
    rule(
        "BSN-044",
        Low,
        "setuid/setgid file",
        "A setuid or setgid program runs with its owner's rights: a bug in it is a privilege escalation.",
        "Remove the bit where not needed: `chmod u-s,g-s FILE` in the Dockerfile.",
        &["CIS-DI-0008"],
    ),
    rule(
        "BSN-045",
        Medium,
        "World-writable file or directory",
        "Any user in the container can change it; a world-writable directory without the sticky bit lets any user replace others' files.",
        "chmod o-w, or set the sticky bit (chmod +t) on shared directories.",
        &[],
    ),
    rule(
        "BSN-046",
        Medium,
        "sshd permits root login",
        "PermitRootLogin yes lets anyone with root's password or key log in directly as root.",
        "Set `PermitRootLogin no` (or remove the SSH server from the image).",
        &[],
    ),
    rule(
        "BSN-047",
        Medium,
        "sshd permits password or empty-password logins",
        "Password logins can be brute-forced; PermitEmptyPasswords lets accounts without a password in.",
        "Set `PasswordAuthentication no` and `PermitEmptyPasswords no`; use keys.",
        &[],
    ),
    rule(
        "BSN-048",
        Medium,
        "sudo without a password for all commands",
        "`NOPASSWD: ALL` makes the account root without any credential.",
        "Remove the rule or limit it to the commands needed, with a password.",
        &[],
    ),
];

/// The rule with `id`.
pub fn rule_by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// One rule firing on one instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The rule id.
    pub rule: &'static str,
    /// Index of the instruction in the list checked (`None`: the image or file as a whole).
    pub at: Option<usize>,
    /// What exactly fired, for the title.
    pub detail: String,
    /// Evidence; `None` shows the instruction.
    pub evidence: Option<String>,
    /// A severity other than the rule's default.
    pub severity: Option<Severity>,
}

impl Hit {
    /// A hit on instruction `at`.
    pub fn new(rule: &'static str, at: usize, detail: impl Into<String>) -> Self {
        Hit { rule, at: Some(at), detail: detail.into(), evidence: None, severity: None }
    }
}

/// Archive extensions ADD unpacks (hadolint's list).
const ARCHIVES: &[&str] = &[
    ".tar", ".gz", ".bz2", ".xz", ".tgz", ".tb2", ".tbz", ".tbz2", ".lz", ".lzma", ".tlz", ".txz", ".z", ".tz", ".zst",
];

/// Base names (and suffixes, starting with `.`) of files that hold secrets.
const SECRET_FILES: &[&str] = &[
    ".env",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".git-credentials",
    ".pgpass",
    ".htpasswd",
    "credentials",
    "credentials.json",
    "service-account.json",
    "kubeconfig",
    ".aws",
    ".ssh",
    ".docker",
    ".gnupg",
    ".kube",
];
const SECRET_SUFFIXES: &[&str] = &[".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk"];

/// Check one instruction; `at` is its index.
pub fn check(instruction: &Instruction, at: usize, hits: &mut Vec<Hit>) {
    match instruction.keyword.as_str() {
        "MAINTAINER" => hits.push(Hit::new("BSN-001", at, "")),
        "ADD" => check_add(instruction, at, hits),
        "COPY" => check_copy_sources(instruction, at, hits),
        "ENV" | "ARG" => check_variables(instruction, at, hits),
        "EXPOSE" if exposes_22(&instruction.args) => hits.push(Hit::new("BSN-026", at, "")),
        "RUN" => check_run(instruction, at, hits),
        _ => {}
    }
}

/// True when an EXPOSE argument list covers port 22.
pub fn exposes_22(args: &str) -> bool {
    args.split_whitespace().any(|port| {
        let number = port.split('/').next().unwrap_or_default();
        match number.split_once('-') {
            Some((lo, hi)) => {
                matches!((lo.parse::<u32>(), hi.parse::<u32>()), (Ok(lo), Ok(hi)) if lo <= 22 && 22 <= hi)
            }
            None => number == "22",
        }
    })
}

fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("git@")
}

fn check_add(instruction: &Instruction, at: usize, hits: &mut Vec<Hit>) {
    let paths = instruction.copy_paths();
    let Some((_, sources)) = paths.split_last() else { return };
    if instruction.heredocs.is_empty() && instruction.history_index.is_none() {
        let local_plain = sources.iter().any(|s| {
            let lower = s.to_ascii_lowercase();
            !is_url(s) && !ARCHIVES.iter().any(|ext| lower.ends_with(ext))
        });
        if local_plain {
            hits.push(Hit::new("BSN-003", at, ""));
        }
    }
    if sources.iter().any(|s| is_url(s)) && instruction.flag("checksum").is_none() {
        hits.push(Hit::new("BSN-004", at, ""));
    }
    check_copy_sources(instruction, at, hits);
}

/// The secret-looking sources of a COPY/ADD.
fn check_copy_sources(instruction: &Instruction, at: usize, hits: &mut Vec<Hit>) {
    let paths = instruction.copy_paths();
    let Some((_, sources)) = paths.split_last() else { return };
    for source in sources {
        if is_url(source) || source.starts_with("file:") || source.starts_with("dir:") {
            continue;
        }
        let name = source.trim_end_matches('/').rsplit('/').next().unwrap_or(source).to_ascii_lowercase();
        // Certificates and CA bundles share the .pem suffix with keys; they are public.
        let certificate = ["ca", "cert", "chain", "bundle", "pub", "root", "trust"].iter().any(|w| name.contains(w));
        let secret = SECRET_FILES.contains(&name.as_str())
            || (name.starts_with(".env.") && !name.ends_with(".example") && !name.ends_with(".sample"))
            || (SECRET_SUFFIXES.iter().any(|s| name.ends_with(s)) && !certificate);
        if secret {
            hits.push(Hit::new("BSN-030", at, format!(": {}", bounded(source, 80))));
        }
    }
}

fn check_variables(instruction: &Instruction, at: usize, hits: &mut Vec<Hit>) {
    // From history there is no scope: the recorded values are what was set.
    let pairs = if instruction.history_index.is_some() { instruction.pairs() } else { instruction.values.clone() };
    for pair in pairs.iter().filter(|p| p.has_value) {
        check_variable(&pair.name, &pair.value, at, &instruction.keyword, hits);
    }
}

/// Checks on one `NAME=value` an image or build step sets.
pub fn check_variable(name: &str, value: &str, at: usize, keyword: &str, hits: &mut Vec<Hit>) {
    let upper = name.to_ascii_uppercase();
    let off = matches!(value.trim().to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off");
    let on = !value.trim().is_empty() && !off;
    match upper.as_str() {
        "NODE_TLS_REJECT_UNAUTHORIZED" if value.trim() == "0" => {
            hits.push(Hit::new("BSN-006", at, ""));
            return;
        }
        "PYTHONHTTPSVERIFY" if value.trim() == "0" => {
            hits.push(Hit::new("BSN-013", at, ""));
            return;
        }
        "GIT_SSL_NO_VERIFY" if on => {
            hits.push(Hit::new("BSN-015", at, ": GIT_SSL_NO_VERIFY"));
            return;
        }
        "NPM_CONFIG_STRICT_SSL" | "YARN_STRICT_SSL" if off => {
            hits.push(Hit::new("BSN-014", at, format!(": {upper}={value}")));
            return;
        }
        "PIP_TRUSTED_HOST" if on => {
            hits.push(Hit::new("BSN-012", at, ": PIP_TRUSTED_HOST"));
            return;
        }
        _ => {}
    }
    if let Some(verdict) = secret_vars::judge(name, value) {
        let masked = format!("{keyword} {name}={}", bosun_plugin_sdk::redact(value));
        let (detail, severity) = match verdict {
            Verdict::Shape(kind) => (format!(": {name} holds a {kind}"), Some(Critical)),
            Verdict::Name => (format!(": {name}"), None),
        };
        hits.push(Hit { rule: "BSN-005", at: Some(at), detail, evidence: Some(masked), severity });
    }
}

/// Flags of curl that take a value, so a cluster like `-sSLo` stops at `o`.
const CURL_VALUE_FLAGS: &str = "AbcCdDeEFhHKmorTuUwxXYyzPQt";

fn curl_insecure(command: &Command) -> bool {
    command.args().iter().any(|a| {
        if a == "--insecure" {
            return true;
        }
        let Some(cluster) = a.strip_prefix('-') else { return false };
        if cluster.starts_with('-') {
            return false;
        }
        for c in cluster.chars() {
            if c == 'k' {
                return true;
            }
            if CURL_VALUE_FLAGS.contains(c) {
                return false;
            }
        }
        false
    })
}

const SHELLS: &[&str] =
    &["sh", "bash", "ash", "dash", "zsh", "ksh", "python", "python3", "perl", "ruby", "node", "php"];
const FETCHERS: &[&str] = &["curl", "wget", "fetch"];

fn check_run(instruction: &Instruction, at: usize, hits: &mut Vec<Hit>) {
    let script = instruction.script();
    let commands = shell::commands(&script);
    let mut seen: Vec<&'static str> = Vec::new();
    let mut push = |hit: Hit, hits: &mut Vec<Hit>| {
        if !seen.contains(&hit.rule) {
            seen.push(hit.rule);
            hits.push(hit);
        }
    };
    for (name, value) in &instruction.build_args {
        if let Some(verdict) = secret_vars::judge(name, value) {
            let detail = match verdict {
                Verdict::Shape(kind) => format!(": build argument {name} holds a {kind}, recorded in the history"),
                Verdict::Name => format!(": build argument {name}, recorded in the history"),
            };
            let severity = matches!(verdict, Verdict::Shape(_)).then_some(Critical);
            push(
                Hit {
                    rule: "BSN-005",
                    at: Some(at),
                    detail,
                    evidence: Some(format!("RUN |{name}={}", bosun_plugin_sdk::redact(value))),
                    severity,
                },
                hits,
            );
        }
    }
    let mut updates = false;
    let mut installs = false;
    let cache_mounted = |path: &str| {
        instruction.flags.iter().any(|(n, v)| n == "mount" && v.contains("type=cache") && v.contains(path))
    };
    // `rm -rf /var/lib/apt/lists/*` and the like, as a command.
    let removed =
        |dir: &str| commands.iter().any(|c| c.program() == "rm" && c.args().iter().any(|a| a.starts_with(dir)));
    let apt_lists_removed = removed("/var/lib/apt/lists") || cache_mounted("/var/lib/apt");
    let cleaned = |manager: &str| {
        commands.iter().any(|c| c.program() == manager && c.subcommand() == Some("clean"))
            || ["/var/cache/yum", "/var/cache/dnf", "/var/cache/zypp"]
                .iter()
                .any(|dir| removed(dir) || cache_mounted(dir))
    };
    for command in &commands {
        for (name, value) in &command.assigns {
            let mut sub = Vec::new();
            check_variable(name, value, at, "RUN", &mut sub);
            for hit in sub.into_iter().filter(|h| h.rule != "BSN-005") {
                push(hit, hits);
            }
        }
        let program = command.program();
        if program == "export" {
            for word in command.args() {
                if let Some((name, value)) = word.split_once('=') {
                    let mut sub = Vec::new();
                    check_variable(name, value, at, "RUN", &mut sub);
                    for hit in sub.into_iter().filter(|h| h.rule != "BSN-005") {
                        push(hit, hits);
                    }
                }
            }
        }
        if command.argv.first().is_some_and(|w| w == "sudo") {
            push(Hit::new("BSN-025", at, ""), hits);
        }
        let sub = command.subcommand();
        match program {
            "curl" if curl_insecure(command) => push(Hit::new("BSN-010", at, ""), hits),
            "wget" if command.has_option(&["--no-check-certificate"]) => push(Hit::new("BSN-011", at, ""), hits),
            "pip" | "pip3" | "pip2" => {
                if command.has_option(&["--trusted-host"]) {
                    push(Hit::new("BSN-012", at, ""), hits);
                }
                if sub == Some("config") && command.args().iter().any(|a| a.ends_with("trusted-host")) {
                    push(Hit::new("BSN-012", at, ""), hits);
                }
                if sub == Some("install")
                    && !command.has_option(&["--no-cache-dir"])
                    && !no_pip_cache(instruction, command)
                {
                    push(Hit::new("BSN-023", at, ": pip install without --no-cache-dir"), hits);
                }
            }
            "python" | "python3"
                if command.args().windows(2).any(|w| w[0] == "-m" && w[1].starts_with("pip"))
                    && command.has_option(&["--trusted-host"]) =>
            {
                push(Hit::new("BSN-012", at, ""), hits)
            }
            "npm" | "yarn" | "pnpm" => {
                let args = command.args();
                let strict_off = args.windows(2).any(|w| w[0] == "strict-ssl" && w[1] == "false")
                    || args.iter().any(|a| a == "--strict-ssl=false" || a == "strict-ssl=false");
                if strict_off {
                    push(Hit::new("BSN-014", at, ""), hits);
                }
            }
            "git" => {
                let args = command.args();
                let off = args.iter().any(|a| a.eq_ignore_ascii_case("http.sslVerify=false"))
                    || args.windows(2).any(|w| w[0].eq_ignore_ascii_case("http.sslVerify") && w[1] == "false");
                if off {
                    push(Hit::new("BSN-015", at, ""), hits);
                }
            }
            "apk" => {
                if command.has_option(&["--allow-untrusted"]) {
                    push(Hit::new("BSN-016", at, ""), hits);
                }
                if sub == Some("add")
                    && !command.has_option(&["--no-cache"])
                    && !cache_mounted("/var/cache/apk")
                    && !removed("/var/cache/apk")
                {
                    push(Hit::new("BSN-023", at, ": apk add without --no-cache"), hits);
                }
            }
            "rpm" if command.has_option(&["--nosignature", "--nodigest", "--nogpgcheck"]) => {
                push(Hit::new("BSN-017", at, ""), hits)
            }
            "yum" | "dnf" | "microdnf" | "tdnf" | "zypper" => {
                if command.has_option(&["--nogpgcheck", "--no-gpg-checks", "--no-gpgcheck"]) {
                    push(Hit::new("BSN-018", at, ""), hits);
                }
                let install = matches!(sub, Some("install" | "in" | "groupinstall" | "localinstall"));
                if install && matches!(program, "yum" | "dnf" | "zypper") && !cleaned(program) {
                    let hint = if program == "zypper" { "zypper clean" } else { "clean all" };
                    push(Hit::new("BSN-023", at, format!(": {program} install without `{hint}`")), hits);
                }
            }
            "apt-get" | "apt" => {
                if command.has_option(&["--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes"])
                    || command.args().iter().any(|a| {
                        let lower = a.to_ascii_lowercase();
                        lower.contains("allowinsecurerepositories=true") || lower.contains("allowunauthenticated=true")
                    })
                {
                    push(Hit::new("BSN-019", at, ""), hits);
                }
                if program == "apt" {
                    push(Hit::new("BSN-007", at, ""), hits);
                }
                match sub {
                    Some("update") => updates = true,
                    Some("install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" | "source") => {
                        installs = true;
                        let recommends_off = command.has_option(&["--no-install-recommends"])
                            || command
                                .args()
                                .iter()
                                .any(|a| a.contains("Install-Recommends=false") || a.contains("Install-Recommends=0"));
                        if program == "apt-get" && sub == Some("install") && !recommends_off {
                            push(Hit::new("BSN-022", at, ""), hits);
                        }
                    }
                    _ => {}
                }
            }
            "chmod" => {
                if let Some(mode) = command.args().iter().find(|a| !a.starts_with('-') || a.starts_with("-w"))
                    && world_writable_mode(mode)
                {
                    push(Hit::new("BSN-024", at, format!(": chmod {}", bounded(mode, 20))), hits);
                }
            }
            _ => {}
        }
        // `[trusted=yes]` written into an apt source.
        if matches!(program, "echo" | "printf" | "tee") && command.args().iter().any(|a| a.contains("trusted=yes")) {
            push(Hit::new("BSN-019", at, ": [trusted=yes] source"), hits);
        }
        // A fetched script run by a shell: `curl … | sh`, `sh -c "$(curl …)"`,
        // `bash <(curl …)`. An interpreter given its script (`python3 -c …`)
        // does not run what the pipe brings.
        if SHELLS.contains(&program) || program.starts_with("python") {
            let script = command.script_argument();
            let piped =
                script.is_none() && command.piped_from.is_some_and(|from| FETCHERS.contains(&commands[from].program()));
            let fetched = script.is_some_and(|s| {
                (s.contains("$(") || s.contains("<(") || s.contains('`'))
                    && shell::commands(s.trim_start_matches(['$', '<', '(']))
                        .iter()
                        .any(|c| FETCHERS.contains(&c.program()))
            });
            if piped || fetched {
                push(Hit::new("BSN-020", at, ""), hits);
            }
        }
    }
    if updates && !installs {
        push(Hit::new("BSN-021", at, ""), hits);
    }
    if updates && installs && !apt_lists_removed {
        push(Hit::new("BSN-023", at, ": apt lists not removed (rm -rf /var/lib/apt/lists/*)"), hits);
    }
}

fn no_pip_cache(instruction: &Instruction, command: &Command) -> bool {
    let env_off =
        |value: &str| !matches!(value.trim().to_ascii_lowercase().as_str(), "" | "0" | "false" | "off" | "no");
    instruction.env.iter().any(|(n, v)| n == "PIP_NO_CACHE_DIR" && env_off(v))
        || command.assigns.iter().any(|(n, v)| n == "PIP_NO_CACHE_DIR" && env_off(v))
        || instruction.flags.iter().any(|(n, v)| n == "mount" && v.contains("type=cache"))
}

/// True for modes that give everyone write: `777`, `0666`, `o+w`, `a+rwx`.
/// With the sticky bit (`1777`, `+t`) it is the shared-directory pattern of
/// /tmp, where users cannot replace each other's files: not reported. `+w`
/// without a "who" goes through the umask (022), so it does not count.
fn world_writable_mode(mode: &str) -> bool {
    if mode.bytes().all(|b| b.is_ascii_digit()) && !mode.is_empty() {
        let value = u32::from_str_radix(mode, 8).unwrap_or(0);
        return value & 0o002 != 0 && value & 0o1000 == 0;
    }
    let mut writable = false;
    for clause in mode.split(',') {
        let Some(op) = clause.find(['+', '=', '-']) else { continue };
        let (who, rest) = clause.split_at(op);
        let (adds, perms) = (!rest.starts_with('-'), &rest[1..]);
        if perms.contains('t') && adds {
            return false;
        }
        if adds && (who.contains('o') || who.contains('a')) && perms.contains('w') {
            writable = true;
        }
    }
    writable
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::parse;

    fn fired(dockerfile: &str) -> Vec<&'static str> {
        let file = parse(dockerfile);
        let mut hits = Vec::new();
        for (at, instruction) in file.instructions.iter().enumerate() {
            check(instruction, at, &mut hits);
        }
        let mut rules: Vec<&str> = hits.iter().map(|h| h.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }

    #[test]
    fn tls_and_signature_bypasses() {
        let cases = [
            ("RUN curl -fsSLk https://x -o y", "BSN-010"),
            ("RUN curl --insecure https://x", "BSN-010"),
            ("RUN wget --no-check-certificate https://x", "BSN-011"),
            ("RUN pip install --trusted-host pypi.internal x", "BSN-012"),
            ("ENV PYTHONHTTPSVERIFY=0", "BSN-013"),
            ("RUN npm config set strict-ssl false", "BSN-014"),
            ("ENV GIT_SSL_NO_VERIFY=true", "BSN-015"),
            ("RUN git config --global http.sslVerify false", "BSN-015"),
            ("RUN apk add --allow-untrusted /tmp/x.apk", "BSN-016"),
            ("RUN rpm -ivh --nosignature x.rpm", "BSN-017"),
            ("RUN yum install -y --nogpgcheck x && yum clean all", "BSN-018"),
            ("RUN apt-get install -y --allow-unauthenticated x", "BSN-019"),
            ("RUN echo 'deb [trusted=yes] http://r/ ./' > /etc/apt/sources.list.d/r.list", "BSN-019"),
            ("ENV NODE_TLS_REJECT_UNAUTHORIZED=0", "BSN-006"),
            ("RUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci", "BSN-006"),
        ];
        for (line, rule) in cases {
            assert!(fired(&format!("FROM a:1\n{line}\n")).contains(&rule), "{line} should fire {rule}");
        }
        // Look-alikes that are not bypasses.
        for line in [
            "RUN curl -o k https://x",
            "RUN curl -H 'k: v' https://x",
            "RUN echo curl -k",
            "RUN grep -- --no-check-certificate x",
            "ENV NODE_TLS_REJECT_UNAUTHORIZED=1",
            "ENV GIT_SSL_NO_VERIFY=",
        ] {
            let got = fired(&format!("FROM a:1\n{line}\n"));
            assert!(!got.iter().any(|r| r.starts_with("BSN-01") || *r == "BSN-006"), "{line}: {got:?}");
        }
    }

    #[test]
    fn hygiene_rules() {
        assert!(fired("FROM a:1\nRUN curl -fsSL https://get.x/install.sh | sh\n").contains(&"BSN-020"));
        assert!(fired("FROM a:1\nRUN sh -c \"$(wget -qO- https://x)\"\n").contains(&"BSN-020"));
        assert!(!fired("FROM a:1\nRUN curl -fsSL https://x -o /tmp/i.sh && sh /tmp/i.sh\n").contains(&"BSN-020"));
        assert!(fired("FROM a:1\nRUN apt-get update\n").contains(&"BSN-021"));
        let good = fired(
            "FROM a:1\nRUN apt-get update && apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n",
        );
        assert!(good.is_empty(), "{good:?}");
        let bad = fired("FROM a:1\nRUN apt-get update && apt-get install -y x\n");
        assert_eq!(bad, ["BSN-022", "BSN-023"]);
        assert_eq!(fired("FROM a:1\nRUN apk add curl\n"), ["BSN-023"]);
        assert!(fired("FROM a:1\nRUN apk add --no-cache curl\n").is_empty());
        assert_eq!(fired("FROM a:1\nRUN pip install flask\n"), ["BSN-023"]);
        assert!(fired("FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n").is_empty());
        assert_eq!(fired("FROM a:1\nRUN chmod -R 777 /app\n"), ["BSN-024"]);
        assert_eq!(fired("FROM a:1\nRUN chmod o+w /app\n"), ["BSN-024"]);
        assert!(
            fired("FROM a:1\nRUN chmod 755 /app && chmod u+w x && chmod 1777 /shared && chmod o+wt /s\n").is_empty()
        );
        assert_eq!(
            fired(
                "FROM a:1\nRUN sudo apt-get update && sudo apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n"
            ),
            ["BSN-025"]
        );
        assert_eq!(fired("FROM a:1\nRUN apt install x\n"), ["BSN-007"]);
        assert_eq!(fired("FROM a:1\nEXPOSE 80 22/tcp\n"), ["BSN-026"]);
        assert_eq!(fired("FROM a:1\nEXPOSE 20-30\n"), ["BSN-026"]);
        assert_eq!(fired("FROM a:1\nMAINTAINER me\n"), ["BSN-001"]);
    }

    #[test]
    fn add_copy_and_variables() {
        assert_eq!(fired("FROM a:1\nADD app.py /app/\n"), ["BSN-003"]);
        assert!(fired("FROM a:1\nADD rootfs.tar.xz /\n").is_empty());
        assert_eq!(fired("FROM a:1\nADD https://x/y.tar.gz /\n"), ["BSN-004"]);
        assert!(fired("FROM a:1\nADD --checksum=sha256:abc https://x/y /\n").is_empty());
        assert_eq!(fired("FROM a:1\nCOPY .env id_rsa /app/\n"), ["BSN-030"]);
        assert!(fired("FROM a:1\nCOPY .env.example cert.pub.pem registry-ca.pem /app/\n").is_empty());
        assert_eq!(fired("FROM a:1\nCOPY server.key /app/\n"), ["BSN-030"]);
        assert_eq!(fired("FROM a:1\nENV DB_PASSWORD=hunter22\n"), ["BSN-005"]);
        assert_eq!(fired("FROM a:1\nARG NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789\n"), ["BSN-005"]);
        assert!(fired("FROM a:1\nARG NPM_TOKEN\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D NODE_VERSION=20 KEYCLOAK_ADMIN=admin\n").is_empty());
    }
}
