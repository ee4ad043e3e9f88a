/**
 * Seals end to end: a log sealed by the real writer (a short interval on a fake clock), read by
 * the real engine (tail first, the history behind it; and as a .gz), checked by the viewer's
 * store with the verification key, shown in the header.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openEngine } from '../../src/engine/engine.js';
import type { AuditEngine } from '../../src/shared/entry.js';
import { titleLine } from '../../src/tui/format/header.js';
import { lineText } from '../../src/tui/format/spans.js';
import { formatTime } from '../../src/tui/format/time.js';
import { ViewerStore } from '../../src/tui/store/store.js';
import { openAuditLog } from '../../src/writer/index.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { sampleRequest } from '../writer/helpers.js';
import { initSealState, logLines, sealedClosedLog, sealsIn } from '../writer/seal-helpers.js';

const tempDir = makeTempDirFactory('spa-sealview');
const MIN = 60_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const engines: AuditEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** 23 requests a minute apart, sealed every 5 minutes; left open, so the last few are unsealed. */
function sealedLog() {
  const file = path.join(tempDir(), 'logs', 'audit.log');
  const k0 = initSealState(file);
  let t = Date.parse('2026-12-01T10:00:00Z');
  const clock = { advance: (ms: number) => (t += ms) };
  const log = openAuditLog({ path: file, now: () => t, sealInterval: 5 * MIN, warn: () => {} });
  for (let i = 0; i < 23; i++) {
    log.request(sampleRequest(i));
    t += MIN;
  }
  const lines = logLines(file);
  const lastSeal = lines.findLastIndex((l) => l.includes('"type":"seal"'));
  return { file, k0, log, clock, lines, firstSealLine: lines.findIndex((l) => l.includes('"type":"seal"')) + 1, unsealed: lines.length - lastSeal - 1 };
}

async function header(files: string[], key: Buffer | null, tailBytes?: number): Promise<string> {
  const engine = openEngine(files, { follow: false, tailBytes });
  engines.push(engine);
  await engine.indexed();
  const store = new ViewerStore({ engine, live: false, size: { columns: 220, rows: 24 }, now: () => NOW, sealKeys: new Map(key ? [['', key]] : []) });
  const s = store.getState();
  return lineText(titleLine({ title: 't', files, live: false, follow: true, unseen: 0, filter: [], search: null, stats: null, malformedCount: 0, chain: s.chain, seal: s.seal, now: NOW, width: 220 }));
}

