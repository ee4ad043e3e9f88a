/**
 * The writer when the log cannot be written: it never throws into the daemon, warns once per
 * outage, counts what it drops, backs off, and records the gap when the log is writable again.
 * Also what it refuses (symlinks, non-regular files) and the modes it creates files with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashLine, verifyChain } from '../../src/shared/chain.js';
import { auditRecordSchema } from '../../src/shared/schema.js';
import { type AuditLogOptions, openAuditLog, type WriterFs } from '../../src/writer/index.js';
import { chainLinesOf, makeTempDirFactory, parseLines, readLines, sampleRequest, sampleResponse } from './helpers.js';

const tempDir = makeTempDirFactory('spa-faults');

/** A controllable clock for skipping the back-off. */
function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall });
}

/** The real fs with writeSync replaced while `mode` says so, and calls counted. */
function faultyFs() {
  const state = { mode: 'ok' as 'ok' | 'enospc' | 'short' | 'all-but-newline', openFails: false, calls: { open: 0, mkdir: 0, write: 0 } };
  const wrapped: WriterFs = {
    ...fs,
    openSync: ((...args: Parameters<typeof fs.openSync>) => {
      state.calls.open++;
      if (state.openFails) throw errno('EACCES', 'open');
      return fs.openSync(...args);
    }) as typeof fs.openSync,
    mkdirSync: ((...args: Parameters<typeof fs.mkdirSync>) => {
      state.calls.mkdir++;
      return fs.mkdirSync(...args);
    }) as typeof fs.mkdirSync,
    writeSync: ((fd: number, data: string | Uint8Array, offset?: number, length?: number) => {
      state.calls.write++;
      // Whatever form the writer passes (a string, a Buffer, or a Buffer with offset and
      // length), these are the bytes it asked to write.
      const bytes = typeof data === 'string' ? Buffer.from(data) : data.subarray(offset ?? 0, length === undefined ? undefined : (offset ?? 0) + length);
      if (state.mode === 'enospc') throw errno('ENOSPC', 'write');
      if (state.mode === 'short') return fs.writeSync(fd, bytes.subarray(0, Math.floor(bytes.length / 2)));
      if (state.mode === 'all-but-newline') return fs.writeSync(fd, bytes.subarray(0, bytes.length - 1));
      return fs.writeSync(fd, bytes);
    }) as typeof fs.writeSync,
  };
  return { state, fs: wrapped };
}

/** A writer on a fresh file over faultyFs(), with a controllable clock and its warnings collected. */
function faultyLog(extra: AuditLogOptions = {}) {
  const file = path.join(tempDir(), 'audit.log');
  const t = clock();
  const faulty = faultyFs();
  const warnings: string[] = [];
  const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), now: t.now, fs: faulty.fs, ...extra });
  return { file, t, faulty, warnings, log };
}

describe('unwritable path', () => {
  it('warns once, never throws, counts drops, then records the gap when the path becomes writable', () => {
    const dir = tempDir();
    const blocker = path.join(dir, 'state'); // a regular file where the log's directory should be
    fs.writeFileSync(blocker, 'not a directory');
    const file = path.join(blocker, 'audit.log');
    const t = clock();
    const warnings: string[] = [];
    const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), now: t.now });

    expect(() => {
      log.request(sampleRequest(1));
      log.response(sampleResponse(1));
      log.request(sampleRequest(2));
    }).not.toThrow();
    t.advance(1_000); // the back-off expires; the retry fails again, silently
    log.request(sampleRequest(3));
    t.advance(5_000);
    log.response(sampleResponse(3));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toMatch(/ENOTDIR|EEXIST|is not a directory/);
    expect(log.stats()).toEqual({ written: 0, dropped: 5, droppedTotal: 5 });

    fs.rmSync(blocker);
    t.advance(60_000);
    log.request(sampleRequest(4));
    expect(log.stats()).toEqual({ written: 2, dropped: 0, droppedTotal: 5 });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/5 record\(s\) were dropped/);
    expect(() => log.close()).not.toThrow();

    const recs = parseLines(file);
    for (const r of recs) expect(auditRecordSchema.safeParse(r).success).toBe(true);
    expect(recs.map((r) => r.event ?? r.id)).toEqual(['dropped', 'req-4', 'stop']);
    expect(recs[0]).toMatchObject({ type: 'writer', dropped: 5, pid: process.pid });
    expect(String(recs[0].error)).toMatch(/ENOTDIR|EEXIST|is not a directory/);
    expect(verifyChain(chainLinesOf([file])).ok).toBe(true);
  });

  it('makes no syscall for the log until the back-off expires, and backs off further after each failure', () => {
    const dir = tempDir();
    const blocker = path.join(dir, 'state');
    fs.writeFileSync(blocker, '');
    const t = clock();
    const faulty = faultyFs();
    const log = openAuditLog({ path: path.join(blocker, 'audit.log'), warn: () => {}, now: t.now, fs: faulty.fs, retryMs: { initial: 100, max: 400 } });
    const attempts = () => faulty.state.calls.mkdir;
    expect(attempts()).toBe(1);
    for (let i = 0; i < 100; i++) log.request(sampleRequest(i));
    expect(attempts()).toBe(1);
    t.advance(100); // first back-off: 100 ms
    log.request(sampleRequest(100));
    expect(attempts()).toBe(2);
    t.advance(199); // now 200 ms
    log.request(sampleRequest(101));
    expect(attempts()).toBe(2);
    t.advance(1);
    log.request(sampleRequest(102));
    expect(attempts()).toBe(3);
    for (const wait of [400, 400]) {
      t.advance(wait - 1);
      log.request(sampleRequest(0));
      t.advance(1);
      log.request(sampleRequest(0));
    }
    expect(attempts()).toBe(5); // capped at max: 400 ms, 400 ms
    expect(log.stats().dropped).toBe(107);
  });
});

