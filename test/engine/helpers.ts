/** Shared by the engine tests: temp dirs, hand-made records (raw lines), waiting for delivery. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { AuditEngine, Entry } from '../../src/shared/entry.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'engine'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spa-${prefix}-`));
  made.push(dir);
  return dir;
}

export { request, response } from '../helpers/records.js';

export function writerStart(pid = 1): Record<string, unknown> {
  return { v: 1, type: 'writer', time: '2026-11-01T08:00:00.000Z', event: 'start', pid };
}

/** Records as JSONL text (each line ends with a newline). */
export function jsonl(...records: object[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** Every entry of an engine, oldest first. */
export function entriesOf(engine: AuditEngine): Entry[] {
  return Array.from({ length: engine.size() }, (_, i) => engine.entry(i));
}

export const ids = (engine: AuditEngine) => entriesOf(engine).map((e) => e.id);

/** Generous: the machine running the tests is shared and can be slow; delivery is polled, never slept on. */
export const WAIT = { timeout: 10_000, interval: 20 };
