//! The writer: one JSONL record per decision and one per completed execution, appended to an
//! append-only, hash-chained audit log — the TypeScript writer's rules (`audit-log.ts`), each
//! with a test in `tests/`:
//! - never panics into the daemon and never waits on its own account: an unwritable log costs
//!   one failed syscall, then nothing until the back-off expires; dropped records are counted,
//!   warned about once per outage and reported in a `writer`/`dropped` record on recovery;
//! - each record is one `write(2)` of one complete line on an `O_APPEND` descriptor, so
//!   concurrent writer processes never interleave within a line;
//! - directory 0700, file 0600 whatever the umask; what it opens is checked first (`log_file`);
//! - logrotate `create`/rename is noticed before each append and the file reopened;
//!   `copytruncate` needs nothing (O_APPEND writes at the new end);
//! - the chain (seq, prev) continues across restarts (from the file's last line, or a last
//!   record that lost only its newline) and across rotation (kept in memory, or read from
//!   `PATH.1` when the new file is empty);
//! - `close()` (and drop) makes one last attempt, whatever the back-off, to record the drops
//!   and `stop`;
//! - who decided (`operator`) is read from the OS once, at open, and written on `start`, every
//!   request and every policy change;
//! - with a sealing state beside the log (`sudo-proxy-audit seal init`), a `seal` record at
//!   most every `seal_interval` when records were written since the last, and at close
//!   (`seal.rs` says in which order and why). A log gone quiet is sealed by a timer: the one
//!   thread this crate starts, only for a sealed log.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::log_file::{ensure_log_directory, open_for_reading, open_log_file, process_uid, OpenError};
use crate::operator::{Operator, OperatorOverride};
use crate::paths::default_audit_log_path;
use crate::record::{encode_line_into, Policy, Record, Request, Response, WriterEvent, WriterRecord, GENESIS_HASH};
use crate::seal::{pending_seal_fits, PendingFit, SealSkip, SealStepFn, Sealer, DEFAULT_SEAL_INTERVAL};
use crate::tail::{ends_incomplete, ends_mid_line, ends_mid_line_settled, hash_line, head_of, last_record_line, read_settled_tail, ChainHead, SETTLE_MS};

/// A warning sink: one line, without the trailing newline.
pub type Warn = Box<dyn Fn(&str) + Send + Sync>;
/// A clock in milliseconds since the epoch.
pub type Clock = Box<dyn Fn() -> i64 + Send + Sync>;
/// The one `write(2)` of a line; a test seam for disk-full and I/O errors.
pub type WriteFn = Box<dyn FnMut(&File, &[u8]) -> io::Result<usize> + Send>;

/// How to open the log. Build with `..Default::default()`: fields are added over time.
pub struct Options {
    /// Log path; default `$XDG_STATE_HOME/sudo-proxy/audit.log` (or `~/.local/state/…`).
    pub path: Option<PathBuf>,
    /// `--no-audit`: every call is a no-op.
    pub disabled: bool,
    /// fsync after every record: survives power loss, costs a disk flush per record.
    pub fsync: bool,
    /// Where warnings go; default one line on stderr.
    pub warn: Option<Warn>,
    /// First and longest wait between attempts to reopen an unwritable log.
    pub retry_initial: Duration,
    pub retry_max: Duration,
    /// Appends closer together than this share one check that the path still names the open
    /// file (a stat costs more than the write). Zero checks before every append.
    pub rotation_check: Duration,
    /// The pid recorded in `writer` records; default this process's.
    pub pid: Option<i64>,
    /// How long opening the log may wait, in all, for another writer's append in flight to
    /// complete the file's last line before calling it torn. At most 100 ms.
    pub settle_ms: u64,
    /// Who decided: read from the OS at open (real uid, its name, the terminal on fd 0, the
    /// hostname); any part set here replaces what the OS says.
    pub operator: OperatorOverride,
    /// Write no `operator` at all.
    pub no_operator: bool,
    /// With a sealing state beside the log (`sudo-proxy-audit seal init`): a seal at most this
    /// often when records were written since the last, and at close. Default 15 min; zero never seals.
    pub seal_interval: Duration,
    /// Test seam: the writer's clock (ms since the epoch); default the system clock.
    pub now: Option<Clock>,
    /// Test seam: the `write(2)` of a line.
    #[doc(hidden)]
    pub write: Option<WriteFn>,
    /// Test seam: called at points of a seal where a test stops the process.
    #[doc(hidden)]
    pub seal_step: Option<SealStepFn>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            path: None,
            disabled: false,
            fsync: false,
            warn: None,
            retry_initial: Duration::from_millis(250),
            retry_max: Duration::from_secs(30),
            rotation_check: Duration::from_millis(1),
            pid: None,
            settle_ms: SETTLE_MS,
            operator: OperatorOverride::default(),
            no_operator: false,
            seal_interval: DEFAULT_SEAL_INTERVAL,
            now: None,
            write: None,
            seal_step: None,
        }
    }
}

