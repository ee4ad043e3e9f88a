//! The golden vectors (schema/vectors/): the Rust writer must produce the bytes the
//! TypeScript writer produced for the same inputs (test/vectors/vectors.test.ts checks the
//! TypeScript side against the same files).

mod common;

use common::{drive, encode_vector_line, session_options, vectors, Harness, TempDir};
use sudo_proxy_audit::line::hash_line;
use sudo_proxy_audit::AuditLog;

#[test]
fn every_line_vector_encodes_to_its_exact_bytes() {
    let all = vectors("lines.json");
    let lines = all["lines"].as_array().unwrap();
    assert!(lines.len() > 30);
    let mut failures = Vec::new();
    for v in lines {
        let line = encode_vector_line(v);
        let name = v["name"].as_str().unwrap();
        if let Some(expected) = v.get("line").and_then(serde_json::Value::as_str) {
            if line != expected.as_bytes() {
                failures.push(format!("{}:\n  expected {}\n  got      {}", name, expected, String::from_utf8_lossy(&line)));
                continue;
            }
        }
        if line.len() as u64 != v["bytes"].as_u64().unwrap() || hash_line(&line) != v["sha256"].as_str().unwrap() {
            let head: String = String::from_utf8_lossy(&line).chars().take(300).collect();
            failures.push(format!("{}: {} bytes (expected {}), starting {}", name, line.len(), v["bytes"], head));
        }
    }
    assert!(failures.is_empty(), "{} of {} line vectors differ:\n{}", failures.len(), lines.len(), failures.join("\n"));
}

#[test]
fn every_session_vector_leaves_its_exact_file() {
    let all = vectors("sessions.json");
    let sessions = all["sessions"].as_array().unwrap();
    assert!(sessions.len() >= 8);
    for v in sessions {
        let dir = TempDir::new("vectors");
        let file = dir.join("audit.log");
        if let Some(existing) = v.get("existing").and_then(serde_json::Value::as_str) {
            write_0600(&file, existing);
        }
        if let Some(rotated) = v.get("rotated").and_then(serde_json::Value::as_str) {
            write_0600(&dir.join("audit.log.1"), rotated);
        }
        let harness = Harness::new(v["open_at"].as_i64().unwrap());
        let options = session_options(v, &harness, file.clone());
        let log = AuditLog::open(options);
        drive(&log, &harness, v["steps"].as_array().unwrap());
        log.close();
        let got = std::fs::read_to_string(&file).unwrap();
        assert_eq!(got, v["expected"].as_str().unwrap(), "session vector: {}", v["name"]);
    }
}

fn write_0600(path: &std::path::Path, text: &str) {
    use std::os::unix::fs::OpenOptionsExt;
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}
