//! apk: `/lib/apk/db/installed` — one paragraph per package, one letter per field.

use crate::purl::purl;
use bosun_plugin_sdk::InstalledPackage;

/// The installed packages and the files they own.
pub fn installed(text: &str, found_in: &str) -> (Vec<InstalledPackage>, Vec<String>) {
    let mut packages = Vec::new();
    let mut owned = Vec::new();
    let mut fields: Vec<(char, &str)> = Vec::new();
    let mut dir = "";
    let flush = |fields: &mut Vec<(char, &str)>, packages: &mut Vec<InstalledPackage>| {
        let get = |key: char| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).filter(|v| !v.is_empty());
        if let (Some(name), Some(version)) = (get('P'), get('V')) {
            let arch = get('A');
            let origin = get('o');
            packages.push(InstalledPackage {
                name: name.to_owned(),
                version: version.to_owned(),
                ecosystem: "apk".to_owned(),
                purl: purl(
                    "apk",
                    Some("alpine"),
                    name,
                    version,
                    &[("arch", arch.unwrap_or("")), ("upstream", origin.unwrap_or(""))],
                ),
                source_name: origin.filter(|o| *o != name).map(str::to_owned),
                source_version: None,
                arch: arch.map(str::to_owned),
                // `L:` is one licence expression (`MPL-2.0 AND MIT`), kept whole.
                licenses: get('L').map(|l| vec![l.to_owned()]).unwrap_or_default(),
                found_in: found_in.to_owned(),
                vendor: None,
            });
        }
        fields.clear();
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut fields, &mut packages);
            dir = "";
            continue;
        }
        let Some((key, value)) = line.split_once(':') else { continue };
        let mut chars = key.chars();
        let (Some(key), None) = (chars.next(), chars.next()) else { continue };
        match key {
            'F' => dir = value,
            'R' => owned.push(if dir.is_empty() { format!("/{value}") } else { format!("/{dir}/{value}") }),
            _ => fields.push((key, value)),
        }
    }
    flush(&mut fields, &mut packages);
    (packages, owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_and_files() {
        let text = "C:Q1\nP:musl\nV:1.1.24-r2\nA:x86_64\nL:MIT\no:musl\nF:lib\nR:libc.musl-x86_64.so.1\n\nP:ssl_client\nV:1.31.1-r9\nA:x86_64\nL:GPL-2.0-only\no:busybox\nF:usr/bin\nR:ssl_client\n";
        let (packages, owned) = installed(text, "/lib/apk/db/installed");
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[1].source_name.as_deref(), Some("busybox"));
        assert_eq!(packages[1].purl, "pkg:apk/alpine/ssl_client@1.31.1-r9?arch=x86_64&upstream=busybox");
        assert_eq!(owned, ["/lib/libc.musl-x86_64.so.1", "/usr/bin/ssl_client"]);
    }
}
