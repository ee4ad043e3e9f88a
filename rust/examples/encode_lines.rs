//! Encodes records given on stdin, one a line, as the writer would write them, one line out per
//! line in: `{"seq": N, "prev": "…", "logged_ms": MS, "record": {"request"|"response"|"policy"|"writer": …}}`
//! in the golden vectors' input form (schema/vectors/README.md). The TypeScript property test
//! (test/vectors/cross-encoder.test.ts) feeds it random hostile records and compares its bytes
//! with the TypeScript writer's.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, Write};

use common::encode_vector_line;
use serde_json::Value;

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
        let bytes = encode_vector_line(&v);
        out.write_all(&bytes).and_then(|()| out.write_all(b"\n")).expect("stdout");
    }
}
