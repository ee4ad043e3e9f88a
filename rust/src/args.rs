//! Reads the writer's flags from a daemon's argv: `--audit-log PATH`, `--audit-log=PATH`,
//! `--no-audit`; everything else (and all after `--`) is left for the daemon's own parser.

use std::fmt;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditArgs {
    /// None: the default path.
    pub path: Option<String>,
    pub disabled: bool,
    /// argv without the audit flags.
    pub rest: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditArgsError(pub String);

impl fmt::Display for AuditArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AuditArgsError {}

pub fn parse_audit_args<I, S>(argv: I) -> Result<AuditArgs, AuditArgsError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut out = AuditArgs::default();
    let mut args = argv.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        if arg == "--" {
            out.rest.push(arg);
            out.rest.extend(args);
            break;
        }
        if arg == "--no-audit" {
            out.disabled = true;
        } else if arg == "--audit-log" {
            match args.next() {
                Some(value) if !value.is_empty() => out.path = Some(value),
                _ => return Err(AuditArgsError("--audit-log needs a PATH".into())),
            }
        } else if let Some(value) = arg.strip_prefix("--audit-log=") {
            if value.is_empty() {
                return Err(AuditArgsError("--audit-log needs a PATH".into()));
            }
            out.path = Some(value.to_string());
        } else {
            out.rest.push(arg);
        }
    }
    Ok(out)
}

impl AuditArgs {
    /// The writer's options these flags ask for.
    pub fn options(&self) -> crate::Options {
        crate::Options { path: self.path.as_ref().map(Into::into), disabled: self.disabled, ..Default::default() }
    }
}
