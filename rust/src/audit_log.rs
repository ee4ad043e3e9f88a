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
//!   and `stop`.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::log_file::{ensure_log_directory, open_for_reading, open_log_file, process_uid, OpenError};
use crate::paths::default_audit_log_path;
use crate::record::{encode_line_into, Record, Request, Response, WriterEvent, WriterRecord, GENESIS_HASH};
use crate::tail::{ends_incomplete, ends_mid_line, hash_line, head_of, last_record_line, read_settled_tail, ChainHead, SETTLE_MS};

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
    /// Test seam: the writer's clock (ms since the epoch); default the system clock.
    pub now: Option<Clock>,
    /// Test seam: the `write(2)` of a line.
    #[doc(hidden)]
    pub write: Option<WriteFn>,
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
            now: None,
            write: None,
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
    inner: Option<Mutex<Writer>>,
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
        let mut writer = Writer {
            path: path.clone(),
            warn,
            now: options.now.unwrap_or_else(|| Box::new(system_now)),
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
            head: None,
            written: 0,
            dropped: 0,
            dropped_total: 0,
            last_error: String::new(),
            notice: String::new(),
            opened: false,
            fsync_failing: false,
            created_above: BTreeSet::new(),
            retry_at: 0,
            backoff: retry_initial,
            closed: false,
            scratch: Vec::new(),
        };
        // A writer that cannot open the log yet still starts: the daemon must run regardless.
        if writer.try_open() {
            let now = (writer.now)();
            writer.append(&Record::Writer(WriterRecord { time_ms: now, event: WriterEvent::Start, pid: writer.pid, dropped: None, error: None }));
        }
        AuditLog { path: Some(path), inner: Some(Mutex::new(writer)) }
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

    pub fn stats(&self) -> Stats {
        self.inner.as_ref().map_or_else(Stats::default, |m| {
            let w = lock(m);
            Stats { written: w.written, dropped: w.dropped, dropped_total: w.dropped_total }
        })
    }

    /// Writes a `stop` record (after one last attempt to record what was dropped) and closes
    /// the file. Idempotent; dropping the log does it too.
    pub fn close(&self) {
        self.with(Writer::close);
    }

    fn with(&self, f: impl FnOnce(&mut Writer)) {
        if let Some(m) = &self.inner {
            let mut w = lock(m);
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
    head: Option<ChainHead>,

    written: u64,
    dropped: u64,
    dropped_total: u64,
    last_error: String,
    /// What the next `dropped` record must also say (a log directory recreated), even with nothing dropped.
    notice: String,
    /// A log was opened once: a log directory missing after that was deleted or moved.
    opened: bool,
    fsync_failing: bool,
    /// Directories above the log's that this writer created: checked at every open.
    created_above: BTreeSet<PathBuf>,
    retry_at: i64,
    backoff: i64,
    closed: bool,
    /// The buffer lines are encoded into, reused from record to record.
    scratch: Vec<u8>,
}

/// A scratch buffer larger than this (a record near the 1 MiB cap) is not kept.
const SCRATCH_KEEP: usize = 64 * 1024;

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
        self.closed = true;
        self.file = None;
    }

    /// Appends one record, or counts it as dropped when the log cannot take it.
    fn append(&mut self, record: &Record) {
        if self.closed {
            return;
        }
        if !self.ready() {
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
            if !self.write_record(&Record::Writer(gap)) {
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
        if !self.write_record(record) {
            self.count_drop();
        }
    }

    /// Writes one chained line; false (and the descriptor closed) on failure.
    fn write_record(&mut self, record: &Record) -> bool {
        let (seq, prev) = match &self.head {
            Some(h) => (h.seq.saturating_add(1), h.hash.clone()),
            None => (1, GENESIS_HASH.to_string()),
        };
        let file = match &self.file {
            Some(f) => f,
            None => return false,
        };
        // Another writer may have completed a torn line since: a newline only where still needed.
        let start = usize::from(self.need_newline && ends_mid_line(file));
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
        encode_line_into(&mut data, record, seq, &prev, logged);
        data.push(b'\n');
        let outcome = self.write_line(&data, start, seq);
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
        // Seals (#14) go here when they land: after a record is on disk, with its hash in `head`.
        true
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
        }
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
