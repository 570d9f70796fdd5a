//! The SDK's example plugin, built for wasm32-wasip2, runs through `--plugin`.

use crate::util::*;

#[test]
fn minimal_example_plugin_runs() {
    let plugin = std::path::Path::new(env!("BOSUN_TEST_PLUGIN_DIR")).join("examples/minimal.wasm");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("usr/local/bin")).unwrap();
    std::fs::write(dir.path().join("usr/local/bin/deploy.sh"), "#!/bin/sh\n# TODO: stop hard-coding\necho hi\n")
        .unwrap();
    let (code, report) = scan_json(dir.path(), &["--scanners", "secrets", "--plugin", plugin.to_str().unwrap()]);
    assert_eq!(code, 0);
    let found = &report["images"][0]["findings"][0];
    assert_eq!(found["plugin"], "todo-finder");
    assert_eq!(found["path"], "/usr/local/bin/deploy.sh");
    assert_eq!(found["lines"][0], 2);
}
