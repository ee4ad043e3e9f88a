/**
 * A big read without the native scanner (not built: no cargo at install; or not loadable) is
 * about twice as slow; it says so, once a process, with why (read-plan.ts
 * `sayWithoutNativeScanner`) — never when the scanner was turned off on purpose.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineNotice } from '../../src/shared/entry.js';
import { openEngine } from '../../src/engine/engine.js';
import { forgetNativeAddon, nativeAddon } from '../../src/engine/native-scanner.js';
import { jsonl, request, response, tempDir } from './helpers.js';

const WHY = 'not built or not loadable (../native/sudo-proxy-audit-native.node: MODULE_NOT_FOUND)';
/** Read as a big log is (behind a tail, in chunks), whatever its size. */
const BIG = { tailBytes: 300, parallelMinBytes: 0, scanWorkers: 0 };

function log(): string {
  const file = path.join(tempDir('native-missing'), 'audit.log');
  const records = Array.from({ length: 40 }, (_, i) => [request(`r-${i}`), response(`r-${i}`)]).flat();
  fs.writeFileSync(file, jsonl(...records));
  return file;
}

async function limitNotices(file: string, options: object): Promise<EngineNotice[]> {
  const engine = openEngine([file], { follow: false, ...options });
  const said: EngineNotice[] = [];
  engine.on('notice', (n: EngineNotice) => said.push(n));
  await engine.indexed();
  expect(engine.size()).toBe(40);
  await engine.close();
  return said.filter((n) => n.kind === 'limit');
}

afterEach(() => {
  delete process.env.SUDO_PROXY_AUDIT_NATIVE;
  forgetNativeAddon();
});

describe('a big read without the native scanner', () => {
  it('says so once a process, naming the file and why it was not loaded', async () => {
    const file = log();
    forgetNativeAddon(WHY);
    const said = await limitNotices(file, BIG);
    expect(said).toHaveLength(1);
    expect(said[0].file).toBe(file);
    expect(said[0].message).toContain(`${file}: read without the native scanner, ${WHY}; the index takes about twice as long`);
    // Another engine of the same process (a viewer's, a fleet's): not again.
    expect(await limitNotices(log(), BIG)).toEqual([]);
  });

  it('says nothing of a small read, nor when the scanner is turned off or loaded', async () => {
    forgetNativeAddon(WHY);
    // (A history behind the tail, but under the 32 MB where a read is big.)
    expect(await limitNotices(log(), { tailBytes: 300 })).toEqual([]);
    // (The small read did not use up the one time.)
    expect(await limitNotices(log(), BIG)).toHaveLength(1);
    process.env.SUDO_PROXY_AUDIT_NATIVE = '0';
    forgetNativeAddon();
    expect(await limitNotices(log(), BIG)).toEqual([]);
    delete process.env.SUDO_PROXY_AUDIT_NATIVE;
    forgetNativeAddon();
    // Built here (cargo on PATH): nothing to say; where it is not, it is said, for its real reason.
    const built = nativeAddon() !== null;
    forgetNativeAddon();
    expect(await limitNotices(log(), BIG)).toHaveLength(built ? 0 : 1);
  });
});
