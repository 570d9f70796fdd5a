//! bosun's packages plugin: which OS an image is and what is installed in it.
//!
//! OS package databases (dpkg, apk, rpm in all three storage formats) and the
//! metadata language installers leave behind are parsed here, in the
//! sandbox, in pure Rust. Each package carries its purl, source package,
//! licences and the file it was read from; the host keeps those still in the
//! final filesystem, records the layer that installed each, and drops
//! application packages read from files an OS package owns. For OS packages
//! the host sets the purl namespace and `distro` qualifier from the image's OS.
//! An OS past its end of life is a finding.

pub mod apk;
pub mod binary;
pub mod dpkg;
pub mod java;
pub mod lang;
pub mod os;
pub mod purl;
pub mod rpm;

use bosun_plugin_sdk::*;

/// rpm databases larger than this are not read: the file and its headers are
/// held at once, within the plugin's memory cap (256 MiB by default).
const MAX_DATABASE: u64 = 96 << 20;
/// Largest file offered at all; larger databases get a diagnostic from here.
const MAX_OFFERED: u64 = 256 << 20;
/// Text metadata larger than this is not package metadata.
const MAX_TEXT: u64 = 16 << 20;

const OS_RELEASE: &[&str] = &["/etc/os-release", "/usr/lib/os-release"];
const RELEASE_FILES: &[&str] = &[
    "/etc/alpine-release",
    "/etc/debian_version",
    "/etc/redhat-release",
    "/etc/system-release",
    "/etc/centos-release",
];
const RPM_DATABASES: &[&str] = &["Packages", "Packages.db", "rpmdb.sqlite"];

/// Read a whole file by ranges (not limited by the host's one-copy cap).
fn read_bytes(content: &Blob) -> Vec<u8> {
    let size = content.size();
    let mut out = Vec::with_capacity(size as usize);
    while (out.len() as u64) < size {
        let chunk = content.read(out.len() as u64, 8 << 20);
        if chunk.is_empty() {
            break;
        }
        out.extend_from_slice(&chunk);
    }
    out
}

fn text(content: &Blob) -> String {
    String::from_utf8_lossy(&read_bytes(content)).into_owned()
}

/// What one file says, by its path.
pub fn analyze(path: &str, content: &Blob, today: &str) -> Result<Analysis, PluginError> {
    let mut analysis = Analysis::default();
    let name = path.rsplit('/').next().unwrap_or(path);
    let size = content.size();
    if OS_RELEASE.contains(&path) || RELEASE_FILES.contains(&path) {
        let body = text(content);
        let os = if OS_RELEASE.contains(&path) { os::os_release(&body) } else { os::release_file(path, &body) };
        if let Some(os) = os {
            // Only os-release says end of life: the older files sit beside it
            // and would say it twice.
            if let Some(date) = os::ended(&os, today).filter(|_| OS_RELEASE.contains(&path)) {
                analysis.findings.push(end_of_life(path, &os, date));
            }
            analysis.os = Some(os);
        } else if OS_RELEASE.contains(&path) {
            log(LogLevel::Warn, &format!("{path}: no ID; the distribution is unknown"));
        }
    } else if path == "/var/lib/dpkg/status"
        || (path.starts_with("/var/lib/dpkg/status.d/") && !name.ends_with(".md5sums"))
    {
        analysis.packages = dpkg::status(&text(content), path);
    } else if path.starts_with("/var/lib/dpkg/info/") && name.ends_with(".list")
        || path.starts_with("/var/lib/dpkg/status.d/") && name.ends_with(".md5sums")
    {
        analysis.owned_files = dpkg::owned_files(path, &text(content));
    } else if path.ends_with("/apk/db/installed") {
        let (packages, owned) = apk::installed(&text(content), path);
        analysis.packages = packages;
        analysis.owned_files = owned;
    } else if RPM_DATABASES.contains(&name)
        && (path.starts_with("/var/lib/rpm/") || path.starts_with("/usr/lib/sysimage/rpm/"))
    {
        if size > MAX_DATABASE {
            log(
                LogLevel::Error,
                &format!("{path}: {size} bytes, above the {MAX_DATABASE}-byte limit; rpm packages not read"),
            );
            return Ok(analysis);
        }
        let bytes = read_bytes(content);
        match rpm::packages(path, &bytes) {
            Ok((packages, owned, unreadable)) => {
                if unreadable > 0 {
                    log(LogLevel::Error, &format!("{path}: {unreadable} package headers could not be read"));
                }
                analysis.packages = packages;
                analysis.owned_files = owned;
            }
            Err(err) => log(LogLevel::Error, &format!("{path}: {err}")),
        }
    } else if JAVA_ARCHIVES.iter().any(|ext| name.to_ascii_lowercase().ends_with(ext)) {
        if content.read(0, 4).starts_with(b"PK\x03\x04") {
            let (packages, skipped) = java::archive(path, content);
            for problem in skipped.iter().take(5) {
                log(LogLevel::Warn, problem);
            }
            analysis.packages = packages;
        }
    } else if let Some(reader) = language_metadata(path, name) {
        // Decided by name, so the many package.json files cost no extra read.
        if size <= MAX_TEXT {
            analysis.packages = reader(&text(content), path);
        }
    } else if content.read(0, 4) == b"\x7fELF" {
        analysis.packages = compiled_in(path, content);
    }
    Ok(analysis)
}

