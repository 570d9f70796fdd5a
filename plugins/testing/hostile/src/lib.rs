//! A deliberately hostile plugin for the sandbox tests. What it does depends on
//! the name of the file it is given:
//!
//! - `loop*`: spins forever (the epoch deadline must stop it);
//! - `sleep*`: sleeps for years in a host call (the deadline must still stop it);
//! - `hog*`: allocates until memory runs out (the memory cap must stop it);
//! - `panic*`: panics (a trap);
//! - `flood*`: returns 1,000,000 findings (the host must bound what it keeps);
//! - `shout*`: writes megabytes to stdout and stderr (captured, bounded);
//! - `ansi*`: a finding whose strings carry terminal escape sequences;
//! - anything else it asked for: one honest finding, to show it still works.

use bosun_plugin_sdk::*;

struct Hostile;

impl Detector for Hostile {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile", "Misbehaves on purpose").analyzing_files(FileInterest::globs(&["/hostile/**"]))
    }

    fn analyze_file(meta: FileMeta, _content: &Blob) -> Result<Analysis, PluginError> {
        let name = meta.path.rsplit('/').next().unwrap_or_default();
        if name.starts_with("loop") {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        if name.starts_with("sleep") {
            std::thread::sleep(std::time::Duration::from_secs(u64::MAX / 4));
        }
        if name.starts_with("hog") {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![0xA5; 16 << 20]);
                std::hint::black_box(&hoard);
            }
        }
        if name.starts_with("panic") {
            panic!("hostile plugin panics on {}", meta.path);
        }
        if name.starts_with("shout") {
            let line = "x".repeat(1 << 16);
            for _ in 0..64 {
                println!("{line}");
                eprintln!("{line}");
            }
        }
        if name.starts_with("ansi") {
            let finding =
                Finding::new("ansi-\u{1b}[2J", Category::Other, Severity::High, "\u{1b}[31mred\u{1b}[0m title")
                    .at(Location::in_file(&meta.path))
                    .evidence("\u{1b}]0;pwned\u{7}\u{202e}reversed");
            return Ok(Analysis::with_findings(vec![finding]));
        }
        let count = if name.starts_with("flood") { 1_000_000 } else { 1 };
        let findings = (0..count)
            .map(|i| {
                Finding::new("hostile-finding", Category::Other, Severity::Low, "hostile plugin finding")
                    .at(Location::in_file(&meta.path))
                    .evidence(format!("#{i}"))
            })
            .collect();
        Ok(Analysis::with_findings(findings))
    }
}

export_detector!(Hostile);
