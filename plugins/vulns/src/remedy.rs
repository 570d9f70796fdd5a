//! The command that fixes a finding, per package manager, and one combined
//! "quick fix" per image. Names and versions come from image content and
//! advisory feeds: anything outside a conservative character set is
//! single-quoted, so a hostile package name cannot inject shell.

/// A word safe to paste into a shell.
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && !text.starts_with('~')
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"._+-:/@=~%,".contains(&b));
    if plain { text.to_owned() } else { format!("'{}'", text.replace('\'', "'\\''")) }
}

/// One package to upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade<'a> {
    /// The inventory ecosystem (`deb`, `apk`, `rpm`, `pypi`, …).
    pub ecosystem: &'a str,
    /// The package name as installed (for Maven, `group:artifact`).
    pub name: &'a str,
    /// The first fixed version.
    pub fixed: &'a str,
}

/// The argument a package manager takes for "this package at least at the fix".
fn spec(u: &Upgrade<'_>) -> String {
    match u.ecosystem {
        "deb" => format!("{}={}", u.name, u.fixed),
        "apk" | "pypi" => format!("{}>={}", u.name, u.fixed),
        "npm" => format!("{}@{}", u.name, u.fixed),
        "golang" => format!("{}@v{}", u.name, u.fixed.trim_start_matches('v')),
        _ => u.name.to_owned(),
    }
}

/// The command that upgrades any number of packages at once, for the package
/// managers that take several (`apt-get install --only-upgrade -y a=1 b=2`).
fn batch_command(ecosystem: &str, os_id: Option<&str>) -> Option<&'static str> {
    Some(match ecosystem {
        "deb" => "apt-get update && apt-get install --only-upgrade -y",
        "apk" => "apk add --upgrade",
        "rpm" => match os_id {
            Some("sles" | "opensuse-leap" | "opensuse-tumbleweed") => "zypper update -y",
            Some("centos" | "amzn" | "ol") => "yum update-minimal -y",
            _ => "dnf update-minimal -y",
        },
        "pypi" => "pip install",
        "npm" => "npm install",
        _ => return None,
    })
}

/// True when a name or version would read as an option (`-o…`): no command then.
fn option_like(u: &Upgrade<'_>) -> bool {
    u.name.starts_with('-') || u.fixed.starts_with('-')
}

/// The command for one package, or `None` when there is no package-manager
/// command, or the name would read as an option.
pub fn command(u: &Upgrade<'_>, os_id: Option<&str>) -> Option<String> {
    if option_like(u) {
        return None;
    }
    if let Some(batch) = batch_command(u.ecosystem, os_id) {
        return Some(format!("{batch} {}", shell_word(&spec(u))));
    }
    Some(match u.ecosystem {
        "gem" => format!("gem install {} -v {}", shell_word(u.name), shell_word(&format!(">= {}", u.fixed))),
        "golang" if u.name != "stdlib" => format!("go get {}", shell_word(&spec(u))),
        "golang" => format!("rebuild with Go {} or later", shell_word(u.fixed)),
        "cargo" => format!("cargo update -p {} --precise {}", shell_word(u.name), shell_word(u.fixed)),
        "composer" => format!("composer require {}", shell_word(&format!("{}:^{}", u.name, u.fixed))),
        "nuget" => format!("dotnet add package {} --version {}", shell_word(u.name), shell_word(u.fixed)),
        "maven" => {
            format!("set {} to {} in the build (pom.xml or build.gradle)", shell_word(u.name), shell_word(u.fixed))
        }
        _ => return None,
    })
}

/// One command per package manager that upgrades every package at once.
pub fn quick_fix(upgrades: &[Upgrade<'_>], os_id: Option<&str>) -> Vec<String> {
    let mut by_manager: Vec<(&str, Vec<String>)> = Vec::new();
    for u in upgrades.iter().filter(|u| !option_like(u)) {
        let Some(batch) = batch_command(u.ecosystem, os_id) else { continue };
        let word = shell_word(&spec(u));
        match by_manager.iter_mut().find(|(b, _)| *b == batch) {
            Some((_, words)) if !words.contains(&word) => words.push(word),
            Some(_) => {}
            None => by_manager.push((batch, vec![word])),
        }
    }
    by_manager.into_iter().map(|(batch, words)| format!("{batch} {}", words.join(" "))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_per_manager() {
        let openssl = Upgrade { ecosystem: "deb", name: "openssl", fixed: "3.0.15-1~deb12u1" };
        assert_eq!(
            command(&openssl, Some("debian")).unwrap(),
            "apt-get update && apt-get install --only-upgrade -y openssl=3.0.15-1~deb12u1"
        );
        let musl = Upgrade { ecosystem: "apk", name: "musl", fixed: "1.1.24-r3" };
        assert_eq!(command(&musl, Some("alpine")).unwrap(), "apk add --upgrade 'musl>=1.1.24-r3'");
        let bash = Upgrade { ecosystem: "rpm", name: "bash", fixed: "5.1.8-9.el9" };
        assert_eq!(command(&bash, Some("rhel")).unwrap(), "dnf update-minimal -y bash");
        assert_eq!(command(&bash, Some("sles")).unwrap(), "zypper update -y bash");
        let flask = Upgrade { ecosystem: "pypi", name: "flask", fixed: "2.2.5" };
        assert_eq!(command(&flask, None).unwrap(), "pip install 'flask>=2.2.5'");
        let quick = quick_fix(
            &[openssl.clone(), Upgrade { ecosystem: "deb", name: "libssl3", fixed: "3.0.15-1~deb12u1" }, flask],
            Some("debian"),
        );
        assert_eq!(
            quick,
            [
                "apt-get update && apt-get install --only-upgrade -y openssl=3.0.15-1~deb12u1 libssl3=3.0.15-1~deb12u1",
                "pip install 'flask>=2.2.5'"
            ]
        );
    }

    #[test]
    fn hostile_names_cannot_escape_the_quotes() {
        let evil = Upgrade { ecosystem: "deb", name: "x; rm -rf / #", fixed: "1'$(id)" };
        let cmd = command(&evil, Some("debian")).unwrap();
        assert_eq!(cmd, "apt-get update && apt-get install --only-upgrade -y 'x; rm -rf / #=1'\\''$(id)'");
        let option = Upgrade { ecosystem: "deb", name: "-oDebug::pkgProblemResolver=1", fixed: "1" };
        assert_eq!(command(&option, Some("debian")), None, "a name that reads as an option gets no command");
        assert!(quick_fix(&[option], Some("debian")).is_empty());
        assert_eq!(shell_word("~root"), "'~root'");
    }
}