/// What the writer has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub written: u64,
    /// Records lost since the last successful write (reported in the log on recovery).
    pub dropped: u64,
    /// Records lost over the writer's life.
    pub dropped_total: u64,
}

/// The audit log a daemon holds for its life. Every method takes `&self` (share it in an
/// `Arc` between connection threads), never panics and never returns an error: the daemon
/// must run whatever happens to its log.
pub struct AuditLog {
    path: Option<PathBuf>,
    inner: Option<Arc<Shared>>,
}

/// The writer and what wakes its seal timer.
struct Shared {
    writer: Mutex<Writer>,
    wake: Condvar,
}

impl AuditLog {
    /// Opens the log (or starts in an outage when it cannot, retrying later) and writes the
    /// `writer`/`start` record.
    pub fn open(options: Options) -> AuditLog {
        if options.disabled {
            return AuditLog { path: None, inner: None };
        }
        let warn: Warn = options.warn.unwrap_or_else(|| Box::new(default_warn));
        let path = match options.path.or_else(default_audit_log_path) {
            Some(p) => absolute(p),
            None => {
                safe_warn(&warn, "no home directory and no XDG_STATE_HOME for the default audit log path: auditing is off; pass --audit-log PATH");
                return AuditLog { path: None, inner: None };
            }
        };
        let retry_initial = ms(options.retry_initial);
        let operator = if options.no_operator { None } else { Some(Operator::resolve(&options.operator)) };
        let now: Clock = options.now.unwrap_or_else(|| Box::new(system_now));
        let seal_interval = ms(options.seal_interval);
        let sealer = if seal_interval > 0 { Some(Sealer::new(&path, options.seal_step)) } else { None };
        // A seal a crash kept out of the log goes in first, if the log still ends where it belongs.
        let pending_seal = sealer.as_ref().and_then(Sealer::pending_line);
        let last_seal_ms = now();
        let mut writer = Writer {
            path: path.clone(),
            warn,
            now,
            write: options.write.unwrap_or_else(|| Box::new(|mut f: &File, data: &[u8]| f.write(data))),
            fsync: options.fsync,
            retry_initial,
            retry_max: ms(options.retry_max).max(retry_initial),
            rotation_check: options.rotation_check,
            pid: options.pid.unwrap_or_else(|| i64::from(std::process::id())),
            settle_ms: options.settle_ms.min(100),
            uid: process_uid(),
            file: None,
            checked_at: None,
            dev: 0,
            ino: 0,
            need_newline: false,
            maybe_in_flight: false,
            head: None,
            written: 0,
            dropped: 0,
            dropped_total: 0,
            last_error: String::new(),
            notice: String::new(),
            opened: false,
            file_deleted: false,
            fsync_failing: false,
            created_above: BTreeSet::new(),
            retry_at: 0,
            backoff: retry_initial,
            closed: false,
            scratch: Vec::new(),
            operator,
            sealer,
            seal_interval,
            seal_at: None,
            last_seal_ms,
            last_write_ms: 0,
            pending_seal,
            timer_due: None,
            timer_running: false,
            shared: Weak::new(),
        };
        // A writer that cannot open the log yet still starts: the daemon must run regardless.
        if writer.try_open() {
            let now = (writer.now)();
            writer.append(&Record::Writer(WriterRecord { time_ms: now, event: WriterEvent::Start, pid: writer.pid, dropped: None, error: None }));
        }
        let shared = Arc::new(Shared { writer: Mutex::new(writer), wake: Condvar::new() });
        let armed = {
            let mut w = lock(&shared.writer);
            w.shared = Arc::downgrade(&shared);
            w.timer_due.is_some()
        };
        if armed {
            // The start record armed the seal timer before the writer was shared.
            lock(&shared.writer).start_timer();
        }
        AuditLog { path: Some(path), inner: Some(shared) }
    }

