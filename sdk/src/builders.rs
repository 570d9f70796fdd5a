//! Constructors for the WIT records, so a plugin spells out only what matters.

use crate::{Analysis, Category, Confidence, FileInterest, Finding, Location, PluginInfo, Roles, Severity};

impl Default for Analysis {
    fn default() -> Self {
        Analysis { findings: Vec::new(), packages: Vec::new(), os: None }
    }
}

impl Analysis {
    /// An analysis that reports only findings.
    pub fn with_findings(findings: Vec<Finding>) -> Self {
        Analysis { findings, ..Analysis::default() }
    }
}

impl Default for Location {
    fn default() -> Self {
        Location {
            path: None,
            layer_digest: None,
            line_start: None,
            line_end: None,
            byte_start: None,
            byte_end: None,
            history_index: None,
        }
    }
}

impl Location {
    /// A location in the file at `path` (an absolute image path).
    pub fn in_file(path: &str) -> Self {
        Location { path: Some(path.to_owned()), ..Location::default() }
    }

    /// A location at one entry of the image history.
    pub fn in_history(index: u32) -> Self {
        Location { history_index: Some(index), ..Location::default() }
    }

    /// Narrow the location to bytes `start..end` of `text`, with their line numbers.
    pub fn with_span(mut self, text: &str, start: usize, end: usize) -> Self {
        self.byte_start = Some(start as u64);
        self.byte_end = Some(end as u64);
        self.line_start = Some(crate::line_of(text, start));
        self.line_end = Some(crate::line_of(text, end.saturating_sub(1).max(start)));
        self
    }
}

impl Finding {
    /// A finding with the required fields; refine it with the other builders.
    pub fn new(rule_id: &str, category: Category, severity: Severity, title: &str) -> Self {
        Finding {
            rule_id: rule_id.to_owned(),
            category,
            title: title.to_owned(),
            description: String::new(),
            severity,
            confidence: Confidence::Medium,
            location: Location::default(),
            evidence: None,
            package_purl: None,
            installed_version: None,
            fixed_version: None,
            remediation: None,
            references: Vec::new(),
            tags: Vec::new(),
        }
    }

    /// Set where the finding is.
    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    /// Set the description.
    pub fn described(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Set the confidence.
    pub fn confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }

    /// Set the (already redacted) evidence.
    pub fn evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }

    /// Set the remediation advice.
    pub fn remediation(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = Some(remediation.into());
        self
    }

    /// Add tags.
    pub fn tagged(mut self, tags: &[&str]) -> Self {
        self.tags.extend(tags.iter().map(|t| (*t).to_owned()));
        self
    }

    /// Add a reference link.
    pub fn reference(mut self, url: &str) -> Self {
        self.references.push(url.to_owned());
        self
    }
}

impl Default for FileInterest {
    fn default() -> Self {
        FileInterest {
            globs: Vec::new(),
            basenames: Vec::new(),
            extensions: Vec::new(),
            magic: Vec::new(),
            max_size: None,
            include_special: false,
        }
    }
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl FileInterest {
    /// Files whose absolute path matches one of the globs (`**/*.pem`).
    pub fn globs(globs: &[&str]) -> Self {
        FileInterest { globs: owned(globs), ..FileInterest::default() }
    }

    /// Files with one of these exact names (`id_rsa`).
    pub fn basenames(names: &[&str]) -> Self {
        FileInterest { basenames: owned(names), ..FileInterest::default() }
    }

    /// Files with one of these extensions, without the dot (`php`).
    pub fn extensions(extensions: &[&str]) -> Self {
        FileInterest { extensions: owned(extensions), ..FileInterest::default() }
    }

    /// Also want files matching these globs.
    pub fn and_globs(mut self, globs: &[&str]) -> Self {
        self.globs.extend(owned(globs));
        self
    }

    /// Also want files with these names.
    pub fn and_basenames(mut self, names: &[&str]) -> Self {
        self.basenames.extend(owned(names));
        self
    }

    /// Also want files with these extensions.
    pub fn and_extensions(mut self, extensions: &[&str]) -> Self {
        self.extensions.extend(owned(extensions));
        self
    }

    /// Also want files whose content starts with this byte prefix.
    pub fn and_magic(mut self, prefix: &[u8]) -> Self {
        self.magic.push(prefix.to_vec());
        self
    }

    /// Never offer files larger than `bytes`.
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.max_size = Some(bytes);
        self
    }
}

impl PluginInfo {
    /// A plugin with an id (kebab-case, used by `--scanners`) and a description.
    pub fn new(id: &str, description: &str) -> Self {
        PluginInfo {
            id: id.to_owned(),
            name: id.to_owned(),
            version: "0.1.0".to_owned(),
            description: description.to_owned(),
            roles: Roles::empty(),
            interest: FileInterest::default(),
            datasets: Vec::new(),
        }
    }

    /// Set the human-readable name.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// Set the plugin's version.
    pub fn version(mut self, version: &str) -> Self {
        self.version = version.to_owned();
        self
    }

    /// Declare the `analyze-file` role with the files it wants.
    pub fn analyzing_files(mut self, interest: FileInterest) -> Self {
        self.roles = self.roles | Roles::ANALYZE_FILE;
        self.interest = interest;
        self
    }

    /// Declare the `analyze-image` role.
    pub fn analyzing_image(mut self) -> Self {
        self.roles = self.roles | Roles::ANALYZE_IMAGE;
        self
    }

    /// Declare the `match-inventory` role.
    pub fn matching_inventory(mut self) -> Self {
        self.roles = self.roles | Roles::MATCH_INVENTORY;
        self
    }

    /// Declare a dataset the plugin opens with [`open_dataset`](crate::open_dataset).
    pub fn with_dataset(mut self, name: &str) -> Self {
        self.datasets.push(name.to_owned());
        self
    }
}

impl Severity {
    /// Lower-case name, as reports print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}
