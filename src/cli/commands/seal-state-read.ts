/**
 * The sealing state beside a log, read by `seal status` and `verify` (never the writer's:
 * the writer cannot be imported here). Not followed through a symlink; the key is wiped at
 * once: these commands need only the epoch, the key id and the last seal made.
 */
import fs from 'node:fs';
import { decodeSealState } from '../../shared/seal-state.js';
import { CliError, fileError } from './errors.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

export interface StateSummary {
  epoch: number;
  keyId: string;
  pending: string | null;
  /** Permission bits of the file. */
  mode: number;
}

/** The state at `statePath`, or null when there is none. Throws CliError for one that cannot be used. */
export function readStateSummary(statePath: string): StateSummary | null {
  let bytes: Buffer;
  let mode: number;
  try {
    const fd = fs.openSync(statePath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new CliError(`${statePath}: not a regular file`);
      mode = st.mode & 0o777;
      bytes = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new CliError(`${statePath} is a symlink: refused`);
    throw e instanceof CliError ? e : fileError(statePath, e);
  }
  try {
    const state = decodeSealState(bytes);
    state.key.fill(0);
    return { epoch: state.epoch, keyId: state.keyId, pending: state.pending, mode };
  } catch (e) {
    throw new CliError(`${statePath}: ${(e as Error).message}`);
  } finally {
    bytes.fill(0);
  }
}
