//! Every version-comparison vector in ../shared/data/version-vectors, and
//! dpkg itself as an oracle on versions made up at random.

use bosun_plugin_vulns::version::{apk, dpkg, rpm};
use std::cmp::Ordering;
use std::path::PathBuf;

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/version-vectors").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{}: {err} (the tests need ../shared/data)", path.display()))
}

fn expected(n: i32) -> Ordering {
    n.cmp(&0)
}

#[test]
fn dpkg_matches_dpkg_on_1354_real_pairs() {
    let text = data("dpkg-compare-versions.tsv");
    let mut count = 0;
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let want = expected(cols[2].parse().unwrap());
        assert_eq!(dpkg::compare(cols[0], cols[1]).unwrap(), want, "{line}");
        count += 1;
    }
    assert_eq!(count, 1354);
}

#[test]
fn rpm_matches_the_69_rpmvercmp_cases() {
    let text = data("rpm-rpmvercmp.tsv");
    let mut count = 0;
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(rpm::rpmvercmp(cols[0], cols[1]), expected(cols[2].parse().unwrap()), "{line}");
        count += 1;
    }
    assert_eq!(count, 69);
}

#[test]
fn apk_matches_apk_tools_788_vectors() {
    let text = data("apk-tools-version.data");
    let mut count = 0;
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap().trim();
        count += 1;
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            [] => assert!(!apk::is_valid(""), "an empty line is an invalid version"),
            [version] => match version.strip_prefix('!') {
                Some(invalid) => assert!(!apk::is_valid(invalid), "{raw}: should be invalid"),
                None => assert!(apk::is_valid(version), "{raw}: should be valid"),
            },
            [a, op, b] => {
                let (negate, op) = match op.strip_prefix('!') {
                    Some(op) => (true, op),
                    None => (false, *op),
                };
                let got = apk::matches(a, op, b).unwrap_or_else(|| panic!("{raw}: operator"));
                assert_eq!(got, !negate, "{raw}");
            }
            _ => panic!("unexpected line {raw:?}"),
        }
    }
    assert_eq!(count, 788);
}

/// `count` versions glued from `pieces` after one of `starts`, from a fixed seed.
fn random_versions(seed: u64, starts: &[&str], pieces: &[&str], count: usize) -> Vec<String> {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = 1 + (next() % 6) as usize;
            let mut v = String::from(starts[(next() % starts.len() as u64) as usize]);
            for _ in 0..len {
                v.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            v
        })
        .collect()
}

#[test]
fn dpkg_agrees_with_dpkg_compare_versions_on_random_versions() {
    // The characters that matter to dpkg.
    let pieces = ["0", "1", "2", "10", "09", ".", "~", "+", "-", "a", "b", "rc", "deb12u1", "ubuntu", ":", "~~", "1:"];
    let versions: Vec<String> = random_versions(0x2545_f491_4f6c_dd1d, &["1", "2", "0", "3"], &pieces, 400)
        .into_iter()
        .filter(|v| dpkg::parse(v).is_ok())
        .collect();
    let mut checked = 0;
    for pair in versions.chunks(2) {
        let [a, b] = pair else { continue };
        // dpkg warns about, but still compares, versions it considers odd; skip those it rejects.
        let lt =
            std::process::Command::new("dpkg").args(["--compare-versions", a, "lt", b]).output().expect("dpkg runs");
        let gt =
            std::process::Command::new("dpkg").args(["--compare-versions", a, "gt", b]).output().expect("dpkg runs");
        if lt.status.code() == Some(255) || !lt.stderr.is_empty() || !gt.stderr.is_empty() {
            continue;
        }
        let want = match (lt.status.success(), gt.status.success()) {
            (true, _) => Ordering::Less,
            (_, true) => Ordering::Greater,
            _ => Ordering::Equal,
        };
        assert_eq!(dpkg::compare(a, b).unwrap(), want, "{a} vs {b}");
        checked += 1;
    }
    assert!(checked > 100, "only {checked} pairs were valid for dpkg");
}

#[test]
fn rpm_agrees_with_rpm_itself_on_random_versions() {
    // rpm (Debian's package, which .ci/run installs) evaluates many comparisons in one run.
    // The characters rpmvercmp treats specially.
    let pieces = ["0", "1", "2", "10", "007", ".", "~", "^", "_", "+", "a", "b", "rc", "el9", "fc40", "git"];
    let versions = random_versions(0x9e37_79b9_7f4a_7c15, &["1", "2", "0"], &pieces, 300);
    let pairs: Vec<(&str, &str)> =
        versions.chunks(2).filter_map(|p| Some((p.first()?.as_str(), p.get(1)?.as_str()))).collect();
    let script: String = pairs.iter().map(|(a, b)| format!("print(rpm.vercmp('{a}', '{b}')) print('\\n') ")).collect();
    let output = std::process::Command::new("rpm")
        .args(["--eval", &format!("%{{lua: {script}}}")])
        .output()
        .expect("rpm runs (apt-get install rpm; .ci/run installs it)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let results: Vec<i32> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(results.len(), pairs.len());
    for ((a, b), want) in pairs.iter().zip(results) {
        assert_eq!(rpm::rpmvercmp(a, b), want.cmp(&0), "{a} vs {b}");
    }
}
