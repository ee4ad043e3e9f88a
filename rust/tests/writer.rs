//! One test per rule the writer keeps (the TypeScript writer's rules; see src/audit_log.rs).
//! The byte-level rules (escaping, field order, numbers saturating at 2^53−1, the line cap's
//! cuts, chain continuation after a restart, a torn tail, a lost final newline, a rotation
//! just before start) are also held to the TypeScript writer's bytes by tests/vectors.rs.

mod common;

use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{argv, lines, Harness, TempDir};
use serde_json::Value;
use sudo_proxy_audit::line::hash_line;
use sudo_proxy_audit::{parse_audit_args, AuditArgs, AuditLog, Decision, Options, Request, Response, Stage, Via, GENESIS_HASH};

const T0: i64 = 1_768_469_400_000;

fn approved<'a>(id: &'a str, pipeline: &'a [Vec<String>]) -> Request<'a> {
    Request { id, time: "2026-01-15T09:29:58Z", session: "s", pipeline, privileged: true, decision: Decision::Approved, latency_ms: Some(10.0), ..Default::default() }
}

/// Checks every line's prev is the hash of the line before and seq goes up by one.
fn assert_chained(path: &std::path::Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut prev = GENESIS_HASH.to_string();
    for (i, line) in text.lines().filter(|l| !l.is_empty()).enumerate() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["seq"].as_u64(), Some(i as u64 + 1), "line {}", i + 1);
        assert_eq!(v["prev"].as_str(), Some(prev.as_str()), "line {}", i + 1);
        prev = hash_line(line.as_bytes());
    }
}

#[test]
fn default_path_is_xdg_state_home_then_local_state() {
    std::env::set_var("XDG_STATE_HOME", "/srv/state");
    assert_eq!(sudo_proxy_audit::default_audit_log_path().unwrap(), std::path::PathBuf::from("/srv/state/sudo-proxy/audit.log"));
    std::env::set_var("XDG_STATE_HOME", "");
    std::env::set_var("HOME", "/home/op");
    assert_eq!(sudo_proxy_audit::default_audit_log_path().unwrap(), std::path::PathBuf::from("/home/op/.local/state/sudo-proxy/audit.log"));
    std::env::remove_var("XDG_STATE_HOME");
}

#[test]
fn writes_start_records_and_stop_on_close_and_drop() {
    let dir = TempDir::new("startstop");
    let file = dir.join("audit.log");
    let h = Harness::new(T0);
    let log = AuditLog::open(h.options(file.clone()));
    let p = argv(&["id"]);
    log.request(&approved("r1", &p));
    h.advance(5);
    drop(log); // dropping closes too
    let all = lines(&file);
    assert_eq!(all.len(), 3);
    assert_eq!((all[0]["type"].as_str(), all[0]["event"].as_str(), all[0]["pid"].as_i64()), (Some("writer"), Some("start"), Some(4242)));
    assert_eq!(all[2]["event"], "stop");
    assert_eq!(all[2]["logged"], "2026-01-15T09:30:00.005Z");
    assert_chained(&file);
}

#[test]
fn close_is_idempotent_and_later_calls_are_no_ops() {
    let dir = TempDir::new("idem");
    let file = dir.join("audit.log");
    let log = AuditLog::open(Harness::new(T0).options(file.clone()));
    log.close();
    log.close();
    let p = argv(&["id"]);
    log.request(&approved("late", &p));
    assert_eq!(lines(&file).len(), 2);
}

#[test]
fn logged_is_the_writer_clock_and_time_is_kept_as_sent() {
    let dir = TempDir::new("logged");
    let file = dir.join("audit.log");
    let h = Harness::new(T0);
    let log = AuditLog::open(h.options(file.clone()));
    h.set(T0 + 61_000);
    let p = argv(&["id"]);
    log.request(&Request { time: "1999-01-01T00:00:00Z", ..approved("r", &p) });
    log.response(&Response { id: "r", ok: true, ..Default::default() });
    let all = lines(&file);
    assert_eq!(all[1]["logged"], "2026-01-15T09:31:01.000Z");
    assert_eq!(all[1]["time"], "1999-01-01T00:00:00Z");
    // A response without a time of its own gets the writer's.
    assert_eq!(all[2]["time"], "2026-01-15T09:31:01.000Z");
}

