//! Packages compiled into binaries: Go's build information (the
//! `.go.buildinfo` section, Go 1.18 and later) and Rust's cargo-auditable
//! dependency list (the `.dep-v0` section, zlib-compressed JSON). Sections are
//! found through the ELF section headers, read by range.

use crate::purl::purl;
use bosun_plugin_sdk::InstalledPackage;

/// Reads `len` bytes at `offset` (fewer at the end).
pub trait ReadAt {
    /// The bytes.
    fn read_at(&self, offset: u64, len: u32) -> Vec<u8>;
}

impl ReadAt for Vec<u8> {
    fn read_at(&self, offset: u64, len: u32) -> Vec<u8> {
        let start = (offset as usize).min(self.len());
        let end = start.saturating_add(len as usize).min(self.len());
        self[start..end].to_vec()
    }
}

/// An ELF section: file offset and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Section {
    /// Offset in the file.
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
}

/// The named sections of an ELF file (`None` when it is not one we can read).
pub fn elf_sections(file: &dyn ReadAt, wanted: &[&str]) -> Option<Vec<(String, Section)>> {
    let header = file.read_at(0, 64);
    if header.len() < 52 || &header[..4] != b"\x7fELF" {
        return None;
    }
    let wide = header[4] == 2;
    let big = header[5] == 2;
    let u16_at = |b: &[u8], at: usize| -> Option<u64> {
        let x: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(u64::from(if big { u16::from_be_bytes(x) } else { u16::from_le_bytes(x) }))
    };
    let u32_at = |b: &[u8], at: usize| -> Option<u64> {
        let x: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(u64::from(if big { u32::from_be_bytes(x) } else { u32::from_le_bytes(x) }))
    };
    let u64_at = |b: &[u8], at: usize| -> Option<u64> {
        let x: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
        Some(if big { u64::from_be_bytes(x) } else { u64::from_le_bytes(x) })
    };
    let word = |b: &[u8], at: usize| if wide { u64_at(b, at) } else { u32_at(b, at) };
    let (shoff, shentsize, shnum, shstrndx) = if wide {
        (u64_at(&header, 0x28)?, u16_at(&header, 0x3a)?, u16_at(&header, 0x3c)?, u16_at(&header, 0x3e)?)
    } else {
        (u32_at(&header, 0x20)?, u16_at(&header, 0x2e)?, u16_at(&header, 0x30)?, u16_at(&header, 0x32)?)
    };
    if shnum == 0 || shnum > 4096 || shentsize < if wide { 64 } else { 40 } {
        return None;
    }
    let table = file.read_at(shoff, (shnum * shentsize) as u32);
    let section = |i: u64| -> Option<(u64, Section)> {
        let at = (i * shentsize) as usize;
        let name = u32_at(&table, at)?;
        let (offset, size) = if wide {
            (word(&table, at + 0x18)?, word(&table, at + 0x20)?)
        } else {
            (word(&table, at + 0x10)?, word(&table, at + 0x14)?)
        };
        Some((name, Section { offset, size }))
    };
    let (_, names) = section(shstrndx)?;
    let names = file.read_at(names.offset, names.size.min(1 << 20) as u32);
    let mut out = Vec::new();
    for i in 0..shnum {
        let Some((name_at, found)) = section(i) else { continue };
        let Some(rest) = names.get(name_at as usize..) else { continue };
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        let name = String::from_utf8_lossy(&rest[..end]);
        if wanted.contains(&name.as_ref()) {
            out.push((name.into_owned(), found));
        }
    }
    Some(out)
}

