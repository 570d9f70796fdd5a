//! The precompiled-component cache: used when valid, rebuilt when damaged.

use crate::util::*;

fn entries(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let components = dir.join("bosun/components");
    let mut found: Vec<_> = std::fs::read_dir(components).unwrap().map(|e| e.unwrap().path()).collect();
    found.sort();
    found
}

#[test]
fn a_corrupt_cache_entry_is_rebuilt_not_trusted() {
    let cache = tempfile::tempdir().unwrap();
    let scan = || {
        let output = bosun()
            .env("XDG_CACHE_HOME", cache.path())
            .args(["scan", "-q", "-f", "json", "--scanners", "secrets"])
            .arg(fixture("demo-oci"))
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
        parse(&output)["summary"].clone()
    };
    let first = scan();
    let cached = entries(cache.path());
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert!(cached[0].extension().unwrap() == "cwasm");
    let good = std::fs::read(&cached[0]).unwrap();

    // Flip bytes in the middle of the compiled code.
    let mut bad = good.clone();
    let middle = bad.len() / 2;
    for byte in &mut bad[middle..middle + 64] {
        *byte ^= 0xff;
    }
    std::fs::write(&cached[0], &bad).unwrap();
    assert_eq!(scan(), first, "same result from a rebuilt entry");
    assert_eq!(std::fs::read(&cached[0]).unwrap(), good, "the entry was rewritten");

    // A truncated entry too.
    std::fs::write(&cached[0], &good[..100]).unwrap();
    assert_eq!(scan(), first);
    assert_eq!(std::fs::read(&cached[0]).unwrap(), good);
}
