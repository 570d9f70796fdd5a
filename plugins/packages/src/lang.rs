//! Application packages from the metadata their installers leave behind:
//! Python (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`), Node
//! (`node_modules/**/package.json`), Ruby (`specifications/*.gemspec`), PHP
//! (`composer/installed.json`) and .NET (`*.deps.json`).

use crate::purl::purl;
use bosun_plugin_sdk::InstalledPackage;
use serde_json::Value;

fn package(
    ecosystem: &str,
    name: &str,
    version: &str,
    purl: String,
    licenses: Vec<String>,
    found_in: &str,
) -> InstalledPackage {
    InstalledPackage { licenses, ..InstalledPackage::new(ecosystem, name, version, purl, found_in) }
}

/// PEP 503 name normalisation: lower case, runs of `-_.` as one `-`.
pub fn pypi_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// A Python core-metadata file (RFC 822 headers until the first blank line).
pub fn python(text: &str, found_in: &str) -> Option<InstalledPackage> {
    let (mut name, mut version, mut licenses) = (None, None, Vec::new());
    let mut expression = None;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match key {
            "Name" => name = Some(value.to_owned()),
            "Version" => version = Some(value.to_owned()),
            "License-Expression" => expression = Some(value.to_owned()),
            "License" if !value.is_empty() && value != "UNKNOWN" && value.len() < 80 => licenses.push(value.to_owned()),
            "Classifier" => {
                if let Some(license) = value.strip_prefix("License :: OSI Approved :: ") {
                    licenses.push(license.to_owned());
                }
            }
            _ => {}
        }
    }
    let (name, version) = (name?, version?);
    if let Some(expression) = expression {
        licenses = vec![expression];
    }
    licenses.dedup();
    let purl = purl("pypi", None, &pypi_name(&name), &version, &[]);
    Some(package("pypi", &name, &version, purl, licenses, found_in))
}

fn json_licenses(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(|s| vec![s.to_owned()]).unwrap_or_default(),
        Value::Array(items) => items.iter().flat_map(json_licenses).collect(),
        _ => Vec::new(),
    }
}

/// A `package.json` inside `node_modules`.
pub fn npm(text: &str, found_in: &str) -> Option<InstalledPackage> {
    let json: Value = serde_json::from_str(text).ok()?;
    let name = json.get("name")?.as_str()?;
    let version = json.get("version")?.as_str()?;
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let licenses = json.get("license").or_else(|| json.get("licenses")).map(json_licenses).unwrap_or_default();
    let (namespace, short) = match name.split_once('/') {
        Some((scope, short)) if scope.starts_with('@') => (Some(scope), short),
        _ => (None, name),
    };
    let purl = purl("npm", namespace, short, version, &[]);
    Some(package("npm", name, version, purl, licenses, found_in))
}

/// A RubyGems specification (`specifications/NAME-VERSION.gemspec`).
pub fn gemspec(text: &str, found_in: &str) -> Option<InstalledPackage> {
    let quoted = |line: &str| -> Option<String> {
        let start = line.find(['"', '\''])?;
        let quote = line[start..].chars().next()?;
        let rest = &line[start + 1..];
        rest.find(quote).map(|end| rest[..end].to_owned())
    };
    let (mut name, mut version, mut licenses) = (None, None, Vec::new());
    for line in text.lines() {
        let line = line.trim();
        let Some((lhs, rhs)) = line.split_once('=') else { continue };
        match lhs.trim().rsplit('.').next().unwrap_or_default() {
            "name" if name.is_none() => name = quoted(rhs),
            "version" if version.is_none() => version = quoted(rhs),
            "licenses" | "license" if licenses.is_empty() => {
                let mut rest = rhs;
                while let Some(license) = quoted(rest) {
                    let skip = rest.find(license.as_str()).unwrap_or(0) + license.len() + 1;
                    licenses.push(license);
                    rest = rest.get(skip..).unwrap_or_default();
                }
            }
            _ => {}
        }
    }
    let (name, version) = (name?, version?);
    let purl = purl("gem", None, &name, &version, &[]);
    Some(package("gem", &name, &version, purl, licenses, found_in))
}

/// Composer's `vendor/composer/installed.json` (v1: an array; v2: `{"packages": […]}`).
pub fn composer(text: &str, found_in: &str) -> Vec<InstalledPackage> {
    let Ok(json) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let list = json.get("packages").unwrap_or(&json).as_array().cloned().unwrap_or_default();
    list.iter()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            let version = p.get("version")?.as_str()?;
            let (vendor, short) = name.split_once('/').unwrap_or(("", name));
            let purl = purl("composer", Some(vendor), short, version, &[]);
            Some(package(
                "composer",
                name,
                version,
                purl,
                p.get("license").map(json_licenses).unwrap_or_default(),
                found_in,
            ))
        })
        .collect()
}

/// A .NET `*.deps.json`: the NuGet packages (`"type": "package"`) among its libraries.
pub fn dotnet(text: &str, found_in: &str) -> Vec<InstalledPackage> {
    let Ok(json) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let Some(libraries) = json.get("libraries").and_then(Value::as_object) else { return Vec::new() };
    libraries
        .iter()
        .filter(|(_, lib)| lib.get("type").and_then(Value::as_str) == Some("package"))
        .filter_map(|(key, _)| {
            let (name, version) = key.split_once('/')?;
            Some(package("nuget", name, version, purl("nuget", None, name, version, &[]), Vec::new(), found_in))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_metadata() {
        let text = "Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0.1\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License\n\nName: not-this\n";
        let p = python(text, "/x/METADATA").unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str(), p.purl.as_str()),
            ("PyYAML", "6.0.1", "pkg:pypi/pyyaml@6.0.1")
        );
        assert_eq!(p.licenses, ["MIT", "MIT License"]);
        assert_eq!(pypi_name("Zope.Interface__x"), "zope-interface-x");
    }

    #[test]
    fn npm_gem_composer_dotnet() {
        let p = npm(
            r#"{"name":"@babel/core","version":"7.24.0","license":"MIT"}"#,
            "/app/node_modules/@babel/core/package.json",
        )
        .unwrap();
        assert_eq!(p.purl, "pkg:npm/%40babel/core@7.24.0");
        assert!(npm(r#"{"name":"x"}"#, "p").is_none());
        let gem = gemspec("Gem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"3.0.8\"\n  s.licenses = [\"MIT\".freeze]\nend\n", "g").unwrap();
        assert_eq!(
            (gem.name.as_str(), gem.version.as_str(), gem.licenses.clone()),
            ("rack", "3.0.8", vec!["MIT".to_owned()])
        );
        let c = composer(r#"{"packages":[{"name":"monolog/monolog","version":"3.5.0","license":["MIT"]}]}"#, "c");
        assert_eq!(c[0].purl, "pkg:composer/monolog/monolog@3.5.0");
        let d = dotnet(
            r#"{"libraries":{"App/1.0.0":{"type":"project"},"Newtonsoft.Json/13.0.1":{"type":"package"}}}"#,
            "d",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].purl, "pkg:nuget/Newtonsoft.Json@13.0.1");
    }
}