    /// `--no-audit`: a log that records nothing.
    pub fn disabled() -> AuditLog {
        AuditLog { path: None, inner: None }
    }

    /// The path written to, or None when disabled.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Records a decision: one call per request, including each refusal before a prompt.
    pub fn request(&self, request: &Request) {
        self.with(|w| w.append(&Record::Request(request)));
    }

    /// Records the completion of an approved request's execution.
    pub fn response(&self, response: &Response) {
        self.with(|w| w.append(&Record::Response(response)));
    }

    /// Records a change of the daemon's policy (ApprovedAlways switching off
    /// `confirm_unprivileged`, a configuration reload): a security event.
    pub fn policy(&self, policy: &Policy) {
        self.with(|w| w.append(&Record::Policy(policy)));
    }

    /// Who decided, as written on the records (None: disabled, or `no_operator`).
    pub fn operator(&self) -> Option<Operator> {
        self.inner.as_ref().and_then(|s| lock(&s.writer).operator.clone())
    }

    pub fn stats(&self) -> Stats {
        self.inner.as_ref().map_or_else(Stats::default, |s| {
            let w = lock(&s.writer);
            Stats { written: w.written, dropped: w.dropped, dropped_total: w.dropped_total }
        })
    }

    /// Writes a `stop` record (after one last attempt to record what was dropped) and closes
    /// the file. Idempotent; dropping the log does it too.
    pub fn close(&self) {
        self.with(Writer::close);
    }

    fn with(&self, f: impl FnOnce(&mut Writer)) {
        if let Some(s) = &self.inner {
            let mut w = lock(&s.writer);
            // Unreachable by design; if a bug panics here the daemon still must not see it.
            if catch_unwind(AssertUnwindSafe(|| f(&mut w))).is_err() {
                w.count_drop();
                safe_warn(&w.warn, "internal error, record dropped");
            }
        }
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        self.close();
    }
}

/// A poisoned lock (a panic in another thread while writing) still holds a usable writer.
fn lock(m: &Mutex<Writer>) -> MutexGuard<'_, Writer> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The seal timer's thread: seals a log gone quiet when its seal falls due; ends at close.
fn seal_timer(shared: Arc<Shared>) {
    let mut w = lock(&shared.writer);
    loop {
        if w.closed {
            w.timer_running = false;
            return;
        }
        w = match w.timer_due {
            None => shared.wake.wait(w).unwrap_or_else(|p| p.into_inner()),
            Some(due) => {
                let t = Instant::now();
                if t >= due {
                    w.timer_due = None;
                    if w.seal_at.is_some() && catch_unwind(AssertUnwindSafe(|| w.seal_now())).is_err() {
                        safe_warn(&w.warn, "internal error while sealing");
                    }
                    w
                } else {
                    shared.wake.wait_timeout(w, due - t).map_or_else(|p| p.into_inner().0, |r| r.0)
                }
            }
        }
    }
}

