//! bosun's vulnerability matcher, in progress. Its foundations come first:
//! version comparisons exact to each ecosystem's own tool, OSV range
//! evaluation on top of them, and the remediation commands findings carry.

pub mod range;
pub mod remedy;
pub mod version;
