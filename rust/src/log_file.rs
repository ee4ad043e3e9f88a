//! Opening the log, and what the writer refuses to open (as the TypeScript writer's
//! `log-file.ts`). A daemon's logger must never wait and never write where someone else could
//! rewrite its records, so every (re)open checks what it uses:
//! - the log file: opened `O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC` (a FIFO
//!   or a device never makes the open wait; a symlink is refused), then by `fstat` on the
//!   descriptor: a regular file, owned by this process's user (or root), writable by no group
//!   or other user; created 0600 whatever the umask;
//! - the log directory: not a symlink, a directory owned by this user (or root), writable by
//!   no group or other user; created 0700 whatever the umask;
//! - each directory the writer creates above it (mkdir -p): the same, at every later open.
//!
//! Nothing here runs per record.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why the writer will not use a path it could open: said in its warning and `dropped` record.
#[derive(Debug)]
pub enum OpenError {
    Refused(String),
    Io(io::Error),
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

pub struct OpenedLog {
    pub file: File,
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
}

/// This process's effective user.
pub fn process_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

fn foreign_owner(owner: u32, uid: u32) -> Option<String> {
    if owner == uid || owner == 0 {
        None
    } else {
        Some(format!("owned by uid {}, not by this process's uid {} (or root)", owner, uid))
    }
}

fn shared_write(mode: u32) -> Option<String> {
    if mode & 0o022 == 0 {
        None
    } else {
        Some(format!("writable by group or others (mode 0{:o})", mode & 0o7777))
    }
}

fn kind_of(mode: u32) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFIFO => "a FIFO",
        libc::S_IFSOCK => "a socket",
        libc::S_IFCHR => "a character device",
        libc::S_IFBLK => "a block device",
        libc::S_IFDIR => "a directory",
        _ => "neither a file nor a directory",
    }
}

/// Makes the log directory if needed (0700 whatever the umask) and checks it and each
/// directory above it that this writer created (`created_above`, kept for the writer's life).
/// Returns true when it made the log directory.
pub fn ensure_log_directory(dir: &Path, uid: u32, created_above: &mut BTreeSet<PathBuf>) -> Result<bool, OpenError> {
    // mkdir -p, remembering what it made: the missing levels, outermost first.
    let mut missing = Vec::new();
    let mut level = Some(dir);
    while let Some(l) = level {
        if l.as_os_str().is_empty() || std::fs::symlink_metadata(l).is_ok() {
            break;
        }
        missing.push(l.to_path_buf());
        level = l.parent();
    }
    let made = !missing.is_empty();
    for l in missing.iter().rev() {
        match std::fs::DirBuilder::new().mode(0o700).create(l) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {} // another writer made it
            Err(e) => return Err(e.into()),
        }
        if l != dir {
            created_above.insert(l.clone());
        }
    }
    for l in created_above.iter() {
        check_directory(l, uid, false)?;
    }
    check_directory(dir, uid, made)?;
    Ok(made)
}

/// Checks one directory through a descriptor opened without following a symlink; `made`: the
/// writer just created it and sets its mode to exactly 0700 on that descriptor.
fn check_directory(dir: &Path, uid: u32, made: bool) -> Result<(), OpenError> {
    let flags = libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_NONBLOCK;
    let file = match OpenOptions::new().read(true).custom_flags(flags).open(dir) {
        Ok(f) => f,
        Err(e) => {
            // Linux answers ENOTDIR for a symlink opened O_DIRECTORY | O_NOFOLLOW: tell the two apart.
            if matches!(e.raw_os_error(), Some(libc::ENOTDIR) | Some(libc::ELOOP)) {
                if let Ok(st) = std::fs::symlink_metadata(dir) {
                    if st.file_type().is_symlink() {
                        return Err(OpenError::Refused(format!("the log directory {} is a symlink", dir.display())));
                    }
                    if !st.is_dir() {
                        return Err(OpenError::Refused(format!("the log directory {} is not a directory", dir.display())));
                    }
                }
            }
            return Err(e.into());
        }
    };
    let st = file.metadata()?;
    let why = foreign_owner(st.uid(), uid).or_else(|| if made { None } else { shared_write(st.mode()) });
    if let Some(why) = why {
        return Err(OpenError::Refused(format!("the log directory {} is {}", dir.display(), why)));
    }
    if made {
        file.set_permissions(std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Read and append: the descriptor also serves to read the file's last line at open, so that
/// line comes from the very file appended to. (std adds O_CLOEXEC.)
fn append_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.read(true).append(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
    o
}

fn open_existing(file: &Path) -> Result<File, OpenError> {
    append_options().open(file).map_err(|e| match e.raw_os_error() {
        Some(libc::ELOOP) => OpenError::Refused("a symlink (never followed)".into()),
        Some(libc::ENXIO) => OpenError::Refused("not a regular file (ENXIO: a socket, or a device that is not there)".into()),
        _ => OpenError::Io(e),
    })
}

/// Opens the log file for appending, creating it 0600 if missing, and checks it by fstat.
pub fn open_log_file(path: &Path, uid: u32) -> Result<OpenedLog, OpenError> {
    let mut is_new = false;
    let file = match open_existing(path) {
        Ok(f) => f,
        Err(OpenError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {
            match append_options().create_new(true).mode(0o600).open(path) {
                Ok(f) => {
                    is_new = true;
                    f
                }
                // Another writer, or logrotate `create`, made it between the two opens: use theirs.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => open_existing(path)?,
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => return Err(e),
    };
    let st = file.metadata()?;
    if !st.is_file() {
        return Err(OpenError::Refused(format!("not a regular file ({})", kind_of(st.mode()))));
    }
    if let Some(why) = foreign_owner(st.uid(), uid).or_else(|| shared_write(st.mode())) {
        return Err(OpenError::Refused(why));
    }
    if is_new {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(OpenedLog { dev: st.dev(), ino: st.ino(), size: st.len(), file })
}

/// Opens a file only to read its last line (the rotated `PATH.1`): never waits, never follows a symlink.
pub fn open_for_reading(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)
}
