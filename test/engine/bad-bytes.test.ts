/**
 * Bad bytes cost what they damage, never the read: a crash's NUL-padded tail is one finding
 * (where it starts, how long it is), and a `.gz` cut short costs only its unreadable rest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { EngineNotice } from '../../src/shared/entry.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openEngine, type OpenEngineOptions } from '../../src/engine/engine.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { ids, jsonl, request, response, tempDir } from './helpers.js';

async function indexed(files: string[], options: OpenEngineOptions = {}) {
  const engine = openEngine(files, { follow: false, ...options });
  const notices: EngineNotice[] = [];
  engine.on('notice', (n: EngineNotice) => notices.push(n));
  await engine.indexed();
  const result = { ids: ids(engine), malformed: [...engine.malformed()], malformedCount: engine.malformedCount(), notices };
  await engine.close();
  return result;
}

describe('a NUL-padded tail (what a crash leaves on ext4)', () => {
  for (const [name, tail] of [
    ['without a newline', Buffer.alloc(4096)],
    ['with a newline', Buffer.concat([Buffer.alloc(4096), Buffer.from('\n')])],
  ] as const) {
    it(`is one finding naming where it starts and how many bytes, ${name}`, async () => {
      const file = path.join(tempDir('nul-tail'), 'audit.log');
      const records = Buffer.from(jsonl(request('a'), response('a'), request('b')));
      fs.writeFileSync(file, Buffer.concat([records, tail]));
      const got = await indexed([file]);
      expect(got.ids).toEqual(['a', 'b']);
      expect(got.malformedCount).toBe(1);
      expect(got.malformed).toEqual([{ file, line: 4, offset: records.length, reason: `NUL padding: 4096 bytes from byte ${records.length}` }]);
    });
  }

  // Over the 1 MiB line cap, padding is still padding (it was called "over the line cap"):
  // each way the engine reads — the tail, the history line by line, the history in chunks on
  // this thread or in scan workers — names it alike.
  const BIG = (1 << 20) + 4096;
  const readings: Array<[string, OpenEngineOptions]> = [
    ['in the tail', {}],
    ['in the history, line by line', { tailBytes: 100 }],
    ['in the history, in chunks', { tailBytes: 100, parallelMinBytes: 0, scanWorkers: 0 }],
    ['in the history, by scan workers', { tailBytes: 100, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true }],
    ['in the history, by a scan worker and this thread in turn', { tailBytes: 100, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: 64, localChunks: (c) => c % 2 === 0 }],
  ];
  for (const [where, options] of readings) {
    for (const [name, padding] of [
      ['at the end, without a newline', Buffer.alloc(BIG)],
      ['between records', Buffer.concat([Buffer.alloc(BIG), Buffer.from('\n')])],
    ] as const) {
      it(`over the line cap is still NUL padding, ${name}, ${where}`, async () => {
        const file = path.join(tempDir('nul-big'), 'audit.log');
        const records = Buffer.from(jsonl(request('a'), response('a'), request('b')));
        const after = name === 'between records' ? Buffer.from(jsonl(request('c'), request('d'))) : Buffer.alloc(0);
        fs.writeFileSync(file, Buffer.concat([records, padding, after]));
        const got = await indexed([file], options);
        expect(got.ids).toEqual(after.length > 0 ? ['a', 'b', 'c', 'd'] : ['a', 'b']);
        expect(got.malformed).toEqual([{ file, line: 4, offset: records.length, reason: `NUL padding: ${BIG} bytes from byte ${records.length}` }]);
      });
    }
  }

  it('a line over the cap with anything but NUL in it is over the cap', async () => {
    const file = path.join(tempDir('nul-big'), 'audit.log');
    const records = Buffer.from(jsonl(request('a')));
    const long = Buffer.alloc(BIG);
    long[BIG - 1] = 0x41;
    fs.writeFileSync(file, Buffer.concat([records, long, Buffer.from('\n'), Buffer.from(jsonl(request('b')))]));
    for (const [where, options] of readings) {
      const got = await indexed([file], options);
      expect(got.malformed.map((m) => [m.line, m.reason]), where).toEqual([[2, 'over the 1 MiB line cap']]);
    }
  });

  it('a line with a NUL among other bytes is one malformed line, not the file', async () => {
    const file = path.join(tempDir('nul-line'), 'audit.log');
    fs.writeFileSync(file, Buffer.concat([Buffer.from(jsonl(request('a'))), Buffer.from('{"v":1,\0"type"}\n'), Buffer.from(jsonl(request('b')))]));
    const got = await indexed([file]);
    expect(got.ids).toEqual(['a', 'b']);
    expect(got.malformed.map((m) => [m.line, m.reason])).toEqual([[2, 'contains NUL bytes']]);
  });
});

/** A rotated history `audit.log.1.gz` cut to half its length, and a live file after it. */
function cutHistory(): { gz: string; live: string; written: number } {
  const dir = tempDir('cut-gz');
  const written = 3000;
  // Distinct reasons: text that does not compress to nothing, so half the file is half the records or so.
  const lines = Array.from({ length: written }, (_, i) => jsonl(request(`r${i}`, { reason: `ticket ${(i * 7919) % 100003} ${i.toString(36)}` })));
  const gz = path.join(dir, 'audit.log.1.gz');
  const whole = gzipSync(lines.join(''));
  fs.writeFileSync(gz, whole.subarray(0, Math.floor(whole.length / 2)));
  const live = path.join(dir, 'audit.log');
  fs.writeFileSync(live, jsonl(request('live-1'), request('live-2')));
  return { gz, live, written };
}

