//! Seals (issue #14) as the TypeScript writer makes them: the order of a seal's steps (the key
//! gone from the disk before its seal exists), a seal a failed write kept out of the log, the
//! timer that seals a log gone quiet, a busy lock and a state that cannot be used. The bytes
//! (seal lines, state files, sealed sessions) are held to the TypeScript writer's by
//! tests/seal_vectors.rs.

mod common;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{argv, lines, Harness, TempDir};
use sudo_proxy_audit::seal::{encode_seal_state, key_id, next_key, read_seal_state, seal_mac, seal_state_path, Key, SealState};
use sudo_proxy_audit::{AuditLog, Decision, Options, Request, SealStep};

const T0: i64 = 1_768_469_400_000;
const MIN: i64 = 60_000;

/// An epoch-0 state beside `log`, as `seal init` makes it; returns k₀.
fn init_state(log: &std::path::Path) -> Key {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let k0 = Key([7; 32]);
    let state = SealState { epoch: 0, key: Key(k0.0), key_id: key_id(&k0), pending: None };
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(seal_state_path(log)).unwrap();
    f.write_all(&encode_seal_state(&state)).unwrap();
    k0
}

fn request(log: &AuditLog, id: &str) {
    let pipeline = argv(&["id"]);
    log.request(&Request { id, time: "t", pipeline: &pipeline, decision: Decision::Approved, ..Default::default() });
}

fn options(h: &Harness, file: std::path::PathBuf) -> Options {
    let mut o = h.options(file);
    o.no_operator = true;
    o.settle_ms = 0;
    o
}

/// A log in a fresh directory with an epoch-0 sealing state beside it: (the directory, the
/// log's path, k₀, a clock at T0).
fn sealed_log(name: &str) -> (TempDir, std::path::PathBuf, Key, Harness) {
    let dir = TempDir::new(name);
    let file = dir.join("audit.log");
    let k0 = init_state(&file);
    (dir, file, k0, Harness::new(T0))
}

/// Every seal's MAC checked under its epoch's key, from k₀ (what `verify --verification-key` does).
fn seals_verify(file: &std::path::Path, k0: &Key) -> Vec<u64> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut epochs = Vec::new();
    for line in text.lines().filter(|l| l.contains("\"type\":\"seal\"")) {
        let (content, mac) = line.split_at(line.find(",\"mac\":\"").unwrap());
        let epoch = serde_json::from_str::<serde_json::Value>(line).unwrap()["epoch"].as_u64().unwrap();
        let mut k = Key(k0.0);
        for _ in 0..epoch {
            k = next_key(&k);
        }
        assert_eq!(&mac[8..72], seal_mac(&k, content.as_bytes()), "{}", line);
        epochs.push(epoch);
    }
    epochs
}

#[test]
fn the_state_moves_on_before_the_seal_is_appended() {
    let (_dir, file, k0, h) = sealed_log("seal-order");
    // At each step: the state's epoch, whether it holds a pending seal, whether the log has a seal.
    type Seen = Vec<(SealStep, u64, bool, bool)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let mut o = options(&h, file.clone());
    let (f, s) = (file.clone(), seen.clone());
    o.seal_step = Some(Box::new(move |step| {
        let state = read_seal_state(&seal_state_path(&f)).unwrap().unwrap();
        let in_log = std::fs::read_to_string(&f).unwrap().contains("\"type\":\"seal\"");
        s.lock().unwrap().push((step, state.epoch, state.pending.is_some(), in_log));
    }));
    let log = AuditLog::open(o);
    request(&log, "r1");
    log.close();
    // Written (not yet renamed): still epoch 0. Replaced: epoch 1 with the seal pending, k₀ gone
    // from the disk, and the seal not yet in the log.
    assert_eq!(*seen.lock().unwrap(), [(SealStep::StateWritten, 0, false, false), (SealStep::StateReplaced, 1, true, false)]);
    let state = read_seal_state(&seal_state_path(&file)).unwrap().unwrap();
    assert_eq!(state.key.0, next_key(&k0).0);
    assert_eq!(seals_verify(&file, &k0), [0]);
    let records = lines(&file);
    assert_eq!(records.last().unwrap()["type"], "seal");
    assert_eq!(state.pending.as_deref(), std::fs::read_to_string(&file).unwrap().lines().last());
}

