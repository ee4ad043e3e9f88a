/**
 * The writer with a sealing state: when it seals, what the state file holds afterwards, and
 * the faults it meets (disk full on the log or on the state, a busy lock, rotation). Crashes
 * and concurrent processes are in seal-processes.test.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { keyAtEpoch, keyId, parseSealLine } from '../../src/shared/seal.js';
import { sealLockPath, sealStatePath } from '../../src/shared/seal-state.js';
import { type AuditLogOptions, openAuditLog, type WriterFs } from '../../src/writer/index.js';
import { rotateLikeLogrotate } from '../helpers/rotate.js';
import { requireTool } from '../helpers/system-tools.js';
import { makeTempDirFactory, parseLines, readLines, sampleRequest } from './helpers.js';
import { initSealState, sealsIn, sealVerdictOf } from './seal-helpers.js';

const tempDir = makeTempDirFactory('spa-seal');
const logrotateTool = requireTool('logrotate', { package: 'logrotate' });
/** The README's logrotate configuration (nocreate, compress, delaycompress). */
const README_LOGROTATE_CONF = path.join(import.meta.dirname, '../hardening/fixtures/logrotate-audit.conf');
const MIN = 60_000;

function clock(start = Date.parse('2026-12-01T10:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** A sealed log on a fake clock (15 min interval unless given). */
function sealedLog(extra: AuditLogOptions = {}) {
  const file = path.join(tempDir(), 'logs', 'audit.log');
  const k0 = initSealState(file);
  const t = clock();
  const warnings: string[] = [];
  const log = openAuditLog({ path: file, now: t.now, warn: (m) => warnings.push(m), ...extra });
  return { file, k0, t, log, warnings, statePath: sealStatePath(file) };
}

const stateText = (statePath: string) => fs.readFileSync(statePath, 'utf8');

describe('sealing', () => {
  it('without a state file nothing changes: no seal record, no state or lock file', () => {
    const file = path.join(tempDir(), 'audit.log');
    const t = clock();
    const log = openAuditLog({ path: file, now: t.now });
    for (let i = 0; i < 5; i++) {
      log.request(sampleRequest(i));
      t.advance(20 * MIN);
    }
    log.close();
    expect(parseLines(file).map((r) => r.type)).not.toContain('seal');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['audit.log']);
  });

  it('seals at most once an interval while records come, and at close; every seal verifies and the epochs follow', () => {
    const { file, k0, t, log, statePath } = sealedLog();
    for (let i = 0; i < 40; i++) {
      log.request(sampleRequest(i));
      t.advance(MIN);
    }
    t.advance(60 * MIN); // quiet: no seal without records
    log.request(sampleRequest(40));
    log.close();
    const types = parseLines(file).map((r) => r.type);
    const seals = sealsIn([file]);
    // minutes 15 and 30 of the run, the record after the quiet hour, and close.
    expect(seals.map((s) => s.epoch)).toEqual([0, 1, 2, 3]);
    expect(types[types.length - 1]).toBe('seal');
    expect(types[types.length - 2]).toBe('writer'); // stop, then its seal
    const verdict = sealVerdictOf([file], k0);
    expect(verdict).toMatchObject({ chainOk: true, failure: null, seals: 4, unsealed: 0 });
    expect(verdict.last?.seq).toBe(types.length);
    // The state now holds k_4, and no earlier key; 0600; no temporary or lock file is left.
    const state = stateText(statePath);
    expect(state).toContain(`"epoch":4,"key":"${(keyAtEpoch(k0, 4) as Buffer).toString('hex')}"`);
    for (let e = 0; e < 4; e++) expect(state).not.toContain((keyAtEpoch(k0, e) as Buffer).toString('hex'));
    expect(fs.statSync(statePath).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['.audit.log.seal', 'audit.log']);
  });

  it('across logrotate (nocreate, compressed): seals go on in the new file, verify across the set, and the state never holds an earlier key', () => {
    // (Every append checks for rotation: compressing at once, without delaycompress, would
    // otherwise lose an append that shared the check from before the rename — not this test's subject.)
    const { file, k0, t, log, statePath } = sealedLog({ rotationCheckMs: 0 });
    const keysSeen: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        log.request(sampleRequest(round * 100 + i));
        t.advance(MIN);
      }
      rotateLikeLogrotate(file, { delaycompress: false });
      const state = stateText(statePath);
      const epoch = Number(/"epoch":(\d+)/.exec(state)?.[1]);
      for (let e = 0; e < epoch; e++) expect(state).not.toContain((keyAtEpoch(k0, e) as Buffer).toString('hex'));
      keysSeen.push(state);
    }
    log.close();
    const dir = path.dirname(file);
    const files = ['audit.log.3.gz', 'audit.log.2.gz', 'audit.log.1.gz', 'audit.log'].map((f) => path.join(dir, f));
    const verdict = sealVerdictOf(files, k0);
    expect(verdict).toMatchObject({ chainOk: true, failure: null, unsealed: 0 });
    expect(sealsIn(files).map((s) => s.epoch)).toEqual([0, 1, 2, 3]); // minutes 15, 30 and 45, and close
    expect(new Set(keysSeen).size).toBe(3);
  });

  it.skipIf(!logrotateTool.found)('across the real logrotate with the README configuration: seals go on, verify across the set, the state never holds an earlier key', () => {
    const { file, k0, t, log, statePath } = sealedLog();
    const dir = path.dirname(file);
    const conf = path.join(dir, '..', 'logrotate.conf');
    fs.writeFileSync(conf, fs.readFileSync(README_LOGROTATE_CONF, 'utf8').replaceAll('@AUDIT_LOG@', file), { mode: 0o644 });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        log.request(sampleRequest(round * 100 + i));
        t.advance(MIN);
      }
      execFileSync(logrotateTool.path, ['-f', '-s', path.join(dir, '..', 'logrotate.state'), conf]);
      const state = stateText(statePath);
      const epoch = Number(/"epoch":(\d+)/.exec(state)?.[1]);
      expect(epoch).toBe(round + 1);
      for (let e = 0; e < epoch; e++) expect(state).not.toContain((keyAtEpoch(k0, e) as Buffer).toString('hex'));
    }
    log.close();
    const files = ['audit.log.3.gz', 'audit.log.2.gz', 'audit.log.1', 'audit.log'].map((f) => path.join(dir, f));
    expect(fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort()).toEqual(['audit.log', 'audit.log.1', 'audit.log.2.gz', 'audit.log.3.gz']);
    expect(sealVerdictOf(files, k0)).toMatchObject({ chainOk: true, failure: null, unsealed: 0 });
    expect(sealsIn(files).map((s) => s.epoch)).toEqual([0, 1, 2, 3]); // minutes 15, 30 and 45, and close
  });

  it('a log that goes quiet is sealed by a timer, once, without another record', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const k0 = initSealState(file);
    const log = openAuditLog({ path: file, sealInterval: 20 });
    log.request(sampleRequest(1));
    const requestSeq = parseLines(file).find((r) => r.type === 'request')?.seq as number;
    // (On a slow machine the start record alone may already be due a seal: the 20 ms pass
    // before the request. What matters is the seal after the request, then nothing more.)
    await vi.waitFor(() => expect(sealsIn([file]).at(-1)?.seq).toBeGreaterThan(requestSeq), { timeout: 10_000, interval: 20 });
    const sealed = sealsIn([file]).length;
    await new Promise((r) => setTimeout(r, 100)); // nothing written since: no further seal
    expect(sealsIn([file])).toHaveLength(sealed);
    log.close();
    expect(sealVerdictOf([file], k0)).toMatchObject({ chainOk: true, failure: null, seals: sealed + 1, unsealed: 0 });
  });

  it('a state file that others may read is refused with a warning, and nothing is sealed', () => {
    const { file, t, log, statePath, warnings } = sealedLog({ sealInterval: MIN });
    fs.chmodSync(statePath, 0o644);
    log.request(sampleRequest(1));
    t.advance(2 * MIN);
    log.request(sampleRequest(2));
    log.request(sampleRequest(3));
    log.close();
    expect(sealsIn([file])).toEqual([]);
    expect(warnings.filter((w) => /readable or writable by others/.test(w))).toHaveLength(1);
  });
});

