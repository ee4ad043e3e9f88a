/**
 * The writer's sealing: when a state file exists beside the log (`seal init`), a `seal` record
 * MAC'd under the current epoch's key, then the key evolved (shared/seal.ts).
 *
 * The order, and why (a crash may stop the writer between any two steps):
 *   1. under the state's lock, read k_e and build the seal line for the next chain position;
 *   2. replace the state with {e+1, k_{e+1}, pending: that line} (write, fsync, rename, fsync dir);
 *   3. wipe k_e from memory; 4. append the line to the log, the lock still held.
 * k_e is gone from the disk before its seal exists, so no crash can leave a key that has
 * sealed on the host, and no key ever seals twice. A crash between 2 and 4 leaves the seal
 * line in the state: the next writer to open the log appends it first when the log ends
 * exactly where the line belongs (`pendingSealFits`), so the epoch is not lost. A crash
 * before 2 leaves k_e unused, to seal later. The lock makes processes sharing a log take turns;
 * the pending line is read at open under it, so a live writer's seal is never appended twice.
 */
import path from 'node:path';
import { nextKey, parseSealLine, sealLine } from '../shared/seal.js';
import { sealStatePath } from '../shared/seal-state.js';
import { lockSealState, readSealState, replaceSealState, type SealFs } from './seal-state-file.js';

/** Points in a seal where a test can stop the process (a SIGKILL seam). */
export type SealStep = 'state-written' | 'state-replaced';

/** Why there is no seal this time. */
export type SealSkip = 'unsealed' | 'busy' | 'failed';

export class Sealer {
  readonly statePath: string;
  private lastWarning = '';

  constructor(
    logPath: string,
    private readonly sfs: SealFs,
    private readonly warn: (message: string) => void,
    private readonly step: ((at: SealStep) => void) | undefined,
  ) {
    this.statePath = sealStatePath(path.resolve(logPath));
  }

  /**
   * The seal line for chain position (seq, prev) at `loggedMs`, with the state moved to the
   * next epoch; or why not: no state file (`unsealed`), another process sealing (`busy`), a
   * state that cannot be read or replaced (`failed`, warned; the key stays unused).
   */
  seal(seq: number, prev: string, loggedMs: number, append: (line: string) => void): string | SealSkip {
    // A stat first: a log without sealing never takes (or leaves) a lock file.
    if (!this.stateExists()) return 'unsealed';
    const unlock = lockSealState(this.sfs, this.statePath);
    if (unlock === null) return 'busy';
    let key: Buffer | null = null;
    let next: Buffer | null = null;
    try {
      const state = readSealState(this.sfs, this.statePath);
      if (state === null) return 'unsealed';
      key = state.key;
      const line = sealLine({ seq, prev, time: new Date(loggedMs).toISOString(), epoch: state.epoch, keyId: state.keyId }, key);
      next = nextKey(key);
      replaceSealState(this.sfs, this.statePath, { epoch: state.epoch + 1, key: next, keyId: state.keyId, pending: line }, () => this.step?.('state-written'));
      this.lastWarning = '';
      key.fill(0);
      next.fill(0);
      this.step?.('state-replaced');
      // Appended before the lock is released: a writer that reads the pending line under the
      // lock (at open) finds it in the log already unless its maker died, and never appends it twice.
      append(line);
      return line;
    } catch (e) {
      const message = `cannot seal the audit log (${(e as Error).message}); the key is kept for the next attempt`;
      // One warning per distinct failure, not one per retry.
      if (message !== this.lastWarning) this.warn(message);
      this.lastWarning = message;
      return 'failed';
    } finally {
      key?.fill(0);
      next?.fill(0);
      unlock();
    }
  }

  /**
   * The state's last seal line, to append at open if a crash kept it out of the log; read under
   * the lock (null when another process holds it: that one is sealing, and appends its own).
   */
  pendingLine(): string | null {
    if (!this.stateExists()) return null;
    const unlock = lockSealState(this.sfs, this.statePath);
    if (unlock === null) return null;
    try {
      const state = readSealState(this.sfs, this.statePath);
      state?.key.fill(0);
      return state?.pending ?? null;
    } catch {
      return null;
    } finally {
      unlock();
    }
  }

  private stateExists(): boolean {
    try {
      return this.sfs.lstatSync(this.statePath, { throwIfNoEntry: false }) !== undefined;
    } catch {
      return false;
    }
  }

}

/**
 * Where a pending seal line stands against the log's head: `fits` right after it, `lost` when
 * another record took its place, else `stale` (written already, or a head of another writer's
 * chain: processes sharing a log each keep their own).
 */
export function pendingSealFits(line: string, head: { seq: number; hash: string } | null): 'fits' | 'stale' | 'lost' {
  const seal = parseSealLine(line);
  if (seal === null) return 'stale';
  if ((head?.seq ?? 0) !== seal.seq - 1) return 'stale';
  return (head?.hash ?? '0'.repeat(64)) === seal.prev ? 'fits' : 'lost';
}
