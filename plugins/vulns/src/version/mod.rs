//! Version comparison, exact per ecosystem: dpkg (`dpkg --compare-versions`),
//! apk (apk-tools), rpm (`rpmvercmp` with epoch and release), SemVer (npm, Go,
//! crates), PEP 440 (PyPI), Maven and RubyGems.

pub mod apk;
pub mod dpkg;
pub mod maven;
pub mod pep440;
pub mod rpm;
pub mod ruby;
pub mod semver;

use std::cmp::Ordering;

/// Compare two versions of `ecosystem` (the inventory's names: `deb`, `apk`,
/// `rpm`, `npm`, `golang`, `cargo`, `pypi`, `maven`, `gem`); `None` when a
/// version does not parse or the ecosystem has no comparison.
pub fn compare(ecosystem: &str, a: &str, b: &str) -> Option<Ordering> {
    match ecosystem {
        "deb" => dpkg::compare(a, b).ok(),
        "apk" => Some(apk::compare(a, b)),
        "rpm" => Some(rpm::compare(a, b)),
        "npm" | "golang" | "cargo" | "nuget" | "composer" => semver::compare(a, b),
        "pypi" => pep440::compare(a, b),
        "maven" => Some(maven::compare(a, b)),
        "gem" => Some(ruby::compare(a, b)),
        _ => None,
    }
}