describe('disk full', () => {
  it('ENOSPC: one warning, drops counted, the gap recorded on recovery, the chain intact', () => {
    const { file, t, faulty, warnings, log } = faultyLog();
    log.request(sampleRequest(1));
    faulty.state.mode = 'enospc';
    expect(() => {
      for (let i = 2; i < 12; i++) {
        log.request(sampleRequest(i));
        t.advance(100);
      }
    }).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ENOSPC/);
    expect(log.stats()).toMatchObject({ written: 2, dropped: 10 });

    faulty.state.mode = 'ok';
    t.advance(60_000);
    log.request(sampleRequest(12));
    log.close();
    const recs = parseLines(file);
    expect(recs.map((r) => r.event ?? r.id)).toEqual(['start', 'req-1', 'dropped', 'req-12', 'stop']);
    expect(recs[2]).toMatchObject({ dropped: 10 });
    expect(String(recs[2].error)).toMatch(/ENOSPC/);
    for (const r of recs) expect(auditRecordSchema.safeParse(r).success).toBe(true);
    expect(verifyChain(chainLinesOf([file]))).toMatchObject({ ok: true, records: 5, malformed: [] });
    expect(log.stats()).toEqual({ written: 5, dropped: 0, droppedTotal: 10 });
  });

  it('a short write leaves a fragment, and the next record starts on a fresh line', () => {
    const { file, t, faulty, warnings, log } = faultyLog();
    log.request(sampleRequest(1));
    faulty.state.mode = 'short';
    log.request(sampleRequest(2));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/short write/);
    expect(log.stats().dropped).toBe(1);

    faulty.state.mode = 'ok';
    t.advance(60_000);
    log.request(sampleRequest(3));
    log.close();
    const lines = readLines(file);
    expect(lines).toHaveLength(6);
    expect(() => JSON.parse(lines[2])).toThrow(); // the fragment of req-2
    expect(lines[2].startsWith('{"v":1,"type":"request"')).toBe(true);
    const after = [lines[0], lines[1], ...lines.slice(3)].map((l) => auditRecordSchema.parse(JSON.parse(l)));
    expect(after.map((r) => ('id' in r ? r.id : 'event' in r ? r.event : r.type))).toEqual(['start', 'req-1', 'dropped', 'req-3', 'stop']);
    expect(JSON.parse(lines[3])).toMatchObject({ seq: 3, prev: hashLine(lines[1]), dropped: 1 });
    const report = verifyChain(chainLinesOf([file]));
    expect(report.ok).toBe(true);
    expect(report.malformed).toEqual([{ file, line: 3, reason: 'not JSON' }]);
  });

  it('a short write that lost only the newline keeps the record and the chain', () => {
    const file = path.join(tempDir(), 'audit.log');
    const faulty = faultyFs();
    const log = openAuditLog({ path: file, warn: () => {}, fs: faulty.fs });
    faulty.state.mode = 'all-but-newline';
    log.request(sampleRequest(1));
    faulty.state.mode = 'ok';
    log.request(sampleRequest(2));
    log.close();
    const lines = readLines(file);
    const recs = lines.map((l) => auditRecordSchema.parse(JSON.parse(l)));
    expect(recs.map((r) => ('id' in r ? r.id : 'event' in r ? r.event : r.type))).toEqual(['start', 'req-1', 'req-2', 'stop']);
    expect(verifyChain(chainLinesOf([file]))).toMatchObject({ ok: true, records: 4, malformed: [] });
    expect(log.stats()).toEqual({ written: 4, dropped: 0, droppedTotal: 0 });
  });

  it('warns again for a second outage after one that ended without drops', () => {
    const file = path.join(tempDir(), 'audit.log');
    const t = clock();
    const faulty = faultyFs();
    const warnings: string[] = [];
    faulty.state.openFails = true;
    const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), now: t.now, fs: faulty.fs });
    expect(warnings).toHaveLength(1);
    faulty.state.openFails = false;
    t.advance(60_000);
    log.request(sampleRequest(1)); // the outage ends before anything was dropped
    expect(log.stats()).toEqual({ written: 1, dropped: 0, droppedTotal: 0 });

    fs.renameSync(file, `${file}.1`); // rotated, and the new file cannot be opened: the same error again
    faulty.state.openFails = true;
    log.request(sampleRequest(2));
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/EACCES/);
    expect(log.stats().dropped).toBe(1);
    // …and the back-off starts again from its initial 250 ms.
    faulty.state.openFails = false;
    t.advance(250);
    log.request(sampleRequest(3));
    expect(log.stats()).toEqual({ written: 3, dropped: 0, droppedTotal: 1 });
    log.close();
    expect(parseLines(file).map((r) => r.event ?? r.id)).toEqual(['dropped', 'req-3', 'stop']);
  });

  it('one warning per disk-full outage: no "torn line" warning when a retry finds the fragment its own short write left', () => {
    const { file, t, faulty, warnings, log } = faultyLog({ retryMs: { initial: 100, max: 400 } });
    log.request(sampleRequest(1));
    faulty.state.mode = 'short'; // the disk fills mid-record, and stays full through ten retries
    for (let i = 2; i < 40; i++) {
      log.request(sampleRequest(i));
      t.advance(150);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/short write/);
    faulty.state.mode = 'ok';
    t.advance(1_000);
    log.request(sampleRequest(40));
    log.close();
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/writable again/);
    const report = verifyChain(chainLinesOf([file]));
    expect(report.ok).toBe(true);
    expect(report.break).toBeNull();
  });

  it('warns once when fsync keeps failing, not once per record', () => {
    const file = path.join(tempDir(), 'audit.log');
    let failing = false;
    const flaky: WriterFs = {
      ...fs,
      fsyncSync: ((fd: number) => {
        if (failing) throw errno('EIO', 'fsync');
        fs.fsyncSync(fd);
      }) as typeof fs.fsyncSync,
    };
    const warnings: string[] = [];
    const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), fs: flaky, fsync: true });
    failing = true;
    for (let i = 0; i < 20; i++) log.request(sampleRequest(i));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/fsync.*EIO/);
    failing = false;
    log.request(sampleRequest(20)); // a good fsync ends the outage…
    failing = true;
    log.request(sampleRequest(21)); // …so the next failure is news again
    log.close();
    expect(warnings).toHaveLength(2);
    expect(log.stats()).toMatchObject({ written: 24, dropped: 0 });
  });

  it('/dev/full, a character device, is refused with a warning and no throw', () => {
    const warnings: string[] = [];
    const log = openAuditLog({ path: '/dev/full', warn: (m) => warnings.push(m) });
    expect(() => {
      log.request(sampleRequest(1));
      log.response(sampleResponse(1));
      log.close();
    }).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not a regular file/);
    expect(log.stats()).toMatchObject({ written: 0, dropped: 3 });
    expect(fs.statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

describe('close()', () => {
  it('makes one last attempt, ignoring the back-off, to record the drops and the stop record', () => {
    const { file, t, faulty, warnings, log } = faultyLog();
    log.request(sampleRequest(1));
    faulty.state.mode = 'enospc';
    for (let i = 2; i < 7; i++) log.request(sampleRequest(i));
    expect(log.stats().dropped).toBe(5);
    faulty.state.mode = 'ok'; // space is back, but the daemon stops while the writer still backs off
    log.close();
    const recs = parseLines(file);
    expect(recs.map((r) => r.event ?? r.id)).toEqual(['start', 'req-1', 'dropped', 'stop']);
    expect(recs[2]).toMatchObject({ type: 'writer', dropped: 5 });
    expect(String(recs[2].error)).toMatch(/ENOSPC/);
    expect(log.stats()).toEqual({ written: 4, dropped: 0, droppedTotal: 5 });
    expect(verifyChain(chainLinesOf([file]))).toMatchObject({ ok: true, records: 4, malformed: [] });
    expect(warnings.at(-1)).toMatch(/5 record\(s\) were dropped/);
  });

  it('makes that attempt only once, and never throws when it fails', () => {
    const file = path.join(tempDir(), 'audit.log');
    const faulty = faultyFs();
    const log = openAuditLog({ path: file, warn: () => {}, fs: faulty.fs });
    log.request(sampleRequest(1));
    faulty.state.mode = 'enospc';
    log.request(sampleRequest(2));
    const writes = faulty.state.calls.write;
    expect(() => log.close()).not.toThrow();
    expect(faulty.state.calls.write).toBe(writes + 1); // the gap record, refused; nothing after it
    expect(() => log.close()).not.toThrow();
    expect(faulty.state.calls.write).toBe(writes + 1);
    expect(log.stats()).toEqual({ written: 2, dropped: 2, droppedTotal: 2 }); // req-2 and the stop record
  });
});

describe('symlinks', () => {
  it('refuses a symlink at the path and leaves its target untouched', () => {
    const dir = tempDir();
    const target = path.join(dir, 'target.txt');
    fs.writeFileSync(target, 'precious\n', { mode: 0o644 });
    const file = path.join(dir, 'audit.log');
    fs.symlinkSync(target, file);
    const warnings: string[] = [];
    const log = openAuditLog({ path: file, warn: (m) => warnings.push(m) });
    expect(() => {
      log.request(sampleRequest(1));
      log.close();
    }).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/symlink/);
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    expect(fs.statSync(target).mode & 0o777).toBe(0o644);
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
    expect(log.stats().dropped).toBe(2);
  });

  it('does not create the target of a dangling symlink', () => {
    const dir = tempDir();
    const target = path.join(dir, 'elsewhere.log');
    const file = path.join(dir, 'audit.log');
    fs.symlinkSync(target, file);
    const warnings: string[] = [];
    const log = openAuditLog({ path: file, warn: (m) => warnings.push(m) });
    log.request(sampleRequest(1));
    log.close();
    expect(fs.existsSync(target)).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/symlink/);
  });
});

