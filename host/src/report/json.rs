//! The JSON report.

use super::ScanReport;

/// The report as pretty-printed JSON with a trailing newline. Field order is
/// fixed and findings are sorted, so the same image gives the same bytes.
pub fn to_json(report: &ScanReport) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report model always serialises");
    text.push('\n');
    text
}