#[test]
fn directory_0700_and_file_0600_created_with_parents() {
    let dir = TempDir::new("modes");
    let file = dir.join("a/b/sudo-proxy/audit.log");
    let log = AuditLog::open(Harness::new(T0).options(file.clone()));
    log.close();
    assert_eq!(std::fs::metadata(&file).unwrap().mode() & 0o7777, 0o600);
    assert_eq!(std::fs::metadata(file.parent().unwrap()).unwrap().mode() & 0o7777, 0o700);
    assert!(std::fs::metadata(dir.join("a/b")).unwrap().mode() & 0o022 == 0);
}

#[test]
fn each_record_is_one_write_of_one_complete_line() {
    let dir = TempDir::new("onewrite");
    let file = dir.join("audit.log");
    let writes: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let seen = writes.clone();
    let mut options = Harness::new(T0).options(file.clone());
    options.write = Some(Box::new(move |mut f: &std::fs::File, data: &[u8]| {
        seen.lock().unwrap().push(data.to_vec());
        io::Write::write(&mut f, data)
    }));
    let log = AuditLog::open(options);
    let p = argv(&["echo", "a\nb"]);
    for i in 0..5 {
        log.request(&approved(&format!("r{}", i), &p).clone());
    }
    log.close();
    let writes = writes.lock().unwrap();
    assert_eq!(writes.len(), 7);
    for w in writes.iter() {
        assert_eq!(w.last(), Some(&b'\n'));
        assert_eq!(w.iter().filter(|b| **b == b'\n').count(), 1, "one line per write");
    }
}

#[test]
fn concurrent_writers_never_interleave_within_a_line() {
    let dir = TempDir::new("concurrent");
    let file = dir.join("audit.log");
    let big = "x".repeat(200_000);
    std::thread::scope(|s| {
        for t in 0..4 {
            let file = file.clone();
            let big = big.clone();
            s.spawn(move || {
                let log = AuditLog::open(Options { path: Some(file), warn: Some(Box::new(|_| {})), ..Default::default() });
                let p = vec![vec!["echo".to_string(), big]];
                for i in 0..20 {
                    log.request(&approved(&format!("t{}-{}", t, i), &p));
                }
            });
        }
    });
    let text = std::fs::read_to_string(&file).unwrap();
    let records: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    for line in &records {
        serde_json::from_str::<Value>(line).expect("a whole record");
    }
    assert_eq!(records.len(), 4 * 22);
}

#[test]
fn refuses_a_symlinked_log_file_a_fifo_and_a_symlinked_directory() {
    let dir = TempDir::new("refuse");
    let target = dir.join("elsewhere.log");
    std::fs::write(&target, "").unwrap();
    let link = dir.join("audit.log");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let h = Harness::new(T0);
    let log = AuditLog::open(h.options(link.clone()));
    log.close();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "", "nothing written through the symlink");
    assert!(h.warnings()[0].contains("a symlink (never followed)"), "{:?}", h.warnings());
    assert!(log.stats().dropped_total >= 1);

    let fifo = dir.join("fifo.log");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let h = Harness::new(T0);
    let log = AuditLog::open(h.options(fifo)); // must not wait for a reader
    log.close();
    assert!(h.warnings()[0].contains("not a regular file (a FIFO)"), "{:?}", h.warnings());

    let real = dir.join("realdir");
    std::fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink(&real, dir.join("linkdir")).unwrap();
    let h = Harness::new(T0);
    AuditLog::open(h.options(dir.join("linkdir/audit.log"))).close();
    assert!(h.warnings()[0].contains("is a symlink"), "{:?}", h.warnings());
    assert!(!real.join("audit.log").exists());
}

