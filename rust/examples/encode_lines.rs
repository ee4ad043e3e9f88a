//! Encodes records given on stdin, one a line, as the writer would write them, one line out per
//! line in: `{"seq": N, "prev": "…", "logged_ms": MS, "record": {"request"|"response"|"writer": …}}`
//! in the golden vectors' input form (schema/vectors/README.md). The TypeScript property test
//! (test/vectors/cross-encoder.test.ts) feeds it random hostile records and compares its bytes
//! with the TypeScript writer's.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, Write};

use common::{OwnedRequest, OwnedResponse};
use serde_json::Value;
use sudo_proxy_audit::line::{encode_line, Record};
use sudo_proxy_audit::{WriterEvent, WriterRecord};

fn main() {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let line = line.expect("stdin");
        if line.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line).expect("an input line");
        let (seq, prev, logged) = (v["seq"].as_u64().unwrap_or(1), v["prev"].as_str().unwrap_or(""), v["logged_ms"].as_i64().unwrap_or(0));
        let record = &v["record"];
        let bytes = if let Some(r) = record.get("request") {
            OwnedRequest::from_json(r).with(|r| encode_line(&Record::Request(r), seq, prev, logged))
        } else if let Some(r) = record.get("response") {
            OwnedResponse::from_json(r).with(|r| encode_line(&Record::Response(r), seq, prev, logged))
        } else {
            let w = &record["writer"];
            let event = match w["event"].as_str() {
                Some("start") => WriterEvent::Start,
                Some("stop") => WriterEvent::Stop,
                _ => WriterEvent::Dropped,
            };
            let error = w.get("error").and_then(Value::as_str);
            let record = WriterRecord { time_ms: w["time_ms"].as_i64().unwrap_or(0), event, pid: w["pid"].as_i64().unwrap_or(0), dropped: w.get("dropped").and_then(Value::as_u64), error };
            encode_line(&Record::Writer(record), seq, prev, logged)
        };
        out.write_all(&bytes).and_then(|()| out.write_all(b"\n")).expect("stdout");
    }
}