/// Reads the packages a language installer's metadata file lists.
type MetadataReader = fn(&str, &str) -> Vec<InstalledPackage>;

/// The reader for a language metadata file, by its path.
fn language_metadata(path: &str, name: &str) -> Option<MetadataReader> {
    if name == "METADATA" && path.contains(".dist-info/") || name == "PKG-INFO" || name.ends_with(".egg-info") {
        Some(|text, path| lang::python(text, path).into_iter().collect())
    } else if name == "package.json" && path.contains("/node_modules/") {
        Some(|text, path| lang::npm(text, path).into_iter().collect())
    } else if name.ends_with(".gemspec") && path.contains("/specifications/") {
        Some(|text, path| lang::gemspec(text, path).into_iter().collect())
    } else if name == "installed.json" && path.ends_with("/composer/installed.json") {
        Some(lang::composer)
    } else if name.ends_with(".deps.json") {
        Some(lang::dotnet)
    } else {
        None
    }
}

/// Java archives, by extension.
const JAVA_ARCHIVES: &[&str] = &[".jar", ".war", ".ear", ".jpi", ".hpi"];

/// A blob read by range, for the ELF reader.
struct Ranged<'a>(&'a Blob);

impl binary::ReadAt for Ranged<'_> {
    fn read_at(&self, offset: u64, len: u32) -> Vec<u8> {
        self.0.read(offset, len)
    }
}

/// Go modules and Rust crates compiled into an ELF binary.
fn compiled_in(path: &str, content: &Blob) -> Vec<InstalledPackage> {
    let file = Ranged(content);
    let Some(sections) = binary::elf_sections(&file, &[".go.buildinfo", ".dep-v0"]) else { return Vec::new() };
    let mut out = Vec::new();
    for (name, section) in sections {
        let bytes = content.read(section.offset, section.size.min(16 << 20) as u32);
        let found =
            if name == ".go.buildinfo" { binary::go_modules(&bytes, path) } else { binary::rust_crates(&bytes, path) };
        match found {
            Ok(packages) => out.extend(packages),
            Err(err) => log(LogLevel::Info, &format!("{path}: {err}")),
        }
    }
    out
}

fn end_of_life(path: &str, os: &OsRelease, date: &str) -> Finding {
    let version = os.version_id.clone().unwrap_or_default();
    let shown = os.pretty_name.clone().unwrap_or_else(|| format!("{} {version}", os.id));
    Finding::new(
        "os-end-of-life",
        Category::Vulnerability,
        Severity::High,
        &format!("{shown} reached end of life on {date}"),
    )
    .described(
        "The distribution no longer publishes security updates for this release: vulnerabilities found after \
         that date are never fixed in its packages, and scanners cannot report them as fixable.",
    )
    .remediation("Rebuild on a supported release of the distribution (or a maintained base image).")
    .confidence(Confidence::High)
    .at(Location::in_file(path))
    .tagged(&["eol", &os.id])
    .property("os", os.id.clone())
    .property("version", version)
    .property("end-of-life", date)
}

struct Packages;

impl Detector for Packages {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "packages",
            "The OS (os-release and release files, end of life) and installed packages: dpkg, apk, rpm \
             (SQLite, Berkeley DB, NDB); PyPI, npm, RubyGems, Composer, NuGet, Maven (jars), Go and Rust \
             (cargo-auditable) binaries.",
        )
        .named("Package inventory")
        .version(env!("CARGO_PKG_VERSION"))
        .analyzing_files(
            FileInterest::globs(&[
                "/etc/os-release",
                "/usr/lib/os-release",
                "/etc/alpine-release",
                "/etc/debian_version",
                "/etc/redhat-release",
                "/etc/system-release",
                "/etc/centos-release",
                "/var/lib/dpkg/status",
                "/var/lib/dpkg/status.d/*",
                "/var/lib/dpkg/info/*.list",
                "/lib/apk/db/installed",
                "/usr/lib/apk/db/installed",
                "/var/lib/rpm/{Packages,Packages.db,rpmdb.sqlite}",
                "/usr/lib/sysimage/rpm/{Packages,Packages.db,rpmdb.sqlite}",
                "**/*.dist-info/METADATA",
                "**/*.egg-info/PKG-INFO",
                "**/*.egg-info",
                "**/node_modules/*/package.json",
                "**/node_modules/@*/*/package.json",
                "**/specifications/*.gemspec",
                "**/composer/installed.json",
                "**/*.deps.json",
            ])
            .and_extensions(&["jar", "war", "ear", "jpi", "hpi"])
            .and_magic(b"\x7fELF")
            // Shared libraries and objects carry no Go or Rust build information worth reading.
            .excluding(&["**/*.so", "**/*.so.*", "**/*.ko", "**/*.o", "**/*.a"])
            .max_size(MAX_OFFERED),
        )
    }

    fn analyze_file(meta: FileMeta, content: &Blob) -> Result<Analysis, PluginError> {
        analyze(&meta.path, content, &os::today())
    }
}

export_detector!(Packages);
