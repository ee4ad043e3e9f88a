//! `scan_lines FILE [--seed LO HI] [--limit N] [--reasons] [--bench RUNS]`
//!
//! Prints one JSON object a line of FILE (split at '\n' only, as the engine splits): the
//! line's `scan_record` result, or `null` when it is declined (with `--reasons`:
//! `{"declined":"Outside"}` and the like). native/scripts/js-scan-lines.mjs prints the same for
//! the JavaScript `scanRecord`; native/scripts/compare-scan.mjs compares the two.
//!
//! Numbers that are doubles are printed as their bits (`"x" + 16 hex digits`, or `"NaN"`), so
//! that -0, NaN and the last bit all compare exactly.
//!
//! `--bench RUNS` prints no lines: it times `scan_record` over all of them, RUNS times, and
//! prints the seconds of each run and what it accepted.
use std::io::Write;
use std::time::Instant;
use sudo_proxy_audit_native::scan::{scan_record, try_scan_record, ScannedRecord};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut seed = (0u32, 0u32);
    let mut limit = usize::MAX;
    let mut reasons = false;
    let mut bench_runs = 0usize;
    let mut k = 0;
    while k < args.len() {
        match args[k].as_str() {
            "--seed" => {
                seed = (arg(&args, k + 1), arg(&args, k + 2));
                k += 2;
            }
            "--limit" => {
                limit = arg(&args, k + 1);
                k += 1;
            }
            "--reasons" => reasons = true,
            "--bench" => {
                bench_runs = arg(&args, k + 1);
                k += 1;
            }
            other => file = Some(other.to_string()),
        }
        k += 1;
    }
    let Some(file) = file else {
        eprintln!("usage: scan_lines FILE [--seed LO HI] [--limit N] [--reasons] [--bench RUNS]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&file).unwrap_or_else(|e| {
        eprintln!("{file}: {e}");
        std::process::exit(1);
    });
    let lines = lines_of(&bytes, limit);
    if bench_runs > 0 {
        // The bytes of the lines scanned, newlines included.
        let scanned = lines.iter().map(|l| l.len() + 1).sum::<usize>().min(bytes.len());
        return bench(&lines, seed, bench_runs, scanned);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut text = String::new();
    for line in lines {
        text.clear();
        match try_scan_record(line, seed) {
            Ok(r) => json_of(&r, line, &mut text),
            Err(why) if reasons => text.push_str(&format!("{{\"declined\":\"{why:?}\"}}")),
            Err(_) => text.push_str("null"),
        }
        text.push('\n');
        out.write_all(text.as_bytes()).expect("stdout");
    }
    out.flush().expect("stdout");
}

fn arg<T: std::str::FromStr>(args: &[String], k: usize) -> T {
    args.get(k).and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        eprintln!("scan_lines: a number expected after {}", args[k - 1]);
        std::process::exit(2);
    })
}

/// The file's lines as the engine splits them: at each '\n', the last without one if any.
fn lines_of(bytes: &[u8], limit: usize) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes.split(|&c| c == b'\n').collect();
    // (The piece after a last '\n' is no line, nor is an empty file's one piece.)
    if bytes.is_empty() || bytes.last() == Some(&b'\n') {
        lines.pop();
    }
    lines.truncate(limit);
    lines
}

fn bench(lines: &[&[u8]], seed: (u32, u32), runs: usize, bytes: usize) {
    for run in 0..runs {
        let t0 = Instant::now();
        let mut accepted = 0usize;
        // Summed so that the optimiser keeps every call.
        let mut check = 0f64;
        for line in lines {
            if let Some(r) = scan_record(line, seed) {
                accepted += 1;
                check += r.id_hash + r.time_ms;
            }
        }
        let s = t0.elapsed().as_secs_f64();
        println!(
            "{{\"run\":{run},\"seconds\":{s:.4},\"lines\":{},\"accepted\":{accepted},\"mb_per_s\":{:.1},\"check\":{check}}}",
            lines.len(),
            bytes as f64 / s / 1e6
        );
    }
}

/// A double as its bits (`"x…"`), or `"NaN"` (any NaN: JavaScript has one).
fn num(v: f64) -> String {
    if v.is_nan() {
        "\"NaN\"".to_string()
    } else {
        format!("\"x{:016x}\"", v.to_bits())
    }
}

/// A string of printable ASCII as a JSON string.
fn json_string(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for &c in s {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\u{c:04x}")),
        }
    }
    out.push('"');
    out
}

fn json_of(r: &ScannedRecord, line: &[u8], out: &mut String) {
    // The JavaScript's operator key: operatorKey's JSON.stringify([uid, user]) (a safe integer ≥ 0, plain ASCII).
    let operator = if r.operator_uid < 0.0 {
        String::new()
    } else {
        let user = line.get(r.operator_user_start as usize..r.operator_user_end as usize).unwrap_or(b"?");
        format!("[{},\"{}\"]", r.operator_uid as u64, String::from_utf8_lossy(user))
    };
    out.push_str(&format!(
        concat!(
            "{{\"kind\":{},\"chained\":{},\"seq\":{},\"prev_start\":{},\"id_hash\":{},\"id\":[{},{}],\"time_ms\":{},",
            "\"host\":[{},{}],\"session\":[{},{}],\"reason\":[{},{}],\"command\":[{},{}],\"resolved\":[{},{}],\"error\":[{},{}],",
            "\"privileged\":{},\"decision\":{},\"policy\":{},\"latency_ms\":{},\"reject\":{},\"operator\":{},\"failed\":{},\"duration_ms\":{}}}"
        ),
        r.kind,
        r.chained,
        num(r.seq),
        r.prev_start,
        num(r.id_hash),
        r.id_start,
        r.id_end,
        num(r.time_ms),
        r.host_start,
        r.host_end,
        r.session_start,
        r.session_end,
        r.reason_start,
        r.reason_end,
        r.command_start,
        r.command_end,
        r.resolved_start,
        r.resolved_end,
        r.error_start,
        r.error_end,
        r.privileged,
        r.decision,
        r.policy,
        num(r.latency_ms),
        r.reject,
        json_string(operator.as_bytes()),
        r.failed,
        num(r.duration_ms),
    ));
}
