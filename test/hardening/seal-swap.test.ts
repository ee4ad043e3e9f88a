/**
 * An intruder without the sealing key rewrites a record before a seal and chains every line after
 * it again: the chain holds, and the seal's MAC (over its `prev`) no longer verifies — that is
 * what seals are for. But the viewer checks a seal from its line read again, after the chain was
 * checked from the bytes the engine indexed: the intruder lets the engine index the re-chained
 * seal, then puts the genuine seal line (same length) back in its place. Its MAC verifies, the
 * chain was intact when read: both badges green over a forged record — unless a seal line read
 * back must be the line indexed (its fingerprint, as an entry's line, line-fingerprints.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openEngine } from '../../src/engine/engine.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { hashLine } from '../../src/shared/chain.js';
import type { AuditEngine, ChainStatus } from '../../src/shared/entry.js';
import { ViewerStore } from '../../src/tui/store/store.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { logLines, sealedClosedLog } from '../writer/seal-helpers.js';

const tempDir = makeTempDirFactory('spa-sealswap');
const WAIT = { timeout: 10_000, interval: 20 };
const engines: AuditEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/**
 * The intruder's log: the first request's reason changed, every line after it chained again (each
 * seal's `prev` too, so its MAC no longer verifies). Returns the genuine seal lines and where
 * their forged ones are, to put them back once the engine has read them.
 */
function forgeAndRechain(file: string): { seals: Array<{ text: string; offset: number }>; sealLine: number } {
  const lines = logLines(file);
  const target = lines.findIndex((l) => l.includes('"type":"request"'));
  const sealsAt = lines.flatMap((l, i) => (l.includes('"type":"seal"') ? [i] : []));
  expect(target).toBeGreaterThanOrEqual(0);
  expect(sealsAt.length).toBeGreaterThanOrEqual(2);
  expect(sealsAt[0]).toBeGreaterThan(target);
  const out = [...lines];
  out[target] = lines[target].replace(/"reason":"[^"]*"/, '"reason":"FORGED"');
  expect(out[target]).not.toBe(lines[target]);
  for (let i = target + 1; i < out.length; i++) out[i] = out[i].replace(/"prev":"[0-9a-f]{64}"/, `"prev":"${hashLine(out[i - 1])}"`);
  fs.writeFileSync(file, `${out.join('\n')}\n`);
  const offsetOf = (i: number) => Buffer.byteLength(out.slice(0, i).map((l) => `${l}\n`).join(''));
  for (const i of sealsAt) {
    expect(out[i].length).toBe(lines[i].length);
    expect(out[i]).not.toBe(lines[i]);
  }
  return { seals: sealsAt.map((i) => ({ text: lines[i], offset: offsetOf(i) })), sealLine: sealsAt[0] + 1 };
}

/** Every genuine seal line back in its place (each the length of the forged one). */
function swapBack(file: string, at: { seals: Array<{ text: string; offset: number }> }): void {
  const fd = fs.openSync(file, 'r+');
  for (const s of at.seals) fs.writeSync(fd, s.text, s.offset);
  fs.closeSync(fd);
}

const chainStatus = (engine: AuditEngine) => (engine.chainStatus as () => ChainStatus).call(engine);

describe('a seal line put back after the engine read the re-chained one (#12)', () => {
  it('the forged log alone: the chain holds, the seal fails (what the swap is to hide)', async () => {
    const file = path.join(tempDir(), 'logs', 'audit.log');
    const k0 = sealedClosedLog(file);
    forgeAndRechain(file);
    const engine = openEngine([file], { follow: false });
    engines.push(engine);
    await engine.indexed();
    await vi.waitFor(() => expect(chainStatus(engine).state).toBe('intact'), WAIT);
    const store = new ViewerStore({ engine, live: false, size: { columns: 200, rows: 24 }, sealKeys: new Map([['', k0]]) });
    expect(store.getState().seal?.failure?.kind).toBe('mac');
  });

  for (const [name, options] of [
    ['read as the tail', { follow: false }],
    ['read as a history in chunks', { follow: false, tailBytes: 300, parallelMinBytes: 0, scanWorkers: 0 }],
    ['read as a history by a scan worker', { follow: false, tailBytes: 300, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true }],
  ] as const) {
    it(`is not checked as the seal: the chain names it modified, ${name}`, async () => {
      const file = path.join(tempDir(), 'logs', 'audit.log');
      const k0 = sealedClosedLog(file);
      const at = forgeAndRechain(file);
      const engine = openEngine([file], options);
      engines.push(engine);
      await engine.indexed();
      await vi.waitFor(() => expect(chainStatus(engine).state).toBe('intact'), WAIT);
      swapBack(file, at);
      const store = new ViewerStore({ engine, live: false, size: { columns: 200, rows: 24 }, sealKeys: new Map([['', k0]]) });
      // The genuine seals' MACs verify over their own bytes: they must not be what is checked.
      expect(store.getState().seal).toMatchObject({ checked: 1, sealedUntil: null });
      const status = chainStatus(engine);
      expect(status.state).toBe('broken');
      expect(status.breaks).toContainEqual(expect.objectContaining({ kind: 'modified', file, line: at.sealLine }));
    });
  }

  it('the viewer\'s header says the chain is broken, not verified (the store is made once the chain is checked)', async () => {
    const file = path.join(tempDir(), 'logs', 'audit.log');
    const k0 = sealedClosedLog(file);
    const at = forgeAndRechain(file);
    const engine = openEngine([file], { follow: true });
    engines.push(engine);
    await engine.indexed();
    await vi.waitFor(() => expect(chainStatus(engine).state).toBe('intact'), WAIT);
    swapBack(file, at);
    const store = new ViewerStore({ engine, live: true, size: { columns: 200, rows: 24 }, sealKeys: new Map([['', k0]]) });
    const stop = store.connect();
    try {
      await vi.waitFor(() => expect(store.getState().chain).toMatchObject({ state: 'broken' }), WAIT);
      expect(store.getState().chain?.breaks).toContainEqual(expect.objectContaining({ kind: 'modified', line: at.sealLine }));
    } finally {
      stop();
    }
  });

  it("is not checked as the seal of a fleet's host either", async () => {
    const dir = tempDir();
    const file = path.join(dir, 'web-01', 'audit.log');
    const k0 = sealedClosedLog(file);
    const at = forgeAndRechain(file);
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false });
    engines.push(engine);
    await engine.indexed();
    await vi.waitFor(() => expect(chainStatus(engine).state).toBe('intact'), WAIT);
    swapBack(file, at);
    const store = new ViewerStore({ engine, live: false, size: { columns: 200, rows: 24 }, sealKeys: new Map([['web-01', k0]]) });
    expect(store.getState().seal).toMatchObject({ checked: 1, sealedUntil: null });
    await vi.waitFor(() => expect(chainStatus(engine).breaks).toContainEqual(expect.objectContaining({ kind: 'modified', file, line: at.sealLine, origin: 'web-01' })), WAIT);
  });
});
