//! rpm databases: the three storage formats (SQLite, Berkeley DB hash, NDB)
//! all hold the same thing, one rpm header blob per installed package.

pub mod bdb;
pub mod header;
pub mod ndb;
pub mod sqlite;

use crate::purl::purl;
use bosun_plugin_sdk::InstalledPackage;
pub use header::Header;

/// The header blobs of a database file, by its format.
pub fn blobs(path: &str, bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if bytes.starts_with(b"SQLite format 3\0") {
        sqlite::table_blobs(bytes, "Packages", 1)
    } else if bytes.starts_with(b"RpmP") {
        ndb::blobs(bytes)
    } else if bdb::is_hash(bytes) {
        bdb::blobs(bytes)
    } else {
        Err(format!("{name}: not an rpm database this plugin reads (SQLite, Berkeley DB hash or NDB)"))
    }
}

/// Installed packages and owned files from a database file.
pub fn packages(path: &str, bytes: &[u8]) -> Result<(Vec<InstalledPackage>, Vec<String>, usize), String> {
    let mut packages = Vec::new();
    let mut owned = Vec::new();
    let mut unreadable = 0;
    for blob in blobs(path, bytes)? {
        let Ok(header) = Header::parse(&blob) else {
            unreadable += 1;
            continue;
        };
        let Some(name) = header.string(header::NAME) else { continue };
        // Imported signing keys are headers too; they are not software.
        if name == "gpg-pubkey" {
            continue;
        }
        let version = header.string(header::VERSION).unwrap_or_default();
        let release = header.string(header::RELEASE).unwrap_or_default();
        let epoch = header.int(header::EPOCH);
        let arch = header.string(header::ARCH).filter(|a| a != "(none)");
        let source_rpm = header.string(header::SOURCERPM).filter(|s| s != "(none)");
        let full = if release.is_empty() { version.clone() } else { format!("{version}-{release}") };
        let epoch_text = epoch.map(|e| e.to_string()).unwrap_or_default();
        let (source_name, source_version) = source_rpm.as_deref().and_then(split_source_rpm).unzip();
        packages.push(InstalledPackage {
            purl: purl(
                "rpm",
                Some("redhat"),
                &name,
                &full,
                &[
                    ("arch", arch.as_deref().unwrap_or("")),
                    ("epoch", &epoch_text),
                    ("upstream", source_rpm.as_deref().unwrap_or("")),
                ],
            ),
            version: match epoch {
                Some(e) if e > 0 => format!("{e}:{full}"),
                _ => full.clone(),
            },
            source_name: source_name.filter(|n| *n != name),
            source_version: source_version.filter(|v| *v != full),
            name,
            ecosystem: "rpm".to_owned(),
            arch,
            licenses: header.string(header::LICENSE).into_iter().collect(),
            found_in: path.to_owned(),
            vendor: header.string(header::VENDOR).filter(|v| v != "(none)"),
        });
        owned.extend(header.files());
    }
    Ok((packages, owned, unreadable))
}

/// `bash-5.1.8-1.cm2.src.rpm` → (`bash`, `5.1.8-1.cm2`).
pub fn split_source_rpm(srpm: &str) -> Option<(String, String)> {
    let stem = srpm.strip_suffix(".rpm")?;
    let stem = stem.strip_suffix(".src").or_else(|| stem.strip_suffix(".nosrc")).unwrap_or(stem);
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    Some((name.to_owned(), format!("{version}-{release}")))
}