/// What `write_record` writes: a record to encode, or a line made whole beforehand (a seal).
enum Line<'r> {
    Record(&'r Record<'r>),
    Prebuilt(&'r str),
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn absolute(p: PathBuf) -> PathBuf {
    if p.is_absolute() {
        return p;
    }
    std::env::current_dir().map(|cwd| cwd.join(&p)).unwrap_or(p)
}

fn system_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => ms(d),
        Err(e) => -ms(e.duration()),
    }
}

fn default_warn(message: &str) {
    // stderr closed: nothing else to tell.
    let _ = writeln!(io::stderr(), "sudo-proxy-audit: {}", message);
}

/// A failing warning sink must not reach the daemon either.
fn safe_warn(warn: &Warn, message: &str) {
    let _ = catch_unwind(AssertUnwindSafe(|| warn(message)));
}

/// An I/O error as the TypeScript writer words it: the errno's name, then its text.
pub(crate) fn error_text(e: &io::Error) -> String {
    let name = match e.raw_os_error() {
        Some(libc::ENOSPC) => "ENOSPC",
        Some(libc::EDQUOT) => "EDQUOT",
        Some(libc::EACCES) => "EACCES",
        Some(libc::EPERM) => "EPERM",
        Some(libc::ENOENT) => "ENOENT",
        Some(libc::ENOTDIR) => "ENOTDIR",
        Some(libc::EISDIR) => "EISDIR",
        Some(libc::EIO) => "EIO",
        Some(libc::EROFS) => "EROFS",
        Some(libc::EFBIG) => "EFBIG",
        Some(libc::EBADF) => "EBADF",
        Some(libc::EAGAIN) => "EAGAIN",
        Some(libc::EMFILE) => "EMFILE",
        Some(libc::ENFILE) => "ENFILE",
        Some(libc::ELOOP) => "ELOOP",
        _ => return e.to_string(),
    };
    format!("{}: {}", name, e)
}

struct Writer {
    path: PathBuf,
    warn: Warn,
    now: Clock,
    write: WriteFn,
    fsync: bool,
    retry_initial: i64,
    retry_max: i64,
    rotation_check: Duration,
    pid: i64,
    settle_ms: u64,
    uid: u32,

    file: Option<File>,
    /// When the path was last checked to still name the open file.
    checked_at: Option<Instant>,
    dev: u64,
    ino: u64,
    /// The next write must start on a fresh line (torn line at open, or a partial write).
    need_newline: bool,
    /// The torn line found at open may be another writer's append in flight: the next write waits for it once more (`ends_mid_line_settled`).
    maybe_in_flight: bool,
    head: Option<ChainHead>,

    written: u64,
    dropped: u64,
    dropped_total: u64,
    last_error: String,
    /// What the next `dropped` record must also say (a log directory recreated), even with nothing dropped.
    notice: String,
    /// A log was opened once: a log directory missing after that was deleted or moved.
    opened: bool,
    /// The file last open was deleted under the writer (no name links to it any more): said at the next open.
    file_deleted: bool,
    fsync_failing: bool,
    /// Directories above the log's that this writer created: checked at every open.
    created_above: BTreeSet<PathBuf>,
    retry_at: i64,
    backoff: i64,
    closed: bool,
    /// The buffer lines are encoded into, reused from record to record.
    scratch: Vec<u8>,
    /// Who decided, written on `start`, requests and policy changes.
    operator: Option<Operator>,

    sealer: Option<Sealer>,
    seal_interval: i64,
    /// When the next seal is due (the writer's clock); None with nothing written since the last.
    seal_at: Option<i64>,
    last_seal_ms: i64,
    /// The writer's clock at the last record written.
    last_write_ms: i64,
    /// A seal made (the state already moved on) but not yet in the log: written before anything else.
    pending_seal: Option<String>,
    /// When the seal timer fires (None: not armed).
    timer_due: Option<Instant>,
    /// The timer's thread is running.
    timer_running: bool,
    /// The log this writer is shared in, for the timer's thread.
    shared: Weak<Shared>,
}