#[test]
fn refuses_a_directory_or_file_others_may_write_or_own() {
    let dir = TempDir::new("trust");
    let shared = dir.join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let h = Harness::new(T0);
    AuditLog::open(h.options(shared.join("audit.log"))).close();
    assert!(h.warnings()[0].contains("writable by group or others (mode 0777)"), "{:?}", h.warnings());

    let file = dir.join("audit.log");
    std::fs::write(&file, "").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o662)).unwrap();
    let h = Harness::new(T0);
    AuditLog::open(h.options(file.clone())).close();
    assert!(h.warnings()[0].contains("refusing") && h.warnings()[0].contains("writable by group or others"), "{:?}", h.warnings());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "");

    // Another user's file (when this process may give one away: root).
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let c = std::ffi::CString::new(file.to_str().unwrap()).unwrap();
    if unsafe { libc::chown(c.as_ptr(), 12345, 12345) } == 0 && unsafe { libc::geteuid() } != 12345 {
        let h = Harness::new(T0);
        AuditLog::open(h.options(file.clone())).close();
        assert!(h.warnings()[0].contains("owned by uid 12345"), "{:?}", h.warnings());
    }
}

/// A log in a new directory whose writer checks its path before every append (`rotation_check` 0).
fn checked_at_every_append(name: &str) -> (TempDir, std::path::PathBuf, AuditLog) {
    let dir = TempDir::new(name);
    let file = dir.join("audit.log");
    let mut options = Harness::new(T0).options(file.clone());
    options.rotation_check = Duration::ZERO;
    (dir, file, AuditLog::open(options))
}

#[test]
fn a_rename_is_noticed_and_the_chain_continues_in_the_new_file() {
    let (dir, file, log) = checked_at_every_append("rotate");
    let p = argv(&["id"]);
    log.request(&approved("before", &p));
    std::fs::rename(&file, dir.join("audit.log.1")).unwrap();
    log.request(&approved("after", &p));
    // logrotate `create`: a new empty file at the path at once.
    std::fs::rename(&file, dir.join("audit.log.2")).unwrap();
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&file).unwrap();
    log.request(&approved("created", &p));
    log.close();
    assert_eq!(lines(&dir.join("audit.log.2"))[0]["id"], "after");
    assert_eq!(lines(&file)[0]["id"], "created");
    let old = std::fs::read_to_string(dir.join("audit.log.1")).unwrap();
    let new = lines(&dir.join("audit.log.2"));
    assert_eq!(new[0]["seq"], 3);
    assert_eq!(new[0]["prev"].as_str().unwrap(), hash_line(old.lines().last().unwrap().as_bytes()));
}

#[test]
fn a_deleted_log_file_is_recreated_with_a_trace_chained_to_the_last_record() {
    for replaced in [false, true] {
        let (_dir, file, log) = checked_at_every_append("deleted");
        let p = argv(&["id"]);
        log.request(&approved("before", &p));
        let last_before = std::fs::read_to_string(&file).unwrap().lines().last().unwrap().to_string();
        std::fs::remove_file(&file).unwrap();
        if replaced {
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&file).unwrap();
        }
        log.request(&approved("after", &p));
        log.close();
        let all = lines(&file);
        let kinds: Vec<&str> = all.iter().map(|r| r["id"].as_str().or(r["event"].as_str()).unwrap()).collect();
        assert_eq!(kinds, ["dropped", "after", "stop"], "replaced: {replaced}");
        assert_eq!((all[0]["dropped"].as_u64(), all[0]["seq"].as_u64()), (Some(0), Some(3)));
        assert_eq!(all[0]["prev"].as_str().unwrap(), hash_line(last_before.as_bytes()));
        let trace = all[0]["error"].as_str().unwrap();
        assert!(trace.contains(&format!("the log file {} was deleted while the writer had it open", file.display())), "{trace}");
        assert!(trace.ends_with("and was recreated: whatever it held is not in this file"), "{trace}");
    }
}

