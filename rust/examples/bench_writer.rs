//! The Rust writer's throughput and per-append latency, for `npm run bench:writer`
//! (test/bench/writer.ts runs it beside the TypeScript writer, on the same operations).
//!
//!   bench_writer --ops FILE --dir DIR [--records N] [--rounds R]
//!
//! FILE: one operation a line, `{"request": …}` or `{"response": …}` in the golden vectors'
//! input form (schema/vectors/README.md). Each round writes N records to a fresh log in DIR,
//! timing each append; the median round (by records/s) is reported as one line of JSON.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{OwnedRequest, OwnedResponse};
use sudo_proxy_audit::{AuditLog, Options};

enum Op {
    Request(OwnedRequest),
    Response(OwnedResponse),
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let ops_file = arg(&args, "--ops").expect("--ops FILE");
    let dir = std::path::PathBuf::from(arg(&args, "--dir").expect("--dir DIR"));
    let records: usize = arg(&args, "--records").map_or(100_000, |v| v.parse().expect("--records N"));
    let rounds: usize = arg(&args, "--rounds").map_or(5, |v| v.parse().expect("--rounds R"));
    let ops: Vec<Op> = std::fs::read_to_string(&ops_file)
        .expect("the ops file")
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("an op");
            match v.get("request") {
                Some(r) => Op::Request(OwnedRequest::from_json(r)),
                None => Op::Response(OwnedResponse::from_json(&v["response"])),
            }
        })
        .collect();

    let mut results: Vec<(f64, Vec<u64>)> = Vec::new();
    for round in 0..rounds + 1 {
        let file = dir.join(format!("rust-{}.log", round));
        let _ = std::fs::remove_file(&file);
        let log = AuditLog::open(Options { path: Some(file.clone()), ..Default::default() });
        let mut lat = vec![0u64; records];
        let t0 = Instant::now();
        for (i, slot) in lat.iter_mut().enumerate() {
            let s = Instant::now();
            match &ops[i % ops.len()] {
                Op::Request(r) => r.with(|r| log.request(r)),
                Op::Response(r) => r.with(|r| log.response(r)),
            }
            *slot = s.elapsed().as_nanos() as u64;
        }
        let seconds = t0.elapsed().as_secs_f64();
        log.close();
        let stats = log.stats();
        assert!(stats.dropped_total == 0 && stats.written == records as u64 + 2, "wrote {:?}", stats);
        let _ = std::fs::remove_file(&file);
        if round > 0 {
            results.push((records as f64 / seconds, lat)); // round 0 warms the page cache
        }
    }
    results.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    let (rate, mut lat) = results.swap_remove(results.len() / 2);
    lat.sort_unstable();
    let p = |q: f64| lat[((q / 100.0) * lat.len() as f64) as usize] as f64 / 1e3;
    println!("{{\"perS\":{:.0},\"p50Us\":{:.3},\"p99Us\":{:.3},\"records\":{},\"rounds\":{}}}", rate, p(50.0), p(99.0), records, rounds);
}