describe('a truncated .gz in the history', () => {
  for (const [name, tuning] of [
    ['read on this thread', {}],
    ['read through the scan pool', { parallelMinBytes: 0, scanWorkers: 0 }],
  ] as const) {
    it(`costs only its unreadable rest: the lines before the cut and the other files are read (${name})`, async () => {
      const { gz, live, written } = cutHistory();
      const got = await indexed([gz, live], tuning);
      const damaged = got.notices.filter((n) => n.kind === 'damaged');
      expect(damaged).toHaveLength(1);
      expect(damaged[0].file).toBe(gz);
      expect(damaged[0].message).toMatch(new RegExp(`^${gz.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: gzip data ends early \\(the file is cut short\\): read its first \\d+ bytes of text \\(\\d+ lines\\); the rest is unreadable$`));
      expect(got.notices.filter((n) => n.kind === 'error')).toEqual([]);
      const fromGz = got.ids.filter((id) => id.startsWith('r'));
      expect(fromGz.length).toBeGreaterThan(100);
      expect(fromGz.length).toBeLessThan(written);
      expect(fromGz).toEqual(Array.from({ length: fromGz.length }, (_, i) => `r${i}`));
      expect(got.ids.slice(-2)).toEqual(['live-1', 'live-2']);
      // The line the cut tore in two is at most one malformed line.
      expect(got.malformedCount).toBeLessThanOrEqual(1);
    });
  }
});

describe('a collected host left out as unreadable, while following', () => {
  it('is not picked up as a new host; a host that really is new is', async () => {
    const dir = tempDir('left-out');
    for (const [host, bytes] of [
      ['web1', jsonl(request('a'))],
      ['web2', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])],
    ] as const) {
      fs.mkdirSync(path.join(dir, host));
      fs.writeFileSync(path.join(dir, host, 'audit.log'), bytes);
    }
    const hosts = findCollectedHosts(dir).filter((h) => h.origin !== 'web2');
    const engine = openFleetEngine(hosts, { follow: true }, [dir], [path.join(dir, 'web2')]);
    const announced: string[] = [];
    const web9 = new Promise<void>((resolve) =>
      engine.on('notice', (n: EngineNotice) => {
        if (n.kind !== 'host') return;
        announced.push(path.basename(n.file));
        if (n.file.endsWith('web9')) resolve();
      }),
    );
    await engine.indexed();
    fs.mkdirSync(path.join(dir, 'web9'));
    fs.writeFileSync(path.join(dir, 'web9', 'audit.log'), jsonl(request('n')));
    await web9; // one look at the collector announces every host it finds new
    await engine.close();
    expect(announced).toEqual(['web9']);
  }, 20_000);
});