#[test]
fn a_seal_whose_write_failed_goes_in_before_the_next_record() {
    let (_dir, file, k0, h) = sealed_log("seal-write");
    let fail_seal = Arc::new(AtomicBool::new(true));
    let mut o = options(&h, file.clone());
    let fail = fail_seal.clone();
    o.write = Some(Box::new(move |mut f: &std::fs::File, data: &[u8]| {
        if data.starts_with(b"{\"v\":1,\"type\":\"seal\"") && fail.swap(false, Ordering::SeqCst) {
            return Err(io::Error::from_raw_os_error(libc::EIO));
        }
        io::Write::write(&mut f, data)
    }));
    o.seal_interval = Duration::from_millis((15 * MIN) as u64);
    let log = AuditLog::open(o);
    h.set(T0 + 16 * MIN);
    request(&log, "r1"); // due: the seal is made, its write fails
    assert!(!fail_seal.load(Ordering::SeqCst));
    h.set(T0 + 17 * MIN); // past the back-off
    request(&log, "r2");
    log.close();
    let types: Vec<String> = lines(&file).iter().map(|r| format!("{}{}", r["type"].as_str().unwrap(), r["id"].as_str().unwrap_or(""))).collect();
    // (Nothing was dropped: no gap record, as with the TypeScript writer.)
    assert_eq!(types, ["writer", "requestr1", "seal", "requestr2", "writer", "seal"]);
    // No key sealed twice; the epochs follow each other.
    assert_eq!(seals_verify(&file, &k0), [0, 1]);
}

#[test]
fn a_log_gone_quiet_is_sealed_by_the_timer() {
    let (_dir, file, k0, _) = sealed_log("seal-timer");
    let h = Harness::default();
    let mut o = options(&h, file.clone());
    o.now = None; // the system clock
    o.seal_interval = Duration::from_millis(20);
    let log = AuditLog::open(o);
    request(&log, "r1");
    // Nothing more is written: the timer seals (waited for, not slept on).
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&file).unwrap().contains("\"type\":\"seal\"") {
        assert!(Instant::now() < deadline, "no seal from the timer");
        std::thread::sleep(Duration::from_millis(5));
    }
    log.close();
    let epochs = seals_verify(&file, &k0);
    assert_eq!(epochs, (0..epochs.len() as u64).collect::<Vec<_>>());
    assert!(epochs.len() >= 2, "the timer's seal and the one at close");
}

#[test]
fn a_busy_lock_delays_the_seal_and_an_unusable_state_is_warned_of_once() {
    let (_dir, file, k0, h) = sealed_log("seal-busy");
    let state = seal_state_path(&file);
    let mut lock = state.clone().into_os_string();
    lock.push(".lock");
    // Held by a live process (this one).
    std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
    let mut o = options(&h, file.clone());
    o.seal_interval = Duration::from_millis((15 * MIN) as u64);
    let log = AuditLog::open(o);
    h.set(T0 + 16 * MIN);
    request(&log, "r1");
    assert_eq!(seals_verify(&file, &k0), Vec::<u64>::new());
    std::fs::remove_file(&lock).unwrap();
    h.set(T0 + 16 * MIN + 1_000); // tried again a second later
    request(&log, "r2");
    assert_eq!(seals_verify(&file, &k0), [0]);

    // A state others may read: refused, warned of once, the writer runs on.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o644)).unwrap();
    for i in 0..3 {
        h.set(T0 + (40 + 20 * i) * MIN);
        request(&log, "r");
    }
    log.close();
    let warnings = h.warnings();
    assert_eq!(warnings.len(), 1, "{:?}", warnings);
    assert!(warnings[0].starts_with("cannot seal the audit log (") && warnings[0].contains("readable or writable by others (mode 0644): refused"), "{}", warnings[0]);
    assert_eq!(seals_verify(&file, &k0), [0]);
    assert_eq!(lines(&file).iter().filter(|r| r["type"] == "request").count(), 5);
}