/// A scratch buffer larger than this (a record near the 1 MiB cap) is not kept.
const SCRATCH_KEEP: usize = 64 * 1024;

/// When to try a seal again after another process held the state's lock, and after a state that could not be used (ms).
const SEAL_BUSY_RETRY_MS: i64 = 1_000;
const SEAL_FAILED_RETRY_MS: i64 = 60_000;

impl Writer {
    fn warn(&self, message: &str) {
        safe_warn(&self.warn, message);
    }

    fn close(&mut self) {
        if self.closed {
            return;
        }
        // One last attempt whatever the back-off: a daemon stopped during an outage must not
        // take the count of what it dropped with it.
        self.retry_at = i64::MIN;
        let now = (self.now)();
        self.append(&Record::Writer(WriterRecord { time_ms: now, event: WriterEvent::Stop, pid: self.pid, dropped: None, error: None }));
        // Only when the log took the stop record: a failing log gets no attempt outside its back-off.
        if self.seal_at.is_some() && self.file.is_some() {
            self.seal_now();
        }
        self.closed = true;
        self.timer_due = None;
        if let Some(shared) = self.shared.upgrade() {
            shared.wake.notify_all();
        }
        self.file = None;
    }

    /// Appends one record, or counts it as dropped when the log cannot take it.
    fn append(&mut self, record: &Record) {
        if self.closed {
            return;
        }
        if !self.ready() || (self.pending_seal.is_some() && !self.write_pending_seal()) {
            self.count_drop();
            return;
        }
        if self.dropped > 0 || !self.notice.is_empty() {
            let error = match (self.last_error.is_empty(), self.notice.is_empty()) {
                (_, true) => self.last_error.clone(),
                (true, false) => self.notice.clone(),
                (false, false) => format!("{}; {}", self.last_error, self.notice),
            };
            let now = (self.now)();
            let gap = WriterRecord { time_ms: now, event: WriterEvent::Dropped, pid: self.pid, dropped: Some(self.dropped), error: Some(&error) };
            if !self.write_record(Line::Record(&Record::Writer(gap))) {
                self.count_drop();
                return;
            }
            if self.dropped > 0 {
                let message = format!(
                    "audit log writable again: {} record(s) were dropped and the gap is recorded in {}",
                    self.dropped,
                    self.path.display()
                );
                self.warn(&message);
            }
            self.dropped = 0;
            self.last_error.clear();
            self.notice.clear();
            self.backoff = self.retry_initial;
        }
        if !self.write_record(Line::Record(record)) {
            self.count_drop();
        } else if self.sealer.is_some() {
            self.seal_after_write();
        }
    }

    /// Writes one chained line; false (and the descriptor closed) on failure.
    fn write_record(&mut self, line: Line) -> bool {
        let (seq, prev) = match &self.head {
            Some(h) => (h.seq.saturating_add(1), h.hash.clone()),
            None => (1, GENESIS_HASH.to_string()),
        };
        let file = match &self.file {
            Some(f) => f,
            None => return false,
        };
        // Another writer may have completed a torn line since: a newline only where still needed.
        let start = usize::from(self.need_newline && if self.maybe_in_flight { ends_mid_line_settled(file, self.settle_ms) } else { ends_mid_line(file) });
        self.maybe_in_flight = false;
        // The writer's own clock, read once per record: what time windows trust.
        let logged = (self.now)();
        // The line's bytes, after a newline when the file ends in a torn fragment, and followed
        // by one: encoded into the writer's reused buffer, written in one write(2) and hashed
        // without the newlines.
        let mut data = std::mem::take(&mut self.scratch);
        data.clear();
        if start == 1 {
            data.push(b'\n');
        }
        match line {
            Line::Record(record) => encode_line_into(&mut data, record, self.operator.as_ref(), seq, &prev, logged),
            Line::Prebuilt(text) => data.extend_from_slice(text.as_bytes()),
        }
        data.push(b'\n');
        let outcome = self.write_line(&data, start, seq);
        if outcome {
            self.last_write_ms = logged;
        }
        if data.capacity() <= SCRATCH_KEEP {
            self.scratch = data; // a record near the cap does not keep its megabyte
        }
        outcome
    }