/** The real fs, with writes failing (ENOSPC) while `full` is set, for the log or the state's temporary file. */
function fullableFs() {
  const state = { full: null as null | 'log' | 'state' };
  const fdPaths = new Map<number, string>();
  const wrapped = {
    ...fs,
    openSync: ((p: fs.PathLike, ...rest: unknown[]) => {
      const fd = (fs.openSync as (...a: unknown[]) => number)(p, ...rest);
      fdPaths.set(fd, String(p));
      return fd;
    }) as typeof fs.openSync,
    writeSync: ((fd: number, ...rest: unknown[]) => {
      const p = fdPaths.get(fd) ?? '';
      const isState = p.includes('.seal.tmp-');
      if ((state.full === 'log' && !isState && p.endsWith('audit.log')) || (state.full === 'state' && isState)) {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return (fs.writeSync as (...a: unknown[]) => number)(fd, ...rest);
    }) as typeof fs.writeSync,
  } as WriterFs;
  return { state, fs: wrapped };
}

describe('sealing under faults', () => {
  it('ENOSPC on the log right after the state moved on: the seal is kept and written first when space returns; no epoch lost, none reused', () => {
    const disk = fullableFs();
    const { file, k0, t, log } = sealedLog({
      fs: disk.fs,
      sealStep: (at) => {
        if (at === 'state-replaced' && sealsIn([file]).length === 0) disk.state.full = 'log';
      },
    });
    for (let i = 0; i < 20; i++) {
      log.request(sampleRequest(i));
      t.advance(MIN);
    }
    expect(sealsIn([file])).toEqual([]); // made, but the disk was full
    expect(log.stats().dropped).toBeGreaterThan(0);
    disk.state.full = null;
    t.advance(MIN);
    log.request(sampleRequest(100)); // after the back-off: the seal, the gap, the record
    log.close();
    const recs = parseLines(file);
    const sealAt = recs.findIndex((r) => r.type === 'seal');
    expect(recs[sealAt + 1]).toMatchObject({ type: 'writer', event: 'dropped' });
    expect(sealsIn([file]).map((s) => s.epoch)).toEqual([0, 1]);
    expect(sealVerdictOf([file], k0)).toMatchObject({ chainOk: true, failure: null, unsealed: 0 });
  });

  it('ENOSPC on the state file: no seal, the key stays unused (the next seal takes the same epoch), one warning', () => {
    const disk = fullableFs();
    const { file, k0, t, log, warnings, statePath } = sealedLog({ fs: disk.fs });
    disk.state.full = 'state';
    for (let i = 0; i < 40; i++) {
      log.request(sampleRequest(i));
      t.advance(MIN);
    }
    expect(sealsIn([file])).toEqual([]);
    expect(stateText(statePath)).toContain(`"epoch":0,"key":"${k0.toString('hex')}"`);
    expect(warnings.filter((w) => /cannot seal/.test(w))).toHaveLength(1);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['.audit.log.seal', 'audit.log']);
    disk.state.full = null;
    log.request(sampleRequest(40));
    log.close();
    expect(sealsIn([file]).map((s) => s.epoch)).toEqual([0, 1]);
    expect(sealVerdictOf([file], k0)).toMatchObject({ chainOk: true, failure: null, unsealed: 0 });
  });

  it('a lock held by a live process: the seal waits for the next record after it is released; a dead holder\'s lock is broken', () => {
    const { file, k0, t, log, statePath } = sealedLog();
    const lock = sealLockPath(statePath);
    fs.writeFileSync(lock, `${process.ppid}\n`, { mode: 0o600 });
    for (let i = 0; i < 20; i++) {
      log.request(sampleRequest(i));
      t.advance(MIN);
    }
    expect(sealsIn([file])).toEqual([]);
    fs.writeFileSync(lock, '2147483646\n'); // no such process
    log.request(sampleRequest(20));
    expect(sealsIn([file]).map((s) => s.epoch)).toEqual([0]);
    expect(fs.existsSync(lock)).toBe(false);
    log.close();
    expect(sealVerdictOf([file], k0)).toMatchObject({ chainOk: true, failure: null });
  });

  it('the seal line carries the state\'s key id', () => {
    const { file, k0, t, log } = sealedLog();
    log.request(sampleRequest(1));
    t.advance(MIN);
    log.close();
    const [line] = readLines(file).filter((l) => l.includes('"type":"seal"'));
    expect(parseSealLine(line)?.keyId).toBe(keyId(k0));
  });
});
