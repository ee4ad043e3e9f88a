/**
 * The shipped CLI is an esbuild bundle (esbuild.config.mjs): what it must keep from the
 * unbundled build. The other CLI tests run it; these check what they cannot see.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers.js';

const BIN = path.dirname(CLI);
const read = (file: string) => fs.readFileSync(path.join(BIN, file), 'utf8');

/** cli.js and the chunks it imports statically (what every command loads before it runs). */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of read(file).matchAll(/^import\s*(?:[^;]*?from\s*)?"\.\/([^"]+)"/gms)) visit(m[1]);
  };
  visit(entry);
  return [...seen];
}

describe('the bundle', () => {
  it('is one flat directory, so a chunk finds the scan worker next to itself', () => {
    const entries = fs.readdirSync(BIN, { withFileTypes: true });
    expect(entries.filter((e) => e.isDirectory()).map((e) => e.name)).toEqual([]);
    const starters = entries.filter((e) => e.name.endsWith('.js') && read(e.name).includes('new URL("./scan-worker.js"'));
    expect(starters.length).toBe(1);
    expect(fs.existsSync(path.join(BIN, 'scan-worker.js'))).toBe(true);
  });

  it('runs the scan worker: a chunk of lines in, its records out', async () => {
    const worker = new Worker(path.join(BIN, 'scan-worker.js'));
    try {
      const line = (seq: number) => `{"v":1,"type":"writer","time":"2026-11-27T08:00:00.000Z","event":"start","pid":1,"seq":${seq}}\n`;
      const bytes = Buffer.from(`${line(1)}not json\n${line(2)}`);
      const buffer = new ArrayBuffer(bytes.length);
      bytes.copy(Buffer.from(buffer));
      const reply = new Promise<{ id: number; result: { lines: number; count: number } }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      worker.postMessage({ id: 7, buffer, length: bytes.length, final: true }, [buffer]);
      const { id, result } = await reply;
      expect(id).toBe(7);
      expect(result.lines).toBe(3);
      expect(result.count).toBe(3);
    } finally {
      await worker.terminate();
    }
  });

  it('loads no React or Ink before a command runs (print, stats and verify never do)', () => {
    const loaded = staticClosure('cli.js');
    expect(loaded.length).toBeGreaterThan(1);
    for (const file of loaded) {
      const code = read(file);
      expect(code, file).not.toMatch(/node_modules\/(react|ink|yoga-layout)\//);
    }
  });
});
