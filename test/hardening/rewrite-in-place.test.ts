/**
 * The attack of #12: with a viewer open over a log, an intruder rewrites a line it already
 * indexed in place — same length, same id, `ls` made `rm`. Lines are read back by offset (lnav's
 * model), so the running engine would show the forged command under a chain it checked when it
 * read the old bytes. A line read back must be the line indexed (its fingerprint): the entry
 * never shows the new bytes, and the chain status names the line as changed after it was read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { type OpenEngineOptions, openEngine } from '../../src/engine/engine.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { generateLog } from '../../src/demo/generate.js';
import type { AuditEngine, ChainStatus } from '../../src/shared/entry.js';
import { openAuditLog } from '../../src/writer/index.js';
import { READ_BACKS } from '../helpers/read-backs.js';
import { request, response } from '../helpers/records.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-rewrite');
const WAIT = { timeout: 10_000, interval: 20 };

/** A chained log by the real writer: `ls /srv/data` approved and run first, then `df` and `uptime`. */
function writeLog(file = path.join(tempDir(), 'audit.log')): string {
  const log = openAuditLog({ path: file, warn: (m) => expect.fail(m) });
  const ask = (id: string, argv: string[]) =>
    log.request({ id, time: '2026-12-04T00:00:00Z', host: 'web-01', session: 'ssh:op', pipeline: [argv], resolved: [`/usr/bin/${argv[0]}`], env_keys: [], reason: 'look', privileged: true, decision: 'approved', via: 'operator', latency_ms: 5 } as never);
  const ran = (id: string) => log.response({ id, time: '2026-12-04T00:00:01Z', status: 'ok', error: null, stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }], stdout_len: 10, stdout_truncated: false, duration_ms: 3 } as never);
  ask('a1', ['ls', '/srv/data']);
  ran('a1');
  ask('a2', ['df']);
  ask('a3', ['uptime']);
  log.close();
  return file;
}

/** The attacker's edit: the first `ls` made `rm`, byte for byte in place (same length, same id). Returns its line number. */
function forge(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf('["ls","/srv/data"]');
  expect(at).toBeGreaterThan(0);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, '["rm","/srv/data"]', Buffer.byteLength(text.slice(0, at)));
  fs.closeSync(fd);
  return text.slice(0, at).split('\n').length;
}

const first = (engine: AuditEngine) => engine.entry(0);

const chainStatus = (engine: AuditEngine) => (engine.chainStatus as () => ChainStatus).call(engine);

const readings: Array<[string, OpenEngineOptions]> = [
  ['read as the tail, followed', { follow: true }],
  ['read as the tail, not followed', { follow: false }],
  ['read as a history, line by line', { follow: false, tailBytes: 100 }],
  ['read as a history, in chunks', { follow: false, tailBytes: 100, parallelMinBytes: 0, scanWorkers: 0 }],
  ['read as a history, by a scan worker', { follow: false, tailBytes: 100, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true }],
];

