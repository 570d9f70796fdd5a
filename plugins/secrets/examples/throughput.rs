//! Native throughput of the rule engine over a directory tree (no sandbox):
//! `cargo run --release -p bosun-plugin-secrets --example throughput -- DIR`.
//! Compare with benches/secrets-throughput.sh to see what the sandbox costs.

use bosun_plugin_secrets::{RuleSet, pem, scan_bytes};
use std::time::Instant;

fn main() {
    let root = std::env::args().nth(1).expect("usage: throughput DIR");
    let disabled: Vec<String> = std::env::args().skip(2).collect();
    let set = RuleSet::build(None, &disabled).expect("rules");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(&root)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).expect("readable tree").flatten() {
            let ft = entry.file_type().expect("file type");
            if ft.is_dir() {
                stack.push(entry.path());
            } else if ft.is_file()
                && let Ok(bytes) = std::fs::read(entry.path())
                && !bytes[..bytes.len().min(8192)].contains(&0)
            {
                files.push((entry.path().display().to_string(), bytes));
            }
        }
    }
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let started = Instant::now();
    let mut found = 0;
    for (path, text) in &files {
        let result = scan_bytes(&set, Some(path), text);
        found += result.matches.len();
        if result.structural {
            found += pem(&String::from_utf8_lossy(text), path, 0).len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} files, {:.1} MiB, {found} findings, {secs:.3} s, {:.0} MiB/s",
        files.len(),
        bytes as f64 / 1048576.0,
        bytes as f64 / 1048576.0 / secs
    );
}
