//! Which distribution an image is: `/etc/os-release` (or `/usr/lib/os-release`),
//! else the older release files. And whether it is still supported.

use bosun_plugin_sdk::OsRelease;

/// Parse an os-release file (`KEY=value`, values optionally quoted).
pub fn os_release(text: &str) -> Option<OsRelease> {
    let mut id = None;
    let mut os = OsRelease { id: String::new(), version_id: None, codename: None, pretty_name: None };
    let mut ubuntu_codename = None;
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else { continue };
        let value = unquote(value.trim());
        if value.is_empty() {
            continue;
        }
        match key.trim() {
            "ID" => id = Some(value.to_ascii_lowercase()),
            "VERSION_ID" => os.version_id = Some(value),
            "VERSION_CODENAME" => os.codename = Some(value),
            "UBUNTU_CODENAME" => ubuntu_codename = Some(value),
            "PRETTY_NAME" => os.pretty_name = Some(value),
            _ => {}
        }
    }
    os.id = id?;
    if os.codename.is_none() {
        os.codename = ubuntu_codename;
    }
    Some(os)
}

fn unquote(value: &str) -> String {
    let inner = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// The OS from a release file other than os-release.
pub fn release_file(path: &str, text: &str) -> Option<OsRelease> {
    let line = text.lines().next()?.trim();
    if line.is_empty() {
        return None;
    }
    let os = |id: &str, version: Option<String>| OsRelease {
        id: id.to_owned(),
        version_id: version,
        codename: None,
        pretty_name: Some(line.to_owned()),
    };
    match path {
        "/etc/alpine-release" => Some(os("alpine", Some(line.to_owned()))),
        "/etc/debian_version" => {
            // `12.7`, or `bookworm/sid` on testing.
            let version = line.chars().next().is_some_and(|c| c.is_ascii_digit()).then(|| line.to_owned());
            Some(os("debian", version))
        }
        "/etc/redhat-release" | "/etc/system-release" | "/etc/centos-release" => {
            let lower = line.to_ascii_lowercase();
            let id = [
                ("centos", "centos"),
                ("rocky", "rocky"),
                ("alma", "almalinux"),
                ("oracle", "ol"),
                ("amazon", "amzn"),
                ("fedora", "fedora"),
                ("red hat", "rhel"),
            ]
            .iter()
            .find(|(word, _)| lower.contains(word))
            .map(|(_, id)| *id)?;
            let version = line
                .split_whitespace()
                .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
                .map(str::to_owned);
            Some(os(id, version))
        }
        _ => None,
    }
}

/// The release a version names for support purposes: `12` of `12.7`, `3.11` of `3.11.5`.
fn release_key(id: &str, version: &str) -> String {
    let parts: Vec<&str> = version.split('.').collect();
    match id {
        // Amazon Linux 1 numbers its releases by date (`2018.03`).
        "amzn" if parts.first().is_some_and(|p| p.len() == 4) => "1".to_owned(),
        "alpine" | "ubuntu" | "opensuse-leap" | "sles" | "photon" => {
            parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
        }
        _ => parts.first().copied().unwrap_or_default().to_owned(),
    }
}

/// End of (standard or LTS) support, as `YYYY-MM-DD`, for releases that have
/// one. Sources: the distributions' own release pages.
const END_OF_LIFE: &[(&str, &str, &str)] = &[
    ("debian", "7", "2018-05-31"),
    ("debian", "8", "2020-06-30"),
    ("debian", "9", "2022-06-30"),
    ("debian", "10", "2024-06-30"),
    ("debian", "11", "2026-08-31"),
    ("debian", "12", "2028-06-30"),
    ("ubuntu", "14.04", "2019-04-30"),
    ("ubuntu", "16.04", "2021-04-30"),
    ("ubuntu", "18.04", "2023-05-31"),
    ("ubuntu", "20.04", "2025-05-31"),
    ("ubuntu", "22.04", "2027-06-01"),
    ("ubuntu", "22.10", "2023-07-20"),
    ("ubuntu", "23.04", "2024-01-25"),
    ("ubuntu", "23.10", "2024-07-11"),
    ("ubuntu", "24.10", "2025-07-10"),
    ("ubuntu", "25.04", "2026-01-15"),
    ("ubuntu", "24.04", "2029-05-31"),
    ("alpine", "3.9", "2020-11-01"),
    ("alpine", "3.10", "2021-05-01"),
    ("alpine", "3.11", "2021-11-01"),
    ("alpine", "3.12", "2022-05-01"),
    ("alpine", "3.13", "2022-11-01"),
    ("alpine", "3.14", "2023-05-01"),
    ("alpine", "3.15", "2023-11-01"),
    ("alpine", "3.16", "2024-05-23"),
    ("alpine", "3.17", "2024-11-22"),
    ("alpine", "3.18", "2025-05-09"),
    ("alpine", "3.19", "2025-11-01"),
    ("alpine", "3.20", "2026-04-01"),
    ("alpine", "3.21", "2026-11-01"),
    ("alpine", "3.22", "2027-05-01"),
    ("centos", "6", "2020-11-30"),
    ("centos", "7", "2024-06-30"),
    ("centos", "8", "2021-12-31"),
    ("rhel", "7", "2024-06-30"),
    ("rhel", "8", "2029-05-31"),
    ("rhel", "9", "2032-05-31"),
    ("rocky", "8", "2029-05-31"),
    ("rocky", "9", "2032-05-31"),
    ("almalinux", "8", "2029-03-01"),
    ("almalinux", "9", "2032-05-31"),
    ("ol", "7", "2024-12-31"),
    ("ol", "8", "2029-07-31"),
    ("amzn", "1", "2023-12-31"),
    ("amzn", "2", "2026-06-30"),
    ("fedora", "38", "2024-05-21"),
    ("fedora", "39", "2024-11-26"),
    ("fedora", "40", "2025-05-13"),
    ("fedora", "41", "2025-11-19"),
    ("mariner", "1", "2023-07-31"),
    ("mariner", "2", "2025-07-31"),
    ("opensuse-leap", "15.4", "2023-12-07"),
    ("opensuse-leap", "15.5", "2024-12-31"),
    ("opensuse-leap", "15.6", "2025-12-31"),
    ("photon", "3.0", "2024-03-01"),
];

/// The end-of-life date of `os` when it is on or before `today` (`YYYY-MM-DD`).
pub fn ended(os: &OsRelease, today: &str) -> Option<&'static str> {
    let version = os.version_id.as_deref()?;
    let key = release_key(&os.id, version);
    END_OF_LIFE
        .iter()
        .find(|(id, release, _)| *id == os.id && *release == key)
        .map(|(_, _, date)| *date)
        .filter(|date| *date <= today)
}

