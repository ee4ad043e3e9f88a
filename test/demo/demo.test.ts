/**
 * The simulated daemon's opening history (`demo --history`, what `npm start` passes): a new
 * log starts with the past minute's traffic, written before the viewer opens, so its first
 * screen has rows; live traffic then follows in the same writer, chain and time order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/demo.js';
import { verifyChain } from '../../src/shared/chain.js';
import { openAuditLog } from '../../src/writer/index.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-demo');

const recordsOf = (file: string) => fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const loggedMs = (r: Record<string, unknown>) => Date.parse(r.logged as string);

describe('demo --history', () => {
  it('a new log starts with the past DURATION of traffic, written before runDemo returns; live traffic follows in the same chain', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const before = Date.now();
    const handle = runDemo({ auditLog: file, rate: 2, speed: 10, seed: 3, history: 60_000, warn: () => {} });
    const after = Date.now();
    const opening = recordsOf(file);
    expect(opening[0]).toMatchObject({ type: 'writer', event: 'start' });
    // The start record opens the history: about a minute before now, not now.
    expect(loggedMs(opening[0])).toBeLessThan(before - 30_000);
    expect(loggedMs(opening[0])).toBeGreaterThanOrEqual(before - 60_000);
    const requests = opening.filter((r) => r.type === 'request');
    expect(requests.length).toBeGreaterThan(20); // ~120 expected at 2 per second
    expect(opening.filter((r) => r.type === 'response').length).toBeGreaterThan(0);
    for (const r of opening) expect(loggedMs(r)).toBeLessThanOrEqual(after);
    // Wait for live traffic (a condition, not a time): a request logged after the history.
    await expect.poll(() => recordsOf(file).filter((r) => r.type === 'request' && loggedMs(r) >= before).length, { timeout: 20_000 }).toBeGreaterThan(0);
    handle.stop();
    await handle.done;
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const all = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(verifyChain(lines.map((text, i) => ({ file, line: i + 1, text }))).ok).toBe(true);
    expect(all.filter((r) => r.type === 'writer').map((r) => r.event)).toEqual(['start', 'stop']); // one writer throughout
    for (let i = 1; i < all.length; i++) expect(loggedMs(all[i])).toBeGreaterThanOrEqual(loggedMs(all[i - 1]));
    const asked = new Set(all.filter((r) => r.type === 'request').map((r) => r.id));
    for (const r of all.filter((r) => r.type === 'response')) expect(asked).toContain(r.id);
  });

  it('writes no history into a log that already holds records: its times would go back', () => {
    const file = path.join(tempDir(), 'audit.log');
    const old = openAuditLog({ path: file, warn: () => {} });
    old.close();
    const existing = recordsOf(file).length;
    const handle = runDemo({ auditLog: file, rate: 2, speed: 10, seed: 3, history: 60_000, warn: () => {} });
    const opening = recordsOf(file).slice(existing);
    handle.stop();
    expect(opening[0]).toMatchObject({ type: 'writer', event: 'start' });
    expect(opening.filter((r) => r.type === 'request')).toEqual([]);
    for (const r of opening) expect(loggedMs(r)).toBeGreaterThanOrEqual(loggedMs(recordsOf(file)[existing - 1]));
  });
});