/// A Go varint-prefixed string at `at`: (text, bytes used).
fn go_string(data: &[u8], at: usize) -> Option<(String, usize)> {
    let mut len: u64 = 0;
    let mut shift = 0;
    let mut i = at;
    loop {
        let byte = *data.get(i)?;
        len |= u64::from(byte & 0x7f) << shift;
        i += 1;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let end = i.checked_add(usize::try_from(len).ok()?)?;
    Some((String::from_utf8_lossy(data.get(i..end)?).into_owned(), end - at))
}

/// The Go toolchain version and modules of a binary's `.go.buildinfo` section.
pub fn go_modules(section: &[u8], found_in: &str) -> Result<Vec<InstalledPackage>, String> {
    if !section.starts_with(b"\xff Go buildinf:") || section.len() < 32 {
        return Err("no Go build information".into());
    }
    if section[15] & 0x2 == 0 {
        return Err("Go build information from before Go 1.18 is not read".into());
    }
    let (version, used) = go_string(section, 32).ok_or("truncated Go version")?;
    let (mut modinfo, _) = go_string(section, 32 + used).ok_or("truncated module information")?;
    // The module information is framed by 16 sentinel bytes on each side.
    if modinfo.len() >= 33 && modinfo.is_char_boundary(16) && modinfo.is_char_boundary(modinfo.len() - 16) {
        modinfo = modinfo[16..modinfo.len() - 16].to_owned();
    }
    let module = |path: &str, version: &str| {
        let (namespace, name) = path.rsplit_once('/').map_or((None, path), |(ns, n)| (Some(ns), n));
        InstalledPackage::new("golang", path, version, purl("golang", namespace, name, version, &[]), found_in)
    };
    // `go1.21.5 X:boringcrypto` → the toolchain `go1.21.5`, whose purl version is `1.21.5`.
    let toolchain = version.split_whitespace().next().unwrap_or_default().to_owned();
    let mut stdlib = module("stdlib", &toolchain);
    stdlib.purl = purl("golang", None, "stdlib", toolchain.trim_start_matches("go"), &[]);
    let mut out = vec![stdlib];
    // A binary built outside module mode names only its main package (`path`).
    if !modinfo.lines().any(|l| l.starts_with("mod\t"))
        && let Some(path) = modinfo.lines().find_map(|l| l.strip_prefix("path\t"))
    {
        out.push(module(path, "(devel)"));
    }
    for line in modinfo.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["mod", path, version, ..] => out.push(module(path, version)),
            ["dep", path, version, ..] => out.push(module(path, version)),
            // A replacement applies to the dependency just before it.
            ["=>", path, version, ..] if out.len() > 1 => {
                let last = out.len() - 1;
                out[last] = module(path, version);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The crates of a cargo-auditable `.dep-v0` section.
pub fn rust_crates(section: &[u8], found_in: &str) -> Result<Vec<InstalledPackage>, String> {
    use std::io::Read;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(section)
        .take(8 << 20)
        .read_to_end(&mut json)
        .map_err(|err| format!("cargo-auditable data does not inflate: {err}"))?;
    let value: serde_json::Value =
        serde_json::from_slice(&json).map_err(|err| format!("cargo-auditable data: {err}"))?;
    let packages = value.get("packages").and_then(|p| p.as_array()).ok_or("cargo-auditable data without packages")?;
    Ok(packages
        .iter()
        .filter(|p| p.get("kind").and_then(|k| k.as_str()).is_none_or(|k| k == "runtime"))
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            let version = p.get("version")?.as_str()?;
            Some(InstalledPackage::new("cargo", name, version, purl("cargo", None, name, version, &[]), found_in))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buildinfo(version: &str, modinfo: &str) -> Vec<u8> {
        let mut out = b"\xff Go buildinf:".to_vec();
        out.extend_from_slice(&[8, 2]);
        out.resize(32, 0);
        let framed = format!("{}{modinfo}{}", "x".repeat(16), "y".repeat(16));
        for s in [version, framed.as_str()] {
            out.push(s.len() as u8 | if s.len() > 127 { 0x80 } else { 0 });
            if s.len() > 127 {
                out.push((s.len() >> 7) as u8);
            }
            out.extend_from_slice(s.as_bytes());
        }
        out
    }

    #[test]
    fn go_build_information() {
        let info = "path\tgithub.com/acme/tool\nmod\tgithub.com/acme/tool\t(devel)\t\ndep\tgolang.org/x/net\tv0.17.0\th1:x\ndep\tgithub.com/old/dep\tv1.0.0\th1:y\n=>\tgithub.com/new/dep\tv1.0.1\th1:z\nbuild\t-compiler=gc\n";
        let got = go_modules(&buildinfo("go1.21.5", info), "/usr/bin/tool").unwrap();
        let purls: Vec<&str> = got.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:golang/stdlib@1.21.5",
                "pkg:golang/github.com/acme/tool@%28devel%29",
                "pkg:golang/golang.org/x/net@v0.17.0",
                "pkg:golang/github.com/new/dep@v1.0.1"
            ]
        );
        assert!(go_modules(b"\xff Go buildinf:\x08\x00xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "x").is_err());
    }

    #[test]
    fn rust_auditable() {
        use std::io::Write;
        let json = r#"{"packages":[{"name":"serde","version":"1.0.200","source":"crates.io"},{"name":"cc","version":"1.0.0","kind":"build"}]}"#;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(json.as_bytes()).unwrap();
        let got = rust_crates(&encoder.finish().unwrap(), "/usr/bin/x").unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].purl, "pkg:cargo/serde@1.0.200");
    }

    #[test]
    fn elf_section_headers() {
        // This test binary is an ELF file on Linux: find its sections.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        if exe.starts_with(b"\x7fELF") {
            let found = elf_sections(&exe, &[".text"]).unwrap();
            assert_eq!(found.len(), 1);
        }
        assert!(elf_sections(&b"not an elf".to_vec(), &[".text"]).is_none());
    }

    #[test]
    fn damaged_binaries_are_errors_not_crashes() {
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let mut seed: u64 = 0x1234_5678_9abc_def1;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let mut bytes = exe[..exe.len().min(1 << 16)].to_vec();
            for _ in 0..8 {
                let at = (next() as usize) % 256.min(bytes.len());
                bytes[at] = next() as u8;
            }
            let _ = elf_sections(&bytes, &[".go.buildinfo", ".dep-v0"]);
            let mut info = b"\xff Go buildinf:\x08\x02".to_vec();
            info.extend((0..64).map(|_| next() as u8));
            let _ = go_modules(&info, "x");
            let _ = rust_crates(&info, "x");
        }
    }
}