/// Today as `YYYY-MM-DD` (UTC), from the sandbox's wall clock.
pub fn today() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_and_fallbacks() {
        let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";
        let os = os_release(debian).unwrap();
        assert_eq!(
            (os.id.as_str(), os.version_id.as_deref(), os.codename.as_deref()),
            ("debian", Some("12"), Some("bookworm"))
        );
        assert!(os_release("NAME=x\n").is_none());
        let alpine = release_file("/etc/alpine-release", "3.11.5\n").unwrap();
        assert_eq!((alpine.id.as_str(), alpine.version_id.as_deref()), ("alpine", Some("3.11.5")));
        let centos = release_file("/etc/redhat-release", "CentOS Linux release 7.9.2009 (Core)\n").unwrap();
        assert_eq!((centos.id.as_str(), centos.version_id.as_deref()), ("centos", Some("7.9.2009")));
        assert_eq!(release_file("/etc/debian_version", "bookworm/sid\n").unwrap().version_id, None);
    }

    #[test]
    fn end_of_life() {
        let os = |id: &str, v: &str| OsRelease {
            id: id.into(),
            version_id: Some(v.into()),
            codename: None,
            pretty_name: None,
        };
        assert_eq!(ended(&os("alpine", "3.11.5"), "2026-11-25"), Some("2021-11-01"));
        assert_eq!(ended(&os("debian", "12"), "2026-11-25"), None);
        assert_eq!(ended(&os("debian", "10"), "2024-06-30"), Some("2024-06-30"));
        assert_eq!(ended(&os("centos", "7.9.2009"), "2026-01-01"), Some("2024-06-30"));
        assert_eq!(ended(&os("amzn", "2018.03"), "2026-01-01"), Some("2023-12-31"));
        assert_eq!(today().len(), 10);
    }
}