    /// The write(2) of an encoded line and what follows from it.
    fn write_line(&mut self, data: &[u8], start: usize, seq: u64) -> bool {
        let written = match &self.file {
            Some(file) => (self.write)(file, data),
            None => return false,
        };
        let n = match written {
            Ok(n) => n,
            Err(e) => {
                let message = format!("cannot write {}: {}", self.path.display(), error_text(&e));
                self.fail(message);
                return false;
            }
        };
        if n + 1 < data.len() {
            // A partial write (disk full) leaves a torn fragment: the next record starts a fresh line.
            self.need_newline = true;
            let message = format!("short write to {} ({} of {} bytes): disk full?", self.path.display(), n, data.len());
            self.fail(message);
            return false;
        }
        // Only the newline missing means the record is on disk whole: the chain continues from
        // it and the next write adds the newline.
        self.need_newline = n != data.len();
        self.head = Some(ChainHead { seq, hash: hash_line(&data[start..data.len() - 1]) });
        self.written += 1;
        if !self.last_error.is_empty() && self.dropped == 0 {
            // An outage that ended before any record was dropped: the next outage gets its own
            // warning and starts from the initial back-off.
            self.last_error.clear();
            self.backoff = self.retry_initial;
        }
        if self.fsync {
            let synced = self.file.as_ref().map(File::sync_data);
            match synced {
                Some(Err(e)) => {
                    // The record is written, only maybe not durable: warn once until an fsync succeeds.
                    if !self.fsync_failing {
                        self.warn(&format!(
                            "fsync {} failed: {}; warning again only after an fsync succeeds",
                            self.path.display(),
                            error_text(&e)
                        ));
                    }
                    self.fsync_failing = true;
                }
                _ => self.fsync_failing = false,
            }
        }
        true
    }

    // ---- sealing (seal.rs) ----

    /// After a record: a seal when one is due, else the due time (and a timer, for a log that goes quiet).
    fn seal_after_write(&mut self) {
        let due = match self.seal_at {
            Some(at) => at,
            None => {
                let at = self.last_seal_ms.saturating_add(self.seal_interval);
                self.seal_at = Some(at);
                if at > self.last_write_ms {
                    self.arm_seal_timer(at - self.last_write_ms);
                }
                at
            }
        };
        if due <= self.last_write_ms {
            self.seal_now();
        }
    }

    /// Appends a seal now: the state moves to the next epoch first.
    fn seal_now(&mut self) {
        self.timer_due = None;
        if !self.ready() || (self.pending_seal.is_some() && !self.write_pending_seal()) {
            self.retry_seal_later(self.backoff);
            return;
        }
        let logged = (self.now)();
        let (seq, prev) = match &self.head {
            Some(h) => (h.seq.saturating_add(1), h.hash.clone()),
            None => (1, GENESIS_HASH.to_string()),
        };
        let warn = &self.warn;
        let made = match self.sealer.as_mut() {
            Some(sealer) => sealer.seal(seq, &prev, logged, &|m: &str| safe_warn(warn, m)),
            None => return,
        };
        match made {
            Err(SealSkip::Unsealed) => {
                // No state (yet): looked for again an interval later, if records are written.
                self.last_seal_ms = logged;
                self.seal_at = None;
            }
            // Another process seals for a moment; a state that cannot be used is not tried per record.
            Err(SealSkip::Busy) => self.retry_seal_later(SEAL_BUSY_RETRY_MS),
            Err(SealSkip::Failed) => self.retry_seal_later(SEAL_FAILED_RETRY_MS),
            Ok((line, lock)) => {
                self.pending_seal = Some(line);
                self.last_seal_ms = logged;
                self.seal_at = None;
                if let Some(sealer) = &self.sealer {
                    sealer.replaced();
                }
                // On failure the seal stays pending: it goes in before the next record that can be written.
                self.write_pending_seal();
                // Released only once the seal is in the log (seal.rs: Sealer::seal).
                drop(lock);
            }
        }
    }

