//! The real package databases in ../shared/data/installed-db parse to exactly
//! their ground truth.

use bosun_plugin_packages::rpm::{self, Header, header};
use bosun_plugin_packages::{apk, dpkg};
use std::path::PathBuf;

fn data(rel: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/installed-db").join(rel);
    assert!(path.exists(), "{} is missing: the tests need ../shared/data beside the checkout", path.display());
    path
}

#[test]
fn rpm_sqlite_matches_rpm_qa_exactly() {
    let bytes = std::fs::read(data("rpm/cbl-mariner-2.0/rpmdb.sqlite")).unwrap();
    let mut ours: Vec<String> = rpm::blobs("/var/lib/rpm/rpmdb.sqlite", &bytes)
        .unwrap()
        .iter()
        .map(|blob| {
            let h = Header::parse(blob).unwrap();
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                h.string(header::NAME).unwrap(),
                h.int(header::EPOCH).unwrap_or(0),
                h.string(header::VERSION).unwrap(),
                h.string(header::RELEASE).unwrap(),
                h.string(header::ARCH).unwrap_or_else(|| "(none)".into()),
                h.string(header::SOURCERPM).unwrap_or_else(|| "(none)".into()),
            )
        })
        .collect();
    let truth = std::fs::read_to_string(data("rpm/cbl-mariner-2.0/rpm-qa.tsv")).unwrap();
    let mut truth: Vec<String> = truth.lines().map(str::to_owned).collect();
    ours.sort();
    truth.sort();
    assert_eq!(truth.len(), 129);
    assert_eq!(ours, truth);

    let (packages, owned, unreadable) = rpm::packages("/var/lib/rpm/rpmdb.sqlite", &bytes).unwrap();
    assert_eq!(unreadable, 0);
    assert_eq!(packages.len(), 129 - truth.iter().filter(|l| l.starts_with("gpg-pubkey\t")).count());
    let bash = packages.iter().find(|p| p.name == "bash").unwrap();
    assert_eq!(bash.purl, "pkg:rpm/redhat/bash@5.1.8-1.cm2?arch=x86_64&upstream=bash-5.1.8-1.cm2.src.rpm");
    assert_eq!(bash.vendor.as_deref(), Some("Microsoft Corporation"));
    for file in ["/etc/os-release", "/etc/mariner-release"] {
        assert!(owned.contains(&file.to_owned()), "file lists are read: {:?}", &owned[..owned.len().min(8)]);
    }
    assert!(owned.iter().any(|f| f.ends_with("/bash")), "bash's own files");
}

#[test]
fn rpm_berkeley_db_and_ndb() {
    let bytes = std::fs::read(data("rpm/libuuid-bdb/Packages")).unwrap();
    let (packages, owned, _) = rpm::packages("/var/lib/rpm/Packages", &bytes).unwrap();
    assert_eq!(packages.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["libuuid"]);
    assert!(!owned.is_empty());

    let bytes = std::fs::read(data("rpm/sle15-bci/Packages.db")).unwrap();
    let (packages, _, unreadable) = rpm::packages("/usr/lib/sysimage/rpm/Packages.db", &bytes).unwrap();
    assert_eq!(unreadable, 0);
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), 35, "{names:?}");
    assert_eq!(names[..5], ["system-user-root", "filesystem", "glibc", "libpcre1", "libgmp10"]);
}

#[test]
fn apk_databases() {
    for (file, count) in [("alpine-3.10.4-installed", 14), ("alpine-3.11.5-installed", 14)] {
        let text = std::fs::read_to_string(data(&format!("apk/{file}"))).unwrap();
        let (packages, owned) = apk::installed(&text, "/lib/apk/db/installed");
        assert_eq!(packages.len(), count, "{file}");
        assert!(owned.contains(&"/bin/busybox".to_owned()));
        assert_eq!(text.lines().filter(|l| l.starts_with("P:")).count(), count);
    }
    let text = std::fs::read_to_string(data("apk/trivy-testdata-installed")).unwrap();
    let (packages, _) = apk::installed(&text, "/lib/apk/db/installed");
    // One of its paragraphs is a package without a version: not a package.
    assert_eq!(packages.len(), text.lines().filter(|l| l.starts_with("P:")).count() - 1);
    assert!(!packages.iter().any(|p| p.name == "invalidPackageWithoutAVersion"));
}

#[test]
fn dpkg_status_files() {
    for file in [
        "claircore-debian-only.status",
        "claircore-postgresql.status",
        "claircore-texlive.status",
        "claircore-vcpkg.status",
    ] {
        let text = std::fs::read_to_string(data(&format!("dpkg/{file}"))).unwrap();
        // Counted without the parser: blank-line separated blocks that say
        // `install ok installed` and have a Version (vcpkg writes feature
        // paragraphs without one).
        let installed = text
            .split("\n\n")
            .filter(|block| block.lines().any(|l| l == "Status: install ok installed"))
            .filter(|block| block.lines().any(|l| l.starts_with("Version: ")))
            .count();
        let packages = dpkg::status(&text, "/var/lib/dpkg/status");
        assert_eq!(packages.len(), installed, "{file}");
        assert!(installed > 0);
        for p in &packages {
            let name = bosun_plugin_packages::purl::encode(&p.name);
            assert!(p.purl.starts_with(&format!("pkg:deb/debian/{name}@")), "{}", p.purl);
        }
    }
}

/// Every reader on damaged copies of the real databases: errors, never panics
/// or endless loops.
#[test]
fn damaged_databases_are_errors_not_crashes() {
    let files = [
        ("/var/lib/rpm/rpmdb.sqlite", "rpm/cbl-mariner-2.0/rpmdb.sqlite"),
        ("/var/lib/rpm/Packages", "rpm/libuuid-bdb/Packages"),
        ("/usr/lib/sysimage/rpm/Packages.db", "rpm/sle15-bci/Packages.db"),
    ];
    let mut seed: u64 = 0x5851_f42d_4c95_7f2d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (path, rel) in files {
        let original = std::fs::read(data(rel)).unwrap();
        for round in 0..60 {
            let mut bytes = original.clone();
            // Overwrite a few runs of bytes, sometimes in the first page where the structure lives.
            for _ in 0..(1 + next() % 8) {
                let span = if round % 2 == 0 { 4096.min(bytes.len()) } else { bytes.len() };
                let at = (next() as usize) % span;
                let len = 1 + (next() % 16) as usize;
                for b in bytes.iter_mut().skip(at).take(len) {
                    *b = next() as u8;
                }
            }
            if round % 10 == 9 {
                bytes.truncate((next() as usize) % bytes.len());
            }
            let _ = rpm::packages(path, &bytes);
        }
    }
    for text in ["", "P:\nV:\n", "\u{0}\u{0}", "Package: x\nVersion\n", "F:\nR:\n\n\n"] {
        let _ = apk::installed(text, "/lib/apk/db/installed");
        let _ = dpkg::status(text, "/var/lib/dpkg/status");
    }
}
