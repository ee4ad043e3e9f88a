//! Who decided: the daemon's OS user, the terminal it prompts on and the machine — the
//! `operator` object written on the `start` record, every request and every policy change.
//! Filled from the OS once, when the log opens; the daemon may override any part.

use std::ffi::CStr;

/// `{"uid":…,"user":…,"tty":…,"hostname":…}`, in that order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Operator {
    /// The daemon process's real uid.
    pub uid: u32,
    /// That uid's name; empty when it has none.
    pub user: String,
    /// The terminal the daemon prompts on; None: no terminal (pkexec mode, a service).
    pub tty: Option<String>,
    pub hostname: String,
}

/// Parts of the operator the daemon sets itself (`Options::operator`); None: from the OS.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OperatorOverride {
    pub uid: Option<u32>,
    pub user: Option<String>,
    /// `Some(None)`: no terminal (say, `--pkexec` mode, where pkexec's dialog decides).
    pub tty: Option<Option<String>>,
    pub hostname: Option<String>,
}

impl Operator {
    /// This process's operator, as the OS tells it: real uid, its passwd name, the path of fd 0
    /// when fd 0 is a terminal, the hostname.
    pub fn from_os() -> Operator {
        Operator::resolve(&OperatorOverride::default())
    }

    /// The parts `o` sets, the rest from the OS; `user`, unless set, is the name of the uid
    /// written (a uid set here included).
    pub fn resolve(o: &OperatorOverride) -> Operator {
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = o.uid.unwrap_or_else(|| unsafe { libc::getuid() });
        Operator {
            uid,
            user: o.user.clone().unwrap_or_else(|| user_name(uid)),
            tty: o.tty.clone().unwrap_or_else(stdin_tty),
            hostname: o.hostname.clone().unwrap_or_else(hostname),
        }
    }
}

/// The passwd name of `uid` (getpwuid_r), or "" when it has none.
fn user_name(uid: u32) -> String {
    let mut buf = vec![0u8; 4096];
    // SAFETY: passwd and result are plain C structs getpwuid_r fills in; `buf` outlives the
    // use of the pointers it stores in `passwd`.
    unsafe {
        let mut passwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut passwd, buf.as_mut_ptr().cast(), buf.len(), &mut result);
        if rc != 0 || result.is_null() || passwd.pw_name.is_null() {
            return String::new();
        }
        String::from_utf8_lossy(CStr::from_ptr(passwd.pw_name).to_bytes()).into_owned()
    }
}

/// The path of fd 0 when it is a terminal (readlink /proc/self/fd/0), else None.
fn stdin_tty() -> Option<String> {
    // SAFETY: isatty only inspects the descriptor.
    if unsafe { libc::isatty(0) } != 1 {
        return None;
    }
    std::fs::read_link("/proc/self/fd/0").ok().map(|p| p.to_string_lossy().into_owned())
}

/// gethostname(2), or "" when it fails.
fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}