#[test]
fn copytruncate_needs_nothing() {
    let dir = TempDir::new("copytrunc");
    let file = dir.join("audit.log");
    let log = AuditLog::open(Harness::new(T0).options(file.clone()));
    let p = argv(&["id"]);
    log.request(&approved("before", &p));
    std::fs::OpenOptions::new().write(true).open(&file).unwrap().set_len(0).unwrap();
    log.request(&approved("after", &p));
    log.close();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("{\"v\":1,\"type\":\"request\",\"seq\":3"), "{}", text);
}

#[test]
fn the_chain_continues_across_a_restart_and_from_audit_log_1() {
    let dir = TempDir::new("restart");
    let file = dir.join("audit.log");
    let p = argv(&["id"]);
    for _ in 0..2 {
        let log = AuditLog::open(Harness::new(T0).options(file.clone()));
        log.request(&approved("r", &p));
    }
    assert_chained(&file);
    std::fs::rename(&file, dir.join("audit.log.1")).unwrap();
    AuditLog::open(Harness::new(T0).options(file.clone())).close();
    let first = &lines(&file)[0];
    assert_eq!(first["seq"], 7);
    let rotated = std::fs::read_to_string(dir.join("audit.log.1")).unwrap();
    assert_eq!(first["prev"].as_str().unwrap(), hash_line(rotated.lines().last().unwrap().as_bytes()));
}

#[test]
fn a_torn_tail_is_warned_about_once_and_left_on_its_own_line() {
    let dir = TempDir::new("torn");
    let file = dir.join("audit.log");
    AuditLog::open(Harness::new(T0).options(file.clone())).close();
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("{\"v\":1,\"type\":\"req");
    std::fs::write(&file, &text).unwrap();
    let h = Harness::new(T0);
    AuditLog::open(h.options(file.clone())).close();
    assert_eq!(h.warnings().len(), 1);
    assert!(h.warnings()[0].contains("ends in a torn line"));
    let after = std::fs::read_to_string(&file).unwrap();
    let next = after[text.len()..].lines().nth(1).unwrap();
    let v: Value = serde_json::from_str(next).unwrap();
    assert_eq!(v["seq"], 3, "continues from the last complete line");
}

#[test]
fn a_record_that_lost_only_its_newline_continues_the_chain() {
    let dir = TempDir::new("nonl");
    let file = dir.join("audit.log");
    AuditLog::open(Harness::new(T0).options(file.clone())).close();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.trim_end()).unwrap();
    let h = Harness::new(T0);
    AuditLog::open(h.options(file.clone())).close();
    assert!(h.warnings().is_empty(), "{:?}", h.warnings());
    assert_chained(&file);
}

#[test]
fn a_record_over_the_cap_is_cut_to_fit_and_flagged() {
    let dir = TempDir::new("cap");
    let file = dir.join("audit.log");
    let log = AuditLog::open(Harness::new(T0).options(file.clone()));
    let huge = vec![vec!["echo".to_string(), "A".repeat(3 << 20)], (0..200_000).map(|i| i.to_string()).collect()];
    log.request(&approved("big", &huge));
    log.close();
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text.lines().nth(1).unwrap();
    assert!(line.len() < 1 << 20);
    let v: Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["truncated"], true);
    assert_eq!(v["id"], "big");
    assert!(line.contains("\u{2026}[cut "));
    assert_chained(&file);
}

#[test]
fn env_keeps_names_only() {
    let dir = TempDir::new("env");
    let file = dir.join("audit.log");
    let log = AuditLog::open(Harness::new(T0).options(file.clone()));
    let p = argv(&["id"]);
    log.request(&Request { env: &["SECRET=hunter2", "PATH=/bin", "LANG"], ..approved("e", &p) });
    log.close();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("hunter2") && !text.contains("/bin\""));
    assert_eq!(lines(&file)[1]["env_keys"], serde_json::json!(["LANG", "PATH", "SECRET"]));
}

