//! `--format github` and `--format sarif` of `augur check` and `augur test`:
//! the same findings as the JSON output, as GitHub Actions annotations
//! (`::error file=…,line=…,col=…::message`) or as one SARIF 2.1.0 log for
//! code-scanning tools. Rendering only: the findings come from the JSON
//! records `main.rs` already builds.

use clap::ValueEnum;
use serde_json::{json, Value as Json};

/// Output formats of `augur check` and `augur test`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Jsonl,
    /// GitHub Actions workflow annotations, one a line
    Github,
    /// One SARIF 2.1.0 log (code scanning)
    Sarif,
}

/// One thing to point at in a file.
#[derive(Clone, Debug)]
pub struct Finding {
    pub file: String,
    pub line: u64,
    pub column: Option<u64>,
    pub end: Option<(u64, u64)>,
    pub error: bool,
    /// A stable code (`augur::unknown-name`, `augur::test-failed`).
    pub rule: String,
    pub message: String,
}

/// A finding from a diagnostic record of `augur check --format json`.
pub fn from_diagnostic(record: &Json) -> Finding {
    let number = |key: &str| record.get(key).and_then(Json::as_u64);
    let mut message = record
        .get("message")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(help) = record.get("help").and_then(Json::as_str) {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    Finding {
        file: record
            .get("file")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        line: number("line").unwrap_or(1),
        column: number("column"),
        end: number("end_line").zip(number("end_column")),
        error: record.get("severity").and_then(Json::as_str) != Some("warning"),
        rule: record
            .get("code")
            .and_then(Json::as_str)
            .unwrap_or("augur")
            .to_string(),
        message,
    }
}

/// Findings from the records of `augur test --format json`: each failed
/// `expect`, each test that could not run, each file below
/// `--min-coverage`.
pub fn from_test_records(records: &[Json]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for record in records {
        let text = |key: &str| record.get(key).and_then(Json::as_str).unwrap_or_default();
        if let Some(file) = record.get("coverage").and_then(Json::as_str) {
            if record.get("below_minimum") == Some(&Json::Bool(true)) {
                findings.push(Finding {
                    file: file.to_string(),
                    line: 1,
                    column: None,
                    end: None,
                    error: true,
                    rule: "augur::coverage".into(),
                    message: format!(
                        "test coverage {:.1}% is below the minimum {}%",
                        record.get("percent").and_then(Json::as_f64).unwrap_or(0.0),
                        record.get("minimum").and_then(Json::as_f64).unwrap_or(0.0)
                    ),
                });
            }
            continue;
        }
        let file = text("file").to_string();
        let name = text("name");
        if let Some(error) = record.get("error").and_then(Json::as_str) {
            findings.push(Finding {
                file: file.clone(),
                line: record.get("line").and_then(Json::as_u64).unwrap_or(1),
                column: None,
                end: None,
                error: true,
                rule: "augur::test-error".into(),
                message: format!("test {name} could not run: {error}"),
            });
        }
        let failures = record.get("failures").and_then(Json::as_array);
        for failure in failures.into_iter().flatten() {
            let field = |key: &str| failure.get(key).and_then(Json::as_str).unwrap_or_default();
            findings.push(Finding {
                file: file.clone(),
                line: failure.get("line").and_then(Json::as_u64).unwrap_or(1),
                column: None,
                end: None,
                error: true,
                rule: "augur::test-failed".into(),
                message: format!(
                    "test {name}: expect {} — {}",
                    field("expect"),
                    field("reason")
                ),
            });
        }
    }
    findings
}

/// `%`, CR and LF escaped as GitHub's workflow commands require.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values also escape `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error …::message` (or `::warning`) line per finding.
pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let mut properties = vec![
            format!("file={}", escape_property(&f.file)),
            format!("line={}", f.line),
        ];
        if let Some(column) = f.column {
            properties.push(format!("col={column}"));
        }
        if let Some((line, column)) = f.end {
            properties.push(format!("endLine={line}"));
            properties.push(format!("endColumn={column}"));
        }
        properties.push(format!("title={}", escape_property(&f.rule)));
        out.push_str(&format!(
            "::{} {}::{}\n",
            if f.error { "error" } else { "warning" },
            properties.join(","),
            escape_data(&f.message)
        ));
    }
    out
}

/// A relative path as a URI reference: `/` kept, unreserved characters
/// kept, every other byte percent-encoded (so Chinese names and spaces are
/// valid).
fn uri(path: &str) -> String {
    let mut out = String::new();
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One SARIF 2.1.0 log with one run of `augur`.
pub fn sarif(findings: &[Finding]) -> Json {
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    let results: Vec<Json> = findings
        .iter()
        .map(|f| {
            let mut region = serde_json::Map::new();
            region.insert("startLine".into(), json!(f.line.max(1)));
            if let Some(column) = f.column {
                region.insert("startColumn".into(), json!(column.max(1)));
            }
            if let Some((line, column)) = f.end {
                region.insert("endLine".into(), json!(line.max(1)));
                region.insert("endColumn".into(), json!(column.max(1)));
            }
            json!({
                "ruleId": f.rule,
                "ruleIndex": rules.iter().position(|r| *r == f.rule).unwrap_or(0),
                "level": if f.error { "error" } else { "warning" },
                "message": { "text": f.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.file) },
                        "region": region,
                    }
                }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "augur",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|r| json!({
                    "id": r,
                    "shortDescription": { "text": format!("Augur {r}") },
                })).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// Prints findings as GitHub annotations or as a SARIF log (other formats
/// print nothing here).
pub fn print(format: ReportFormat, findings: &[Finding]) {
    use std::io::Write;
    let text = match format {
        ReportFormat::Github => github(findings),
        ReportFormat::Sarif => {
            let mut text = serde_json::to_string_pretty(&sarif(findings)).unwrap_or_default();
            text.push('\n');
            text
        }
        ReportFormat::Text | ReportFormat::Json | ReportFormat::Jsonl => return,
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
