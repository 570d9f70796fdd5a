//! Merging what plugins report as installed into one inventory per image.

use crate::layer::{FileStatus, MergedView};
use crate::report::{OsInfo, PackageRecord};
use std::collections::{HashMap, HashSet};

/// Ecosystems whose packages come from the OS package manager.
const OS_ECOSYSTEMS: &[&str] = &["deb", "apk", "rpm"];
/// Ecosystems of modules compiled into binaries.
const COMPILED_IN: &[&str] = &["golang", "cargo"];

/// The packages still installed in the final filesystem, each with the layer
/// that first installed it (the lowest layer whose copy of the same database
/// lists the same package), without application packages read from files an
/// OS package owns (a `python3-yaml` deb is not also a PyPI package).
pub fn merge(
    mut packages: Vec<PackageRecord>,
    owned: Vec<(usize, String, Vec<String>)>,
    view: &MergedView,
    os: Option<&OsInfo>,
) -> Vec<PackageRecord> {
    let mut introduced: HashMap<(String, String), usize> = HashMap::new();
    for p in &packages {
        let layer = introduced.entry((p.found_in.clone(), p.purl.clone())).or_insert(p.layer);
        *layer = (*layer).min(p.layer);
    }
    let owned: HashSet<String> = owned
        .into_iter()
        .filter(|(layer, path, _)| view.status(path, *layer) == FileStatus::Present)
        .flat_map(|(_, _, files)| files)
        .collect();
    packages.retain(|p| {
        view.status(&p.analyzed, p.layer) == FileStatus::Present
            // Modules compiled into a binary are not the package that installed
            // the binary: they stay even when it is an OS package's file.
            && (OS_ECOSYSTEMS.contains(&p.ecosystem.as_str())
                || COMPILED_IN.contains(&p.ecosystem.as_str())
                || !owned.contains(&p.analyzed))
    });
    for p in &mut packages {
        if let Some(&first) = introduced.get(&(p.found_in.clone(), p.purl.clone())) {
            p.layer = first;
        }
        if let Some(os) = os
            && OS_ECOSYSTEMS.contains(&p.ecosystem.as_str())
        {
            p.third_party = p.vendor.as_deref().is_some_and(|vendor| third_party(vendor, &os.id));
            // A third-party package is not the distribution's: no distro qualifier
            // to steer a matcher to the distribution's advisories.
            if !p.third_party {
                p.purl = with_distro(&p.purl, os);
            }
        }
    }
    packages.sort();
    packages.dedup();
    packages
}

/// Words in the vendor field of a distribution's own packages.
const DISTRIBUTION_VENDORS: &[(&str, &[&str])] = &[
    ("rhel", &["red hat"]),
    ("centos", &["centos"]),
    ("rocky", &["rocky"]),
    ("almalinux", &["almalinux"]),
    ("ol", &["oracle"]),
    ("amzn", &["amazon"]),
    ("fedora", &["fedora"]),
    ("sles", &["suse"]),
    ("opensuse-leap", &["suse"]),
    ("opensuse-tumbleweed", &["suse"]),
    ("mariner", &["microsoft"]),
    ("azurelinux", &["microsoft"]),
    ("photon", &["vmware", "broadcom"]),
    ("debian", &["debian"]),
    ("ubuntu", &["ubuntu", "debian"]),
];

/// True when `vendor` is not the distribution's (for distributions whose vendor is known).
fn third_party(vendor: &str, os_id: &str) -> bool {
    let vendor = vendor.to_ascii_lowercase();
    DISTRIBUTION_VENDORS
        .iter()
        .find(|(id, _)| *id == os_id)
        .is_some_and(|(_, words)| !words.iter().any(|w| vendor.contains(w)))
}

/// The purl namespace a distribution's packages use (`rhel` packages are `redhat`).
fn namespace(os_id: &str) -> &str {
    match os_id {
        "rhel" => "redhat",
        "ol" => "oracle",
        "amzn" => "amazon",
        "sles" | "opensuse-leap" | "opensuse-tumbleweed" | "opensuse" => "opensuse",
        other => other,
    }
}

/// `pkg:deb/debian/x@1?arch=amd64` on Ubuntu 22.04 →
/// `pkg:deb/ubuntu/x@1?arch=amd64&distro=ubuntu-22.04`: the namespace and the
/// `distro` qualifier come from the image's OS, which the file that listed the
/// package cannot know.
fn with_distro(purl: &str, os: &OsInfo) -> String {
    let Some(rest) = purl.strip_prefix("pkg:") else { return purl.to_owned() };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut parts = path.splitn(3, '/');
    let (Some(kind), Some(_), Some(tail)) = (parts.next(), parts.next(), parts.next()) else { return purl.to_owned() };
    let mut qualifiers: Vec<(String, String)> = query
        .split('&')
        .filter(|q| !q.is_empty())
        .filter_map(|q| q.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .filter(|(k, _)| k != "distro")
        .collect();
    let distro = match &os.version_id {
        Some(version) => format!("{}-{}", os.id, version),
        None => os.id.clone(),
    };
    let encoded: String = distro
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    qualifiers.push(("distro".to_owned(), encoded));
    qualifiers.sort();
    let query: Vec<String> = qualifiers.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("pkg:{kind}/{}/{tail}?{}", namespace(&os.id), query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_party_vendors() {
        assert!(!third_party("Red Hat, Inc.", "rhel"));
        assert!(third_party("Fedora Project", "rhel"), "EPEL on RHEL");
        assert!(third_party("Docker", "centos"));
        assert!(!third_party("Microsoft Corporation", "mariner"));
        assert!(!third_party("Anything", "unknown-distro"), "unknown distributions are not judged");
    }

    #[test]
    fn distro_goes_into_the_purl() {
        let os = OsInfo { id: "ubuntu".into(), version_id: Some("22.04".into()), codename: None, pretty_name: None };
        assert_eq!(
            with_distro("pkg:deb/debian/libc6@2.35-0ubuntu3?arch=amd64&upstream=glibc", &os),
            "pkg:deb/ubuntu/libc6@2.35-0ubuntu3?arch=amd64&distro=ubuntu-22.04&upstream=glibc"
        );
        let rhel = OsInfo { id: "rhel".into(), version_id: Some("9.4".into()), codename: None, pretty_name: None };
        assert_eq!(
            with_distro("pkg:rpm/redhat/bash@5.1-2.el9", &rhel),
            "pkg:rpm/redhat/bash@5.1-2.el9?distro=rhel-9.4"
        );
        assert_eq!(with_distro("not a purl", &rhel), "not a purl");
    }
}
