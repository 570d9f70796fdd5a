//! dpkg: `/var/lib/dpkg/status`, distroless `status.d/*`, and the file lists
//! (`info/*.list`, `status.d/*.md5sums`) that say which package owns what.

use crate::purl::purl;
use bosun_plugin_sdk::InstalledPackage;

/// The `Field: value` pairs of each paragraph (continuation lines dropped).
pub fn paragraphs(text: &str) -> Vec<Vec<(&str, &str)>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            current.push((key.trim(), value.trim()));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn field<'a>(paragraph: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    paragraph.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v).filter(|v| !v.is_empty())
}

/// The installed packages of a status file. `Status` must end in `installed`
/// (packages removed but with configuration left are not installed).
pub fn status(text: &str, found_in: &str) -> Vec<InstalledPackage> {
    let mut out = Vec::new();
    for paragraph in paragraphs(text) {
        let (Some(name), Some(version)) = (field(&paragraph, "Package"), field(&paragraph, "Version")) else {
            continue;
        };
        if let Some(status) = field(&paragraph, "Status")
            && status.split_whitespace().last() != Some("installed")
        {
            continue;
        }
        let arch = field(&paragraph, "Architecture");
        // `Source: name` or `Source: name (version)`.
        let (source_name, source_version) = match field(&paragraph, "Source") {
            Some(source) => match source.split_once('(') {
                Some((n, v)) => (Some(n.trim().to_owned()), Some(v.trim_end_matches(')').trim().to_owned())),
                None => (Some(source.to_owned()), None),
            },
            None => (None, None),
        };
        let upstream = match (&source_name, &source_version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            (Some(n), None) if n != name => n.clone(),
            _ => String::new(),
        };
        out.push(InstalledPackage {
            name: name.to_owned(),
            version: version.to_owned(),
            ecosystem: "deb".to_owned(),
            purl: purl("deb", Some("debian"), name, version, &[("arch", arch.unwrap_or("")), ("upstream", &upstream)]),
            source_name: source_name.filter(|n| n != name),
            source_version: source_version.filter(|v| v != version),
            arch: arch.map(str::to_owned),
            licenses: Vec::new(),
            found_in: found_in.to_owned(),
            vendor: field(&paragraph, "Origin").map(str::to_owned),
        });
    }
    out
}

/// Paths in an `info/*.list` file (absolute already) or a `*.md5sums` file
/// (`<md5>  <relative path>`).
pub fn owned_files(path: &str, text: &str) -> Vec<String> {
    if path.ends_with(".md5sums") {
        text.lines()
            .filter_map(|l| l.split_once("  ").map(|(_, p)| format!("/{}", p.trim_start_matches('/'))))
            .collect()
    } else {
        text.lines().filter(|l| l.starts_with('/') && l.len() > 1).map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_and_source() {
        let text = "Package: libpq5\nStatus: install ok installed\nArchitecture: amd64\nSource: postgresql-11 (11.22-0+deb10u2)\nVersion: 11.22-0+deb10u2\nDescription: x\n more\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: perl-base\nStatus: install ok installed\nSource: perl\nVersion: 5.36.0-7\nArchitecture: amd64\n";
        let got = status(text, "/var/lib/dpkg/status");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].source_name.as_deref(), Some("postgresql-11"));
        assert_eq!(got[0].source_version, None, "same as the binary version");
        assert_eq!(
            got[0].purl,
            "pkg:deb/debian/libpq5@11.22-0%2Bdeb10u2?arch=amd64&upstream=postgresql-11%4011.22-0%2Bdeb10u2"
        );
        assert_eq!(got[1].purl, "pkg:deb/debian/perl-base@5.36.0-7?arch=amd64&upstream=perl");
    }
}