#[test]
fn an_interval_longer_than_any_clock_holds_never_breaks_the_writer() {
    let (_dir, file, k0, h) = sealed_log("seal-huge");
    let mut o = options(&h, file.clone());
    o.seal_interval = Duration::MAX;
    let log = AuditLog::open(o);
    request(&log, "r1");
    log.close();
    assert_eq!(h.warnings(), Vec::<String>::new());
    assert_eq!(log.stats().dropped_total, 0);
    assert_eq!(seals_verify(&file, &k0), [0]); // the seal at close
}

/// An unlock removes only its own lock, never one another process took after breaking it
/// (two holders would both read k_e: a key sealing twice). Mirrors test/writer/seal-lock.test.ts.
#[test]
fn an_unlock_removes_only_its_own_lock() {
    let dir = TempDir::new("seal-lock");
    let state = dir.join(".audit.log.seal");
    let lock = dir.join(".audit.log.seal.lock");
    let held = sudo_proxy_audit::seal::lock_seal_state(&state).expect("the lock");
    std::fs::remove_file(&lock).unwrap(); // broken by someone …
    std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap(); // … who took it
    drop(held);
    assert!(lock.exists(), "the other holder's lock was removed");
    assert!(sudo_proxy_audit::seal::lock_seal_state(&state).is_none());
}

/// A lock left by a dead process is broken and taken; released, it is gone.
#[test]
fn a_dead_holders_lock_is_broken() {
    let dir = TempDir::new("seal-lock-dead");
    let state = dir.join(".audit.log.seal");
    let lock = dir.join(".audit.log.seal.lock");
    std::fs::write(&lock, "2147483646\n").unwrap();
    let held = sudo_proxy_audit::seal::lock_seal_state(&state).expect("the stale lock broken");
    drop(held);
    assert!(!lock.exists());
}

/// A writer opening the log between another's state replace and its append leaves that seal to
/// its maker: the seal is in the log once (it reads the pending line under the lock).
#[test]
fn a_live_writers_pending_seal_is_not_appended_by_a_writer_opening_meanwhile() {
    let (_dir, file, k0, h) = sealed_log("seal-open-meanwhile");
    let late: Arc<Mutex<Option<AuditLog>>> = Arc::default();
    let mut o = options(&h, file.clone());
    let (f, l) = (file.clone(), late.clone());
    o.seal_step = Some(Box::new(move |step| {
        let mut l = l.lock().unwrap();
        if step == SealStep::StateReplaced && l.is_none() {
            let h2 = Harness::new(T0);
            *l = Some(AuditLog::open(options(&h2, f.clone())));
        }
    }));
    let log = AuditLog::open(o);
    request(&log, "r1");
    log.close();
    let late = late.lock().unwrap().take().expect("opened during the seal");
    late.close();
    let epochs = seals_verify(&file, &k0);
    let mut unique = epochs.clone();
    unique.dedup();
    assert_eq!(epochs, unique, "an epoch twice: {:?}", epochs);
}

/// A pending seal read at open that another live writer already appended, that writer's chain
/// and another's forked so that the last line has the seq the seal follows: not warned of as lost.
#[test]
fn a_pending_seal_already_in_the_log_is_not_lost() {
    let (_dir, file, k0, h) = sealed_log("seal-not-lost");
    let mut oa = options(&h, file.clone());
    oa.seal_interval = Duration::from_millis(1000);
    let a = AuditLog::open(oa); // start: seq 1
    let mut ob = options(&h, file.clone());
    ob.seal_interval = Duration::ZERO;
    let b = AuditLog::open(ob); // its start: seq 2, after a's
    request(&a, "a1"); // a's seq 2: the chains fork
    h.advance(1000);
    request(&a, "a2"); // seq 3, then a seal at seq 4 (the state's pending line)
    request(&b, "b1"); // b's seq 3: the log's last line has the seq the seal follows
    assert_eq!(seals_verify(&file, &k0), [0]);
    let mut oc = options(&h, file.clone());
    oc.seal_interval = Duration::from_millis(1000);
    let c = AuditLog::open(oc);
    c.close();
    b.close();
    a.close();
    assert_eq!(h.warnings(), Vec::<String>::new());
    let epochs = seals_verify(&file, &k0);
    assert_eq!(epochs, (0..epochs.len() as u64).collect::<Vec<_>>());
}
