/**
 * Collector directories as rsyslog leaves them (DIR/<host>/audit.log and its rotations), built
 * from logs the real writer wrote, with what a shipper does to them: batches that arrive late,
 * batches sent twice, and the collector's own rotation falling anywhere in the stream.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hashLine } from '../../src/shared/chain.js';
import { generateLog } from '../../src/demo/generate.js';
import { KNOWN, readLines, writeLines, writeLog } from './helpers.js';

/** `lines` cut into batches of `size`, delivered in `order` (an index twice: that batch was resent). */
export function deliver(lines: readonly string[], size: number, order: readonly number[]): string[] {
  const batches: string[][] = [];
  for (let i = 0; i < lines.length; i += size) batches.push(lines.slice(i, i + size));
  const delivered = new Set(order);
  const lost = batches.map((_, i) => i).filter((i) => !delivered.has(i));
  if (lost.length > 0) throw new Error(`fixture: batches ${lost.join(', ')} are never delivered`);
  return order.flatMap((i) => batches[i]);
}

/**
 * Writes one host's arrivals as the collector would: the first `rotatedAt` lines in
 * `audit.log.1` (rotated by the collector's logrotate), the rest in `audit.log` — which is left
 * out when none are left (rotated with `nocreate`, nothing arrived since).
 */
export function writeCollected(dir: string, host: string, arrivals: readonly string[], rotatedAt = 0): string {
  const folder = path.join(dir, host);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (rotatedAt > 0) writeLines(path.join(folder, 'audit.log.1'), arrivals.slice(0, rotatedAt));
  if (rotatedAt < arrivals.length || rotatedAt === 0) writeLines(path.join(folder, 'audit.log'), arrivals.slice(rotatedAt));
  return folder;
}

export interface Fleet {
  dir: string;
  /** Each host's lines as its writer wrote them. */
  written: Map<string, string[]>;
  /** Each host's head: the hash of its last written line. */
  heads: Map<string, string>;
  /** The (origin, id) of every request written, sorted. */
  requests: string[];
  /** What the transport did, per host, as built. */
  facts: Map<string, { duplicates: number; late: number; maxLateness: number }>;
}

const requestKeys = (origin: string, lines: readonly string[]) =>
  lines.map((l) => JSON.parse(l) as { type: string; id?: string }).filter((r) => r.type === 'request').map((r) => `${origin} ${r.id}`);

/**
 * Three hosts:
 * - web1: the KNOWN fixture (7 requests, 12 lines) in batches of 2; batch 2 (seq 5–6) arrives
 *   after batch 4 (seq 9–10), batch 1 is resent; the collector rotated after 6 lines.
 * - web2: 40 generated records in order, lines 16–20 resent.
 * - web3: two requests, one with an id web1 also has; its live file was rotated away.
 */
export function buildFleet(dir: string, scratch: string): Fleet {
  const written = new Map<string, string[]>();
  const facts = new Map<string, { duplicates: number; late: number; maxLateness: number }>();
  const write = (host: string, make: (file: string) => void) => {
    const file = path.join(scratch, `${host}.log`);
    make(file);
    written.set(host, readLines(file));
    return readLines(file);
  };

  const web1 = write('web1', (f) => writeLog(f, KNOWN));
  writeCollected(dir, 'web1', deliver(web1, 2, [0, 1, 3, 4, 1, 2, 5]), 6);
  facts.set('web1', { duplicates: 2, late: 2, maxLateness: 5 });

  const web2 = write('web2', (f) => generateLog({ path: f, count: 40, seed: 5 }));
  writeCollected(dir, 'web2', [...web2.slice(0, 20), ...web2.slice(15, 20), ...web2.slice(20)]);
  facts.set('web2', { duplicates: 5, late: 0, maxLateness: 0 });

  const web3 = write('web3', (f) =>
    writeLog(f, [
      { request: { id: 'a1', time: '2026-11-01T08:05:00Z', host: 'db-1', session: 's9', decision: 'denied' } },
      { request: { id: 'w3-2', time: '2026-11-01T08:06:00Z', host: 'db-1', session: 's9', decision: 'denied' } },
    ]),
  );
  writeCollected(dir, 'web3', web3, web3.length);
  facts.set('web3', { duplicates: 0, late: 0, maxLateness: 0 });

  const heads = new Map([...written].map(([host, lines]) => [host, hashLine(lines[lines.length - 1])]));
  const requests = [...written].flatMap(([host, lines]) => requestKeys(host, lines)).sort();
  return { dir, written, heads, requests, facts };
}

/** A copy of the fleet's collector directory to tamper with. */
export function copyCollector(fleet: Fleet, to: string): string {
  fs.cpSync(fleet.dir, to, { recursive: true });
  return to;
}

/** The collected file of `host` holding `text` (by its first arrival), and its 1-based line. */
export function whereCollected(dir: string, host: string, text: string): { file: string; line: number } {
  for (const name of ['audit.log.1', 'audit.log']) {
    const file = path.join(dir, host, name);
    if (!fs.existsSync(file)) continue;
    const i = readLines(file).indexOf(text);
    if (i !== -1) return { file, line: i + 1 };
  }
  throw new Error(`fixture: line not collected for ${host}`);
}

/** Rewrites one collected file of `host` through `edit` (its lines, without newlines). */
export function editCollected(dir: string, host: string, name: string, edit: (lines: string[]) => string[]): void {
  const file = path.join(dir, host, name);
  writeLines(file, edit(readLines(file)));
}
