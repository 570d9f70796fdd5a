//! Java archives (jar, war, ear, and the jars nested in them): the Maven
//! coordinates of `META-INF/maven/**/pom.properties`, else the archive's
//! `META-INF/MANIFEST.MF`.

use crate::purl::purl;
use bosun_plugin_sdk::archive::{BlobReader, Walk, walk};
use bosun_plugin_sdk::{Blob, InstalledPackage};
use std::collections::BTreeMap;

fn properties(text: &str, separator: char) -> BTreeMap<String, String> {
    // A manifest wraps long values at 72 bytes: a line starting with a space continues the previous one.
    let joined = if separator == ':' { text.replace("\r\n", "\n").replace("\n ", "") } else { text.to_owned() };
    joined
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(separator).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())))
        .collect()
}

fn maven(group: &str, artifact: &str, version: &str, found_in: &str) -> InstalledPackage {
    InstalledPackage::new("maven", artifact, version, purl("maven", Some(group), artifact, version, &[]), found_in)
}

/// The packages of one archive's metadata files: (archive path, member name, bytes).
pub fn from_members(members: &[(String, String, Vec<u8>)]) -> Vec<InstalledPackage> {
    let mut by_archive: BTreeMap<&str, Vec<(&str, &[u8])>> = BTreeMap::new();
    for (archive, name, bytes) in members {
        by_archive.entry(archive).or_default().push((name, bytes));
    }
    let mut out = Vec::new();
    for (archive, files) in by_archive {
        let mut found = false;
        for (name, bytes) in &files {
            if !name.ends_with("/pom.properties") {
                continue;
            }
            let props = properties(&String::from_utf8_lossy(bytes), '=');
            if let (Some(group), Some(artifact), Some(version)) =
                (props.get("groupId"), props.get("artifactId"), props.get("version"))
            {
                out.push(maven(group, artifact, version, &format!("{archive}!/{name}")));
                found = true;
            }
        }
        if found {
            continue;
        }
        let Some((_, manifest)) = files.iter().find(|(n, _)| *n == "META-INF/MANIFEST.MF") else { continue };
        let props = properties(&String::from_utf8_lossy(manifest), ':');
        let file_name = archive.rsplit(['/', '!']).next().unwrap_or(archive);
        let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
        let version =
            props.get("Implementation-Version").or_else(|| props.get("Bundle-Version")).cloned().or_else(|| {
                // `commons-io-2.11.0.jar`: the version is the last dash-separated part starting with a digit.
                stem.rsplit_once('-')
                    .filter(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit()))
                    .map(|(_, v)| v.to_owned())
            });
        let Some(version) = version else { continue };
        // The file name is the artifact id as Maven names jars (`commons-io-2.11.0.jar`);
        // titles are prose ("Apache Commons IO"), not coordinates.
        let name = stem.strip_suffix(&format!("-{version}")).unwrap_or(stem).to_owned();
        let symbolic = props.get("Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or(s).trim().to_owned());
        let group = props
            .get("Implementation-Vendor-Id")
            .cloned()
            .or_else(|| symbolic.as_deref().and_then(|s| s.strip_suffix(&format!(".{name}"))).map(str::to_owned))
            .unwrap_or_else(|| name.clone());
        out.push(maven(&group, &name, &version, &format!("{archive}!/META-INF/MANIFEST.MF")));
    }
    out
}

/// The packages of the archive at `path`, read by range; and what was skipped.
pub fn archive(path: &str, content: &Blob) -> (Vec<InstalledPackage>, Vec<String>) {
    let reader = std::io::BufReader::with_capacity(64 << 10, BlobReader::new(content));
    let wanted = |name: &str| name.ends_with("/pom.properties") || name == "META-INF/MANIFEST.MF";
    let mut members = Vec::new();
    let mut state = Walk::default();
    let mut visit = |member: &str, bytes: &[u8]| {
        if let Some((archive, name)) = member.rsplit_once("!/") {
            members.push((archive.to_owned(), name.to_owned(), bytes.to_vec()));
        }
    };
    walk(reader, path, 0, &wanted, &mut visit, &mut state);
    (from_members(&members), state.skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pom_properties_win_and_manifests_fill_in() {
        let members = vec![
            ("/app.war".to_owned(), "META-INF/MANIFEST.MF".to_owned(), b"Manifest-Version: 1.0\n".to_vec()),
            (
                "/app.war!/WEB-INF/lib/jackson-databind-2.15.2.jar".to_owned(),
                "META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties".to_owned(),
                b"#Generated\nversion=2.15.2\ngroupId=com.fasterxml.jackson.core\nartifactId=jackson-databind\n"
                    .to_vec(),
            ),
            (
                "/app.war!/WEB-INF/lib/commons-io-2.11.0.jar".to_owned(),
                "META-INF/MANIFEST.MF".to_owned(),
                b"Manifest-Version: 1.0\nBundle-SymbolicName: org.apache.commons.commons-io\n".to_vec(),
            ),
        ];
        let got = from_members(&members);
        let purls: Vec<&str> = got.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:maven/org.apache.commons/commons-io@2.11.0",
                "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2",
            ]
        );
    }
}