describe('seals in the viewer, end to end', () => {
  it('the engine lists each seal where it is, the history read behind the tail included', async () => {
    const { file, log, lines } = sealedLog();
    try {
      const engine = openEngine([file], { follow: false, tailBytes: 1500 });
      engines.push(engine);
      await engine.indexed();
      const [group] = engine.seals?.() ?? [];
      const want = lines.flatMap((l, i) => (l.includes('"type":"seal"') ? [i + 1] : []));
      expect(want.length).toBeGreaterThanOrEqual(4);
      expect(group.locations.map((l) => l.line)).toEqual(want);
      expect(group.locations.map((_, i) => Buffer.from(group.line(i) as Uint8Array).toString())).toEqual(want.map((n) => lines[n - 1]));
      expect(group.firstSeq).toBe(1);
      expect(group.lastSeq).toBe(lines.length);
    } finally {
      log.close();
    }
  });

  it('with the key: sealed until the last seal and the records after it unsealed; a wrong key: the failure at its file:line', async () => {
    const { file, k0, log, unsealed, firstSealLine } = sealedLog();
    try {
      const last = sealsIn([file]).at(-1)?.time as string;
      const until = formatTime(Date.parse(last), 'date', NOW);
      for (const tailBytes of [undefined, 1500]) {
        expect(await header([file], k0, tailBytes)).toContain(`✓ sealed until ${until} · ${unsealed} unsealed`);
      }
      expect(unsealed).toBeGreaterThan(0);
      expect(await header([file], Buffer.alloc(32, 1))).toContain(`✗ seal FAILED: other-log at audit.log:${firstSealLine}`);
      expect(await header([file], null)).toContain(`${unsealed} unsealed · seals not checked (no key)`);
    } finally {
      log.close();
    }
  });

  it('following: the records after the last seal count up, and a new seal moves "sealed until"', async () => {
    const { file, k0, log, clock, unsealed } = sealedLog();
    try {
      const engine = openEngine([file], { follow: true });
      engines.push(engine);
      await engine.indexed();
      const store = new ViewerStore({ engine, live: true, size: { columns: 220, rows: 24 }, now: () => NOW, sealKeys: new Map([['', k0]]) });
      const stop = store.connect();
      try {
        const before = store.getState().seal;
        expect(before).toMatchObject({ unsealed, failure: null });
        log.request(sampleRequest(100));
        await vi.waitFor(() => expect(store.getState().seal?.unsealed).toBe(unsealed + 1), { timeout: 10_000, interval: 20 });
        clock.advance(10 * MIN);
        log.request(sampleRequest(101)); // the interval is up: sealed after it
        const last = sealsIn([file]).at(-1)?.time;
        expect(last).not.toBe(before?.sealedUntil);
        await vi.waitFor(() => expect(store.getState().seal).toMatchObject({ sealedUntil: last, unsealed: 0, failure: null }), { timeout: 10_000, interval: 20 });
      } finally {
        stop();
      }
    } finally {
      log.close();
    }
  });

  it('a .gz history is checked as the plain file (its lines read again from the decompressed copy)', async () => {
    const { file, k0, log } = sealedLog();
    log.close(); // sealed at close: nothing unsealed
    const gz = `${file}.1.gz`;
    fs.writeFileSync(gz, gzipSync(fs.readFileSync(file)));
    const last = sealsIn([file]).at(-1)?.time as string;
    expect(await header([gz], k0)).toContain(`✓ sealed until ${formatTime(Date.parse(last), 'date', NOW)} · 0 unsealed`);
  });

  it('a seal rewritten (its MAC forged) is named, in the broken style, beside the broken chain', async () => {
    const { file, k0, log, lines, firstSealLine } = sealedLog();
    log.close();
    const forged = lines.map((l, i) => (i + 1 === firstSealLine ? l.replace(/"mac":"(.)/, (_, c: string) => `"mac":"${c === '0' ? '1' : '0'}`) : l));
    fs.writeFileSync(file, `${forged.join('\n')}\n`);
    const line = await header([file], k0);
    expect(line).toContain('✗ chain BROKEN');
    expect(line).toContain(`✗ seal FAILED: mac at audit.log:${firstSealLine}`);
  });
});

describe('seals of a collector directory', () => {
  /** A host's log, sealed by the real writer and closed; `late`: its first seal's batch arrived after the next seal (a shipper's retry). */
  function host(dir: string, origin: string, late: boolean): Buffer {
    const file = path.join(dir, origin, 'audit.log');
    const k0 = sealedClosedLog(file);
    if (late) {
      const lines = logLines(file);
      const first = lines.findIndex((l) => l.includes('"type":"seal"'));
      // (The record before it and the seal, shipped after the next seal.)
      const batch = lines.splice(first - 1, 2);
      const next = lines.findIndex((l) => l.includes('"type":"seal"'));
      lines.splice(next + 1, 0, ...batch);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
    }
    return k0;
  }

  it('each host is checked with its own key, in chain order; a wrong key names the host', async () => {
    const dir = tempDir();
    const a = host(dir, 'db-1', false);
    const b = host(dir, 'web-1', true);
    const { findCollectedHosts } = await import('../../src/engine/collector-dir.js');
    const { openFleetEngine } = await import('../../src/engine/fleet-engine.js');
    const badge = async (keys: Array<[string, Buffer]>) => {
      const engine = openFleetEngine(findCollectedHosts(dir), { follow: false });
      engines.push(engine);
      await engine.indexed();
      const store = new ViewerStore({ engine, live: false, size: { columns: 220, rows: 24 }, now: () => NOW, sealKeys: new Map(keys) });
      const s = store.getState();
      return lineText(titleLine({ title: 't', files: [], origins: 2, live: false, follow: true, unseen: 0, filter: [], search: null, stats: null, malformedCount: 0, chain: s.chain, seal: s.seal, now: NOW, width: 220 }));
    };
    expect(await badge([['db-1', a], ['web-1', b]])).toMatch(/✓ sealed until \d\d:\d\d:\d\d · 0 unsealed$/);
    expect(await badge([['db-1', a], ['web-1', a]])).toMatch(/✗ seal FAILED: other-log at web-1 audit\.log:\d+$/);
  });
});