#[test]
fn numbers_saturate_at_2_pow_53_minus_1() {
    let dir = TempDir::new("sat");
    let file = dir.join("audit.log");
    let log = AuditLog::open(Harness::new(T0).options(file.clone()));
    log.response(&Response { id: "n", stages: &[Stage { exit_code: i64::MIN, stderr_len: u64::MAX, ..Default::default() }], stdout_len: u64::MAX, duration_ms: f64::NAN, ..Default::default() });
    log.close();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(r#""exit_code":-9007199254740991,"stderr_len":9007199254740991"#), "{}", text);
    assert!(text.contains(r#""stdout_len":9007199254740991,"stdout_truncated":false,"duration_ms":0}"#));
}

/// A write seam that fails with ENOSPC while `full` is set, counting its calls.
fn disk(full: Arc<Mutex<bool>>, calls: Arc<AtomicUsize>) -> sudo_proxy_audit::WriteFn {
    Box::new(move |mut f: &std::fs::File, data: &[u8]| {
        calls.fetch_add(1, Ordering::SeqCst);
        if *full.lock().unwrap() {
            Err(io::Error::from_raw_os_error(libc::ENOSPC))
        } else {
            io::Write::write(&mut f, data)
        }
    })
}

#[test]
fn disk_full_fails_open_warns_once_backs_off_and_records_the_gap() {
    let dir = TempDir::new("enospc");
    let file = dir.join("audit.log");
    let full = Arc::new(Mutex::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    let h = Harness::new(T0);
    let mut options = h.options(file.clone());
    options.write = Some(disk(full.clone(), calls.clone()));
    let log = AuditLog::open(options);
    let p = argv(&["id"]);
    *full.lock().unwrap() = true;
    for i in 0..10 {
        log.request(&approved(&format!("lost{}", i), &p)); // never panics, never errors
    }
    assert_eq!(log.stats().dropped, 10);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the start record, then one failed attempt: back-off");
    assert_eq!(h.warnings().len(), 1, "{:?}", h.warnings());
    assert!(h.warnings()[0].contains("ENOSPC"));
    h.advance(250); // the back-off expires: one more attempt, no second warning for the same outage
    log.request(&approved("lost10", &p));
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(h.warnings().len(), 1, "{:?}", h.warnings());
    *full.lock().unwrap() = false;
    h.advance(500);
    h.advance(250);
    log.request(&approved("back", &p));
    log.close();
    let all = lines(&file);
    let gap = all.iter().find(|v| v["event"] == "dropped").expect("a dropped record");
    assert_eq!(gap["dropped"], 11);
    assert!(gap["error"].as_str().unwrap().starts_with("cannot write"));
    assert_eq!(all.last().unwrap()["event"], "stop");
    assert!(h.warnings()[1].contains("audit log writable again: 11 record(s) were dropped"));
    assert_chained(&file);
}

#[test]
fn close_makes_a_last_attempt_whatever_the_back_off() {
    let dir = TempDir::new("lastattempt");
    let file = dir.join("audit.log");
    let full = Arc::new(Mutex::new(false));
    let h = Harness::new(T0);
    let mut options = h.options(file.clone());
    options.write = Some(disk(full.clone(), Arc::default()));
    options.retry_initial = Duration::from_secs(3600);
    let log = AuditLog::open(options);
    let p = argv(&["id"]);
    *full.lock().unwrap() = true;
    log.request(&approved("lost", &p));
    *full.lock().unwrap() = false;
    log.close(); // within the back-off
    let all = lines(&file);
    assert_eq!(all[1]["event"], "dropped");
    assert_eq!(all[1]["dropped"], 1);
    assert_eq!(all[2]["event"], "stop");
}

#[test]
fn a_short_write_leaves_the_next_record_on_a_fresh_line() {
    let dir = TempDir::new("short");
    let file = dir.join("audit.log");
    let short = Arc::new(Mutex::new(false));
    let flag = short.clone();
    let h = Harness::new(T0);
    let mut options = h.options(file.clone());
    options.retry_initial = Duration::ZERO;
    options.write = Some(Box::new(move |mut f: &std::fs::File, data: &[u8]| {
        let n = if *flag.lock().unwrap() { data.len() / 2 } else { data.len() };
        io::Write::write(&mut f, &data[..n])
    }));
    let log = AuditLog::open(options);
    let p = argv(&["id"]);
    *short.lock().unwrap() = true;
    log.request(&approved("half", &p));
    *short.lock().unwrap() = false;
    log.request(&approved("whole", &p));
    log.close();
    let text = std::fs::read_to_string(&file).unwrap();
    let recs: Vec<&str> = text.lines().collect();
    assert!(serde_json::from_str::<Value>(recs[1]).is_err(), "the torn half");
    for l in &recs[2..] {
        serde_json::from_str::<Value>(l).expect("whole records on their own lines");
    }
    assert!(h.warnings()[0].contains("short write"));
}

#[test]
fn a_missing_directory_starts_in_an_outage_and_recovers() {
    let dir = TempDir::new("outage");
    let blocker = dir.join("notadir");
    std::fs::write(&blocker, "").unwrap();
    let file = blocker.join("audit.log");
    let h = Harness::new(T0);
    let log = AuditLog::open(h.options(file.clone()));
    let p = argv(&["id"]);
    log.request(&approved("lost", &p));
    assert_eq!(log.stats().dropped, 1);
    std::fs::remove_file(&blocker).unwrap();
    h.advance(1000);
    log.request(&approved("kept", &p));
    log.close();
    let all = lines(&file);
    assert_eq!(all[0]["event"], "dropped");
    assert_eq!(all[1]["id"], "kept");
    assert_eq!(h.warnings().len(), 2, "{:?}", h.warnings());
}

#[test]
fn a_panicking_warning_sink_never_reaches_the_daemon() {
    let dir = TempDir::new("panic");
    let mut options = Harness::new(T0).options(dir.join("link/audit.log"));
    std::os::unix::fs::symlink("/tmp", dir.join("link")).unwrap();
    options.warn = Some(Box::new(|_| panic!("sink broken")));
    let log = AuditLog::open(options);
    let p = argv(&["id"]);
    log.request(&approved("r", &p));
    log.close();
    assert!(log.stats().dropped_total >= 1);
}

#[test]
fn disabled_writes_nothing() {
    let dir = TempDir::new("disabled");
    let file = dir.join("audit.log");
    let log = AuditLog::open(Options { path: Some(file.clone()), disabled: true, ..Default::default() });
    let p = argv(&["id"]);
    log.request(&approved("r", &p));
    log.close();
    assert!(log.path().is_none());
    assert!(!file.exists());
}

#[test]
fn refusal_helper_writes_a_rejected_policy_record() {
    let dir = TempDir::new("refusal");
    let file = dir.join("audit.log");
    let log = AuditLog::open(Harness::new(T0).options(file.clone()));
    log.request(&Request { session: "s", ..Request::refusal("dup", "2026-01-15T09:29:58Z", "duplicate request id (replay)") });
    log.close();
    let r = &lines(&file)[1];
    assert_eq!((r["decision"].as_str(), r["via"].as_str(), r["error"].as_str()), (Some("rejected"), Some("policy"), Some("duplicate request id (replay)")));
    assert_eq!(r["pipeline"], serde_json::json!([[]]));
    assert_eq!(Via::default(), Via::Operator);
}

#[test]
fn audit_flags_are_read_and_removed() {
    let a = parse_audit_args(["--audit-log", "/x/a.log", "--listen", "--no-audit", "--", "--audit-log"]).unwrap();
    assert_eq!(a, AuditArgs { path: Some("/x/a.log".into()), disabled: true, rest: vec!["--listen".into(), "--".into(), "--audit-log".into()] });
    assert_eq!(parse_audit_args(["--audit-log=/y"]).unwrap().path.as_deref(), Some("/y"));
    assert!(parse_audit_args(["--audit-log"]).is_err());
    assert!(parse_audit_args(["--audit-log="]).is_err());
    assert!(parse_audit_args(["--audit-log", ""]).is_err());
    assert!(a.options().disabled);
}