describe('creation races', () => {
  /** The real fs, where someone else creates `make()` at the path just after the writer's first open finds nothing. */
  function racingFs(file: string, make: () => void): WriterFs {
    return {
      ...fs,
      openSync: ((p: fs.PathLike, flags: number, mode?: fs.Mode) => {
        try {
          return fs.openSync(p, flags, mode);
        } catch (e) {
          if (p === file && (flags & fs.constants.O_CREAT) === 0 && (e as NodeJS.ErrnoException).code === 'ENOENT') make();
          throw e;
        }
      }) as typeof fs.openSync,
    };
  }

  it('opens the file another writer or logrotate `create` made between its two opens', () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const other = JSON.stringify({ v: 1, type: 'writer', seq: 1, prev: '0'.repeat(64), time: 't', event: 'start', pid: 1 });
    const warnings: string[] = [];
    // rotationCheckMs 0: the rename comes within the same millisecond as the appends.
    const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), rotationCheckMs: 0, fs: racingFs(file, () => fs.writeFileSync(file, `${other}\n`, { flag: 'wx' })) });
    log.request(sampleRequest(1));
    fs.renameSync(file, `${file}.1`); // rotated; the racer creates the new file again
    log.request(sampleRequest(2));
    log.close();
    expect(warnings).toEqual([]);
    expect(log.stats()).toEqual({ written: 4, dropped: 0, droppedTotal: 0 });
    expect(readLines(`${file}.1`)[0]).toBe(other);
    expect(parseLines(`${file}.1`).map((r) => r.event ?? r.id)).toEqual(['start', 'start', 'req-1']);
    expect(parseLines(file).map((r) => r.event ?? r.id)).toEqual(['start', 'req-2', 'stop']);
  });

  it('still refuses a symlink planted between its two opens', () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const target = path.join(dir, 'target');
    fs.writeFileSync(target, 'keep\n');
    const warnings: string[] = [];
    const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), fs: racingFs(file, () => fs.symlinkSync(target, file)) });
    log.request(sampleRequest(1));
    log.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/symlink/);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep\n');
    expect(log.stats().written).toBe(0);
  });
});

describe('modes', () => {
  const saved = process.umask();
  afterEach(() => {
    process.umask(saved);
  });

  for (const umask of [0o000, 0o022, 0o277]) {
    it(`creates the directory 0700 and the file 0600 under umask ${umask.toString(8).padStart(3, '0')}`, () => {
      const base = tempDir();
      const dir = path.join(base, 'state', 'sudo-proxy');
      const file = path.join(dir, 'audit.log');
      process.umask(umask);
      const log = openAuditLog({ path: file, warn: () => {} });
      log.request(sampleRequest(1));
      log.close();
      process.umask(saved);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      if (umask === 0) expect(fs.statSync(path.join(base, 'state')).mode & 0o777).toBe(0o700);
      expect(readLines(file)).toHaveLength(3);
    });
  }

  it('leaves the mode of an existing log alone', () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o640);
    const log = openAuditLog({ path: file, warn: () => {} });
    log.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(readLines(file)).toHaveLength(2);
  });
});