    /// The seal could not be made or written: tried again after `wait` ms (with a record then, or by the timer).
    fn retry_seal_later(&mut self, wait: i64) {
        let wait = self.seal_interval.min(wait);
        self.seal_at = Some((self.now)().saturating_add(wait));
        self.arm_seal_timer(wait);
    }

    /// Writes the pending seal when the log ends where it belongs; false when the log could not take it.
    fn write_pending_seal(&mut self) -> bool {
        let line = match self.pending_seal.take() {
            Some(l) => l,
            None => return true,
        };
        match pending_seal_fits(&line, self.head.as_ref().map(|h| (h.seq, h.hash.as_str()))) {
            PendingFit::Stale => true,
            // A seal another writer sharing the log made (read at open) and appended already,
            // another writer's record of the same seq after it: not lost.
            PendingFit::Lost if self.file.as_ref().map_or(false, |f| crate::tail::line_near_end(f, &line)) => true,
            PendingFit::Lost => {
                self.warn(&format!(
                    "a seal made before a crash no longer fits the end of {} (another record took its place): its epoch is missing from the log, and verify will say so",
                    self.path.display()
                ));
                true
            }
            PendingFit::Fits => {
                if self.write_record(Line::Prebuilt(&line)) {
                    true
                } else {
                    self.pending_seal = Some(line);
                    false
                }
            }
        }
    }

    /// Arms the timer that seals a log gone quiet. Only a sealed log runs the timer's thread:
    /// without a state file, the next record after the interval looks for one again.
    fn arm_seal_timer(&mut self, wait: i64) {
        if self.timer_due.is_some() || self.closed {
            return;
        }
        if !self.timer_running && !self.sealer.as_ref().map_or(false, Sealer::state_exists) {
            return;
        }
        // Never longer than an interval (a clock set back); an interval past what a clock
        // holds arms nothing (the next record after it seals).
        let delay = wait.min(self.seal_interval).max(1);
        self.timer_due = Instant::now().checked_add(Duration::from_millis(delay as u64));
        if self.timer_due.is_some() {
            self.start_timer();
        }
    }

    /// Starts the timer's thread if it is not running, and wakes it to the new due time.
    fn start_timer(&mut self) {
        let shared = match self.shared.upgrade() {
            Some(s) => s,
            None => return, // opening: AuditLog::open starts it once the writer is shared
        };
        if self.timer_running {
            shared.wake.notify_all();
            return;
        }
        let spawned = std::thread::Builder::new().name("audit-seal-timer".into()).spawn(move || seal_timer(shared));
        // No thread (resources exhausted): the next record after the due time seals instead.
        self.timer_running = spawned.is_ok();
    }

    /// True when a descriptor for the file now at the path is open, reopening after rotation.
    fn ready(&mut self) -> bool {
        if self.file.is_some() {
            // Appends closer together than `rotation_check` share one check: a rename can land
            // between any check and its write anyway, and those records go to the renamed file.
            let t = Instant::now();
            if let Some(at) = self.checked_at {
                if t.duration_since(at) < self.rotation_check {
                    return true;
                }
            }
            self.checked_at = Some(t);
            if let Ok(st) = std::fs::metadata(&self.path) {
                use std::os::unix::fs::MetadataExt;
                if st.ino() == self.ino && st.dev() == self.dev {
                    return true;
                }
            }
            // Renamed away (logrotate `create`), deleted, or replaced: reopen what the path names now.
            // A file renamed still has a name (its records are in the rotated set); one deleted has none.
            use std::os::unix::fs::MetadataExt;
            self.file_deleted = self.file.as_ref().and_then(|f| f.metadata().ok()).is_some_and(|m| m.nlink() == 0);
            self.file = None;
            return self.try_open();
        }
        if (self.now)() < self.retry_at {
            return false;
        }
        self.try_open()
    }

