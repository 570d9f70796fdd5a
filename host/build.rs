//! Builds the first-party plugins (and the test-only ones) for wasm32-wasip2
//! with a nested cargo, and embeds the first-party ones in the binary. A plain
//! `cargo build --release` therefore yields a self-contained `bosun`.

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Embedded in the binary: (plugin id, crate name).
const FIRST_PARTY: &[(&str, &str)] = &[
    ("secrets", "bosun-plugin-secrets"),
    ("malware", "bosun-plugin-malware"),
    ("image-lint", "bosun-plugin-image-lint"),
    ("packages", "bosun-plugin-packages"),
];
/// Built for the test suite only.
const TEST_ONLY: &[&str] = &["bosun-test-noop", "bosun-test-hostile", "bosun-test-sockets"];
/// Environment the nested cargo keeps; everything else cargo set for this
/// build script (target, features, flags, wrappers) must not leak into it.
const KEEP_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "CARGO_MAKEFLAGS",
    "TMPDIR",
    "CARGO_NET_OFFLINE",
];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("host/ sits in the workspace").to_path_buf();
    for watched in ["plugins", "sdk", "wit", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let target_dir = match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
    .join("plugins");

    // CI builds the plugins in its own top-level cargo step first (see .ci/run)
    // and says so; a plain `cargo build` builds them here.
    println!("cargo:rerun-if-env-changed=BOSUN_PREBUILT_PLUGINS");
    if env::var_os("BOSUN_PREBUILT_PLUGINS").is_none() {
        build_plugins(&root, &target_dir);
    }

    let wasm_dir = target_dir.join("wasm32-wasip2").join("release");
    let mut code =
        String::from("/// Built-in plugins: (id, component bytes).\npub const PLUGINS: &[(&str, &[u8])] = &[\n");
    for (id, krate) in FIRST_PARTY {
        let file = wasm_dir.join(format!("{}.wasm", krate.replace('-', "_")));
        assert!(file.exists(), "plugin build did not produce {}", file.display());
        writeln!(code, "    ({id:?}, include_bytes!({:?})),", file.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("embedded_plugins.rs"), code).expect("write embedded_plugins.rs");
    println!("cargo:rustc-env=BOSUN_TEST_PLUGIN_DIR={}", wasm_dir.display());
}

fn build_plugins(root: &Path, target_dir: &Path) {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.env_clear();
    for key in KEEP_ENV {
        if let Some(value) = env::var_os(key) {
            command.env(key, value);
        }
    }
    let jobs = env::var("NUM_JOBS").unwrap_or_else(|_| "2".to_owned());
    command
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .args(["build", "--release", "-j", &jobs, "--target", "wasm32-wasip2", "--target-dir"])
        .arg(target_dir)
        .args(["--lib", "--example", "minimal", "-p", "bosun-plugin-sdk"]);
    for krate in FIRST_PARTY.iter().map(|(_, k)| *k).chain(TEST_ONLY.iter().copied()) {
        command.args(["-p", krate]);
    }
    let output = command.output().expect("run cargo to build the wasm plugins");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        panic!(
            "building the plugins for wasm32-wasip2 failed (is the target installed? `rustup target add wasm32-wasip2`):\n{stderr}"
        );
    }
}
