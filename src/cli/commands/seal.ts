/**
 * `sudo-proxy-audit seal init|status`: sets up forward-secure sealing for a log (a random key
 * k₀ in a state file beside it, shown once as the verification key) and says how sealing
 * stands, never showing a key. The writer does the sealing (src/writer/seal.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeDirectories } from '../../shared/make-directories.js';
import { defaultAuditLogPath } from '../../shared/paths.js';
import { escapeForTerminal, jsonForTerminal } from '../../shared/sanitize.js';
import { KEY_BYTES, keyId, parseSealLine } from '../../shared/seal.js';
import { encodeSealState, sealStatePath } from '../../shared/seal-state.js';
import { type Command, PROGRAM } from './command.js';
import { CliError, EXIT_OK, EXIT_VERDICT, fileError, UsageError } from './errors.js';
import { parseFlags } from './flags.js';
import { terminalQr } from './qr.js';
import { readStateSummary } from './seal-state-read.js';

const help = `Usage: ${PROGRAM} seal init [--audit-log PATH] [--force]
       ${PROGRAM} seal status [--audit-log PATH] [--json]

Forward-secure sealing: the writer appends a seal record every 15 minutes (when records were
written since the last) and at close, each MAC'd under a key that then evolves and is erased.
Whoever takes the host later cannot re-seal the records sealed before: verify with the
verification key finds any rewrite of them.

  init    creates the sealing state beside the log (.LOG.seal, mode 0600, directory 0700)
          and prints the verification key once, with a QR code on a terminal where it fits.
          Keep it off this host (a password manager, paper): verify needs it, and whoever
          has it could forge seals. Refuses an existing state unless --force (a new key:
          seals made under the old one then verify only with the old one).
  status  whether the log is sealed, the current epoch, the key id and the last seal's time.

Options:
      --audit-log PATH  the log (default $XDG_STATE_HOME/sudo-proxy/audit.log)
      --force           init: replace an existing state with a new key
      --json            status: one JSON object
  -h, --help            show this help

Exit status: 0 ok (status: sealed), 1 status: not sealed, 2 usage or I/O error.
`;

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = fs.constants;

/** The log's directory, made 0700 when missing; refused when others may enter it or it is not a directory. */
function stateDirectory(logPath: string): string {
  const dir = path.dirname(logPath);
  try {
    // (One level at a time: make-directories.ts says why not mkdirSync's `recursive`.)
    makeDirectories(dir, (level) => fs.mkdirSync(level, { mode: 0o700 }));
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) throw new CliError(`${dir}: not a directory (a symlink is refused)`);
    if ((st.mode & 0o077) !== 0) throw new CliError(`${dir}: mode 0${(st.mode & 0o777).toString(8)} lets others in; the state file holds a key (chmod 700 ${dir})`);
  } catch (e) {
    throw e instanceof CliError ? e : fileError(dir, e);
  }
  return dir;
}

/** Writes k₀'s state: a temporary file fsynced, then linked (or with --force renamed) into place, the directory fsynced. */
function writeInitialState(statePath: string, k0: Buffer, force: boolean): void {
  const tmp = `${statePath}.tmp-${process.pid}`;
  const bytes = encodeSealState({ epoch: 0, key: k0, keyId: keyId(k0), pending: null });
  try {
    const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      fs.fchmodSync(fd, 0o600);
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // link(2) fails on an existing name: no state is overwritten without --force, even in a race.
    if (force) fs.renameSync(tmp, statePath);
    else fs.linkSync(tmp, statePath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${statePath} already exists: the log is sealed (seal status); --force starts a new key`);
    throw fileError(statePath, e);
  } finally {
    bytes.fill(0);
    fs.rmSync(tmp, { force: true });
  }
  const dfd = fs.openSync(path.dirname(statePath), O_RDONLY | O_DIRECTORY);
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

function init(logPath: string, force: boolean): number {
  stateDirectory(logPath);
  const statePath = sealStatePath(logPath);
  const existing = fs.lstatSync(statePath, { throwIfNoEntry: false });
  if (existing?.isSymbolicLink()) throw new CliError(`${statePath} is a symlink: refused`);
  if (existing && !force) throw new CliError(`${statePath} already exists: the log is sealed (seal status); --force starts a new key`);
  const k0 = randomBytes(KEY_BYTES);
  try {
    writeInitialState(statePath, k0, force);
    const hex = k0.toString('hex');
    const out = process.stdout;
    // (Paths escaped: a directory's name may hold what a terminal would act on.)
    out.write(`sealing set up for ${escapeForTerminal(logPath)}\nstate: ${escapeForTerminal(statePath)} (mode 0600)\nkey id: ${keyId(k0)}\n\n`);
    out.write(`verification key (shown once: keep it off this host; verify --verification-key needs it):\n\n  ${hex}\n\n`);
    if (out.isTTY) {
      const qr = terminalQr(hex, out.columns ?? 80);
      if (qr !== null) out.write(`${qr}\n`);
    }
  } finally {
    k0.fill(0);
  }
  return EXIT_OK;
}

function status(logPath: string, json: boolean): number {
  const statePath = sealStatePath(logPath);
  const state = readStateSummary(statePath);
  if (state === null) {
    if (json) process.stdout.write(`${jsonForTerminal({ sealed: false, log: logPath, state: statePath })}\n`);
    else process.stdout.write(`not sealed: ${escapeForTerminal(logPath)} has no sealing state (${escapeForTerminal(statePath)}); seal init sets it up\n`);
    return EXIT_VERDICT;
  }
  const mode = state.mode;
  const last = state.pending === null ? null : parseSealLine(state.pending);
  const fields = {
    sealed: true,
    log: logPath,
    state: statePath,
    mode: `0${mode.toString(8)}`,
    epoch: state.epoch,
    key_id: state.keyId,
    last_seal: last === null ? null : { seq: last.seq, epoch: last.epoch, time: last.time },
  };
  if (json) {
    process.stdout.write(`${jsonForTerminal(fields)}\n`);
    return EXIT_OK;
  }
  const lastText = last === null ? 'none yet' : `${last.time} (seq ${last.seq}, epoch ${last.epoch})`;
  const warn = mode & 0o077 ? ` — readable by others: the writer refuses it (chmod 600)` : '';
  process.stdout.write(`sealed: ${escapeForTerminal(logPath)}\nstate: ${escapeForTerminal(statePath)} (mode ${fields.mode}${warn})\nepoch: ${state.epoch} (the next seal's)\nkey id: ${state.keyId}\nlast seal: ${lastText}\n`);
  return EXIT_OK;
}

export const sealCommand: Command = {
  name: 'seal',
  help,
  run(argv) {
    const { values, positionals } = parseFlags(argv, {
      'audit-log': { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      process.stdout.write(help);
      return EXIT_OK;
    }
    const [action, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const logPath = path.resolve(values['audit-log'] ?? defaultAuditLogPath());
    if (action === 'init') {
      if (values.json) throw new UsageError('--json is for seal status');
      return init(logPath, values.force === true);
    }
    if (action === 'status') {
      if (values.force) throw new UsageError('--force is for seal init');
      return status(logPath, values.json === true);
    }
    throw new UsageError(action === undefined ? 'seal needs an action: init or status' : `unknown action '${action}': init or status`);
  },
};
