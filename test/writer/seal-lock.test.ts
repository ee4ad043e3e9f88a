/**
 * The sealing state's lock between processes, attacker-style: a stale lock is broken only when
 * the file judged stale is still the one at the path, and an unlock removes only its own lock.
 * Otherwise two processes hold the lock at once, both read k_e, and k_e seals twice (or the
 * later rename puts back an older epoch: a key that has sealed left on disk).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sealLockPath, sealStatePath } from '../../src/shared/seal-state.js';
import { Sealer } from '../../src/writer/seal.js';
import { lockSealState, type SealFs } from '../../src/writer/seal-state-file.js';
import { openAuditLog } from '../../src/writer/index.js';
import { makeTempDirFactory, sampleRequest } from './helpers.js';
import { initSealState, sealsIn } from './seal-helpers.js';

const tempDir = makeTempDirFactory('spa-seal-lock');
/** A pid no process has (above the kernel's pid_max). */
const DEAD_PID = 2147483646;

/**
 * A SealFs whose first read-open of the lock runs `meanwhile` right after it: the holder that
 * left that lock releases it and dies, and another process takes the lock, between the breaker's
 * open of the old lock and its decision.
 */
function fsWithRace(lock: string, meanwhile: () => void): SealFs {
  let fired = false;
  return {
    ...fs,
    openSync: ((p: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode) => {
      const fd = fs.openSync(p, flags, mode);
      // O_RDONLY is 0: a read-only open sets neither O_WRONLY nor O_RDWR.
      if (!fired && p === lock && typeof flags === 'number' && (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) === 0) {
        fired = true;
        meanwhile();
      }
      return fd;
    }) as typeof fs.openSync,
  } as SealFs;
}

/** A sealed log's paths; with `deadLock`, a lock left by a process that is gone. */
function sealedLog(deadLock: boolean): { file: string; statePath: string; lock: string } {
  const file = path.join(tempDir(), 'audit.log');
  initSealState(file);
  const statePath = sealStatePath(file);
  const lock = sealLockPath(statePath);
  if (deadLock) fs.writeFileSync(lock, `${DEAD_PID}\n`, { mode: 0o600 });
  return { file, statePath, lock };
}

describe('the sealing lock', () => {
  it('a lock judged stale by its dead pid is not broken once a live holder has taken the path since', () => {
    const { statePath, lock } = sealedLog(true);
    let holder: (() => void) | null = null;
    const racer = fsWithRace(lock, () => {
      fs.unlinkSync(lock); // its holder released it (and then died)
      holder = lockSealState(fs, statePath); // another process takes it
    });
    expect(lockSealState(racer, statePath)).toBeNull();
    expect(holder).not.toBeNull();
    expect(fs.readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`); // the live holder's lock is still there
    (holder as unknown as () => void)();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('a seal meanwhile is busy, not a second seal with the key the holder is using', () => {
    const { file, statePath, lock } = sealedLog(true);
    let holder: (() => void) | null = null;
    const sealer = new Sealer(file, fsWithRace(lock, () => {
      fs.unlinkSync(lock);
      holder = lockSealState(fs, statePath);
    }), () => {}, undefined);
    expect(sealer.seal(1, '0'.repeat(64), Date.now(), () => {})).toBe('busy');
    expect(holder).not.toBeNull();
  });

  it("an unlock removes only its own lock, not one another process took after breaking it", () => {
    const { statePath, lock } = sealedLog(false);
    const unlock = lockSealState(fs, statePath) as () => void;
    expect(unlock).not.toBeNull();
    // Someone broke it and took the lock: a new file at the path.
    fs.unlinkSync(lock);
    fs.writeFileSync(lock, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
    unlock();
    expect(fs.readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`);
    expect(lockSealState(fs, statePath)).toBeNull(); // still held by the other
  });

  it('a stale lock whose holder is dead is still broken and taken', () => {
    const { statePath, lock } = sealedLog(true);
    const unlock = lockSealState(fs, statePath);
    expect(unlock).not.toBeNull();
    expect(fs.readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`);
    (unlock as () => void)();
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe('a pending seal read at open, made by a live writer sharing the log', () => {
  it('already in the log with another writer\'s record of the same seq after it: not warned of as lost, not appended again', () => {
    const file = path.join(tempDir(), 'audit.log');
    initSealState(file);
    let t = Date.parse('2025-01-01T00:00:00Z');
    const now = () => t;
    const a = openAuditLog({ path: file, sealInterval: 1000, now, warn: () => {} }); // start: seq 1
    const b = openAuditLog({ path: file, sealInterval: 0, now, warn: () => {} }); // its start: seq 2, after a's
    a.request(sampleRequest(1)); // seq 2 of a's chain: the chains fork
    t += 1000;
    a.request(sampleRequest(2)); // seq 3, then a seal at seq 4 (the state's pending line)
    b.request(sampleRequest(3)); // b's seq 3: the log's last line has the seq the seal follows
    expect(sealsIn([file]).map((s) => s.epoch)).toEqual([0]);
    const warnings: string[] = [];
    const c = openAuditLog({ path: file, sealInterval: 1000, now, warn: (m) => warnings.push(m) });
    for (const w of [a, b, c]) w.close();
    expect(warnings).toEqual([]);
    const epochs = sealsIn([file]).map((s) => s.epoch); // and the writers' seals at close
    expect(epochs).toEqual([...epochs.keys()]); // 0, 1, … each once
  });
});

describe('a pending seal read at open while its maker has yet to append it', () => {
  it('is left to its maker: the seal is in the log once', () => {
    const file = path.join(tempDir(), 'audit.log');
    initSealState(file);
    let t = Date.parse('2025-01-01T00:00:00Z');
    const now = () => t;
    const warnings: string[] = [];
    let late: ReturnType<typeof openAuditLog> | null = null;
    const a = openAuditLog({
      path: file,
      sealInterval: 1000,
      now,
      warn: (m) => warnings.push(m),
      // Another writer starts between a's state replaced and its seal appended.
      sealStep: (at) => {
        if (at === 'state-replaced' && late === null) late = openAuditLog({ path: file, sealInterval: 1000, now, warn: (m) => warnings.push(m) });
      },
    });
    t += 1000;
    a.request(sampleRequest(1)); // then a seal
    expect(late).not.toBeNull();
    a.close();
    (late as unknown as { close(): void }).close();
    expect(warnings).toEqual([]);
    const epochs = sealsIn([file]).map((s) => s.epoch);
    expect(epochs).toEqual([...epochs.keys()]); // 0, 1, … each once
  });
});
