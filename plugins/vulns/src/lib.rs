//! bosun's vulnerability matcher, in progress: the version comparisons the
//! matcher stands on come first, each exact to its ecosystem's own tool.

pub mod version;