describe('a line rewritten in place after the engine read it (#12)', () => {
  for (const [name, options] of readings) {
    it(`is never shown as the entry, and the chain status names it, ${name}`, async () => {
      const file = writeLog();
      const engine = openEngine([file], options);
      try {
        await engine.indexed();
        await vi.waitFor(() => expect(chainStatus(engine).state).toBe('intact'), WAIT);
        const line = forge(file);
        const e = engine.entry(0);
        expect(e.id).toBe('a1');
        expect(e.pipeline).not.toEqual([['rm', '/srv/data']]);
        // What the index kept, not the new bytes.
        expect(e.pipeline).toEqual([['ls', '/srv/data']]);
        const status = chainStatus(engine);
        expect(status.state).toBe('broken');
        expect(status.breaks).toContainEqual(expect.objectContaining({ kind: 'modified', file, line, entryKey: 0 }));
        expect(status.breaks.find((b) => b.line === line)?.message).toMatch(`${file}:${line} was modified after it was read`);
        // The other entries read as they were written.
        expect(engine.entry(1).pipeline).toEqual([['df']]);
      } finally {
        await engine.close();
      }
    });
  }

  // print --json checks a line read back in JavaScript, or, once the index has loaded the native scanner, by its fingerprint from that scanner (plain-line.ts).
  it.each(READ_BACKS)('is not given as the entry\'s bytes to print --json (entryLines), and says so when the entry is read whole, %s', async (_name, load, native) => {
    load();
    const file = writeLog();
    const engine = openEngine([file], { follow: false });
    try {
      await engine.indexed();
      const lines = engine.entryLines?.(0);
      const before = lines?.read('request');
      expect(lines?.scanned?.('request') != null).toBe(native);
      expect(Buffer.from(before as Uint8Array).toString()).toContain('["ls","/srv/data"]');
      const line = forge(file);
      expect(engine.entryLines?.(0)?.read('request')).toBeNull();
      // The response line was not touched: still given.
      expect(Buffer.from(engine.entryLines?.(0)?.read('response') as Uint8Array).toString()).toContain('"id":"a1"');
      expect(first(engine).pipeline).toEqual([['ls', '/srv/data']]);
      expect(chainStatus(engine).breaks.map((b) => [b.kind, b.line])).toEqual([['modified', line]]);
    } finally {
      await engine.close();
    }
  });

  it('tells a viewer at once (a chain event)', async () => {
    const file = writeLog();
    const engine = openEngine([file], { follow: true });
    const states: string[] = [];
    engine.on('chain', (s: { state: string }) => states.push(s.state));
    try {
      await engine.indexed();
      await vi.waitFor(() => expect(chainStatus(engine).state).toBe('intact'), WAIT);
      forge(file);
      engine.entry(0);
      await vi.waitFor(() => expect(states.at(-1)).toBe('broken'), WAIT);
    } finally {
      await engine.close();
    }
  });

  it("is never shown by a fleet whose host settled into the fleet's store, and the fleet's chain names it", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'web-01'), { mode: 0o700 });
    const file = writeLog(path.join(dir, 'web-01', 'audit.log'));
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false });
    const footprint = () => (engine as unknown as { footprint(): { settledHosts: number } }).footprint();
    const states: string[] = [];
    engine.on('chain', (s: { state: string }) => states.push(s.state));
    try {
      await engine.indexed();
      await vi.waitFor(() => expect(footprint().settledHosts).toBe(1), WAIT);
      await vi.waitFor(() => expect(chainStatus(engine).state).toBe('intact'), WAIT);
      const line = forge(file);
      expect(engine.entryLines?.(0)?.read('request') ?? null).toBeNull();
      const e = engine.entry(0);
      expect(e.pipeline).toEqual([['ls', '/srv/data']]);
      const status = chainStatus(engine);
      expect(status.state).toBe('broken');
      expect(status.breaks).toContainEqual(expect.objectContaining({ kind: 'modified', file, line, origin: 'web-01', entryKey: e.key }));
      await vi.waitFor(() => expect(states.at(-1)).toBe('broken'), WAIT);
    } finally {
      await engine.close();
    }
  });

  // An old log without seq/prev: its lines are fingerprinted from their bytes, not from a chain hash.
  for (const [name, options] of [
    ['an unchained log, read as the tail', { follow: false }],
    ['an unchained log, read in chunks', { follow: false, tailBytes: 100, parallelMinBytes: 0, scanWorkers: 0 }],
  ] as Array<[string, OpenEngineOptions]>) {
    it.each(READ_BACKS)(`is never shown as the entry either, ${name}, %s`, async (_name, load, native) => {
      load();
      const file = path.join(tempDir(), 'audit.log');
      const lines = [request('a1', { pipeline: [['ls', '/srv/data']] }), response('a1'), request('a2'), request('a3')];
      fs.writeFileSync(file, lines.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
      const engine = openEngine([file], options);
      try {
        await engine.indexed();
        const line = forge(file);
        // What a new reader sees: the forged bytes (nothing in an unchained log says otherwise).
        const fresh = openEngine([file], { follow: false });
        await fresh.indexed();
        expect(fresh.entry(0).pipeline).toEqual([['rm', '/srv/data']]);
        await fresh.close();
        // The open engine read `ls`: it never shows `rm` as that entry.
        const untouched = engine.entryLines?.(0);
        expect(untouched?.read('response')).not.toBeNull();
        expect(untouched?.scanned?.('response') != null).toBe(native);
        expect(engine.entryLines?.(0)?.read('request') ?? null).toBeNull();
        expect(engine.entry(0).pipeline).toEqual([['ls', '/srv/data']]);
        expect(chainStatus(engine).breaks).toContainEqual(expect.objectContaining({ kind: 'modified', file, line }));
      } finally {
        await engine.close();
      }
    });
  }

  // The check must never cry wolf: every line of an untouched log reads back as indexed, however it was read.
  for (const [name, options] of [...readings, ['read as a tail and a history by scan workers, followed', { follow: true, tailBytes: 20_000, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: 50_000 }]] as Array<[string, OpenEngineOptions]>) {
    it(`finds nothing changed in an untouched log, ${name}`, async () => {
      const file = path.join(tempDir(), 'audit.log');
      generateLog({ path: file, count: 2000, seed: 7, startMs: Date.parse('2026-11-01T08:00:00Z') });
      const engine = openEngine([file], options);
      try {
        await engine.indexed();
        for (let p = 0; p < engine.size(); p++) {
          const lines = engine.entryLines?.(p);
          if (lines?.hasRequest) expect(lines.read('request')).not.toBeNull();
          expect(engine.entry(p).id).not.toBe('');
        }
        await vi.waitFor(() => expect(chainStatus(engine)).toMatchObject({ state: 'intact', breakCount: 0 }), WAIT);
      } finally {
        await engine.close();
      }
    });
  }
});
