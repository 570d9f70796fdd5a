//! The load-time import allowlist: a plugin may import the bosun contract and
//! the harmless parts of WASI, nothing that reaches the network or the outside.

/// Interface prefixes a plugin may import. `wasi:filesystem` is allowed because
/// every Rust program imports it; the sandbox preopens nothing, so it reaches nothing.
const ALLOWED: &[&str] =
    &["bosun:plugin/", "wasi:io/", "wasi:cli/", "wasi:clocks/", "wasi:random/", "wasi:filesystem/"];

/// Interfaces refused with a reason users recognise.
const FORBIDDEN: &[(&str, &str)] = &[("wasi:sockets/", "network access"), ("wasi:http/", "HTTP access")];

/// Check every import of a component; the error names the first refused one.
pub fn check<'a>(imports: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    for name in imports {
        if let Some((_, why)) = FORBIDDEN.iter().find(|(prefix, _)| name.starts_with(prefix)) {
            return Err(format!("imports `{name}` ({why}), which plugins may not use"));
        }
        if !ALLOWED.iter().any(|prefix| name.starts_with(prefix)) {
            return Err(format!("imports `{name}`, which is not on the plugin import allowlist"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn refuses_network_and_unknown_imports_by_name() {
        assert!(check(["wasi:io/streams@0.2.0", "bosun:plugin/host@0.1.0"]).is_ok());
        let err = check(["wasi:io/streams@0.2.0", "wasi:sockets/tcp@0.2.0"]).unwrap_err();
        assert!(err.contains("wasi:sockets/tcp@0.2.0") && err.contains("network"));
        assert!(check(["evil:backdoor/api"]).unwrap_err().contains("evil:backdoor/api"));
    }
}