    fn try_open(&mut self) -> bool {
        match self.open() {
            Ok(()) => true,
            Err(OpenError::Refused(why)) => {
                let message = format!("refusing {}: {}", self.path.display(), why);
                self.fail(message);
                false
            }
            Err(OpenError::Io(e)) => {
                let message = format!("cannot open {}: {}", self.path.display(), error_text(&e));
                self.fail(message);
                false
            }
        }
    }

    fn open(&mut self) -> Result<(), OpenError> {
        let dir = self.path.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let made = ensure_log_directory(&dir, self.uid, &mut self.created_above)?;
        if made && self.opened {
            self.notice = format!(
                "the log directory {} was missing (deleted or moved) and was recreated: whatever it held is not in this file",
                dir.display()
            );
        } else if self.file_deleted {
            self.notice = format!(
                "the log file {} was deleted while the writer had it open (removed, or compressed away by a rotation without delaycompress) and was recreated: whatever it held is not in this file",
                self.path.display()
            );
        }
        self.file_deleted = false;
        let opened = open_log_file(&self.path, self.uid)?;
        self.dev = opened.dev;
        self.ino = opened.ino;
        let size = opened.size;
        self.read_chain_state(&opened.file, size)?;
        self.file = Some(opened.file);
        self.opened = true;
        Ok(())
    }

    /// Learns where the file ends (torn line?) and, on first open, which chain to continue.
    fn read_chain_state(&mut self, file: &File, size: u64) -> io::Result<()> {
        if size == 0 {
            self.need_newline = false;
            if self.head.is_none() {
                // Just rotated before we started: continue the chain of `PATH.1`.
                let mut rotated = self.path.clone().into_os_string();
                rotated.push(".1");
                self.head = self.head_from_file(Path::new(&rotated));
            }
            return Ok(());
        }
        // A retry during an outage, its chain known, finds the fragment its own failed write
        // left: no news, no warning, so no wait for another writer's append either.
        let quiet = !self.last_error.is_empty() && self.head.is_some();
        let tail = read_settled_tail(file, if quiet { 0 } else { self.settle_ms })?;
        self.need_newline = tail.torn;
        // (Not a retry's own fragment: no one else's append to wait for.)
        self.maybe_in_flight = tail.torn && !quiet;
        if self.head.is_none() {
            self.head = last_record_line(&tail).map(head_of);
        }
        if ends_incomplete(&tail) && self.last_error.is_empty() {
            self.warn(&format!(
                "{} ends in a torn line (a crash mid-write, or another writer's append unfinished after {} ms); continuing on a fresh line",
                self.path.display(),
                self.settle_ms
            ));
        }
        Ok(())
    }

    fn head_from_file(&self, path: &Path) -> Option<ChainHead> {
        let file = open_for_reading(path).ok()?;
        let tail = read_settled_tail(&file, self.settle_ms).ok()?;
        last_record_line(&tail).map(head_of)
    }

    fn count_drop(&mut self) {
        self.dropped += 1;
        self.dropped_total += 1;
    }

    /// Enters (or stays in) an outage: one warning per outage, then back off.
    fn fail(&mut self, message: String) {
        if self.dropped == 0 && self.last_error != message {
            self.warn(&format!("{}; records are counted and the log retried with back-off", message));
        }
        self.last_error = message;
        self.file = None;
        self.retry_at = (self.now)().saturating_add(self.backoff);
        self.backoff = self.backoff.saturating_mul(2).min(self.retry_max);
    }
}
