/**
 * Logs written by the real writer for the integrity tests (issue #13), then tampered with as an
 * attacker (or a full disk, or a crash) would: shared by the engine, print and stats tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openAuditLog } from '../../src/writer/index.js';
import { fillableDisk } from './fillable-disk.js';
import { sampleRequest, sampleResponse } from '../writer/helpers.js';

export function linesOf(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

export function writeLines(file: string, lines: readonly string[]): void {
  fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
}

/**
 * `n` requests, each answered (start, then request/response pairs, then stop): line 1 is the
 * start, request i on line 2i, its response on line 2i+1, the stop last.
 */
export function answeredLog(dir: string, n: number, name = 'audit.log'): string {
  const file = path.join(dir, name);
  const log = openAuditLog({ path: file, warn: () => {} });
  for (let i = 1; i <= n; i++) {
    log.request(sampleRequest(i));
    log.response(sampleResponse(i));
  }
  log.close();
  return file;
}

/** Line `line` (1-based) of `file` changed so that it is still a valid record: request i denied instead. */
export function modifyLine(file: string, line: number): void {
  const lines = linesOf(file);
  const before = lines[line - 1];
  lines[line - 1] = before.includes('"approved"') ? before.replace('"approved"', '"denied"') : before.replace('"pid":', '"pid":9');
  if (lines[line - 1] === before) throw new Error(`modifyLine: nothing to change on line ${line}`);
  writeLines(file, lines);
}

export function deleteLine(file: string, line: number): void {
  const lines = linesOf(file);
  lines.splice(line - 1, 1);
  writeLines(file, lines);
}

/**
 * A log with an outage in the middle: req-1 written, then `lost` requests dropped by ENOSPC
 * (through the writer's `fs` option), then the disk has room again and req-N is written after
 * the writer's `dropped` record. Lines: start, req-1, dropped, req-(lost+2), stop.
 */
export function enospcLog(dir: string, lost: number): string {
  const file = path.join(dir, 'audit.log');
  const disk = fillableDisk();
  let now = Date.parse('2026-11-01T08:00:00Z');
  const log = openAuditLog({ path: file, warn: () => {}, fs: disk.fs, now: () => now });
  log.request(sampleRequest(1));
  disk.full = true;
  for (let i = 2; i < lost + 2; i++) {
    log.request(sampleRequest(i));
    now += 100;
  }
  disk.full = false;
  now += 60_000;
  log.request(sampleRequest(lost + 2));
  log.close();
  return file;
}
