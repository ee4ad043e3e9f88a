/**
 * The golden vectors (schema/vectors/): the TypeScript writer must still produce the bytes
 * they hold — the Rust writer is held to the same files by rust/tests/vectors.rs. A failure
 * here after a deliberate format change: `npm run vectors`, review the diff, commit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { auditRecordSchema } from '../../src/shared/schema.js';
import { generalLine, RecordEncoder, toRequestRecord, toResponseRecord } from '../../src/writer/record-line.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { runSession } from './generate.js';
import { type LineVector, operatorOf, policyRecord, requestInput, responseInput, type SessionVector, writerRecord } from './vector-input.js';

const DIR = path.join(import.meta.dirname, '../../schema/vectors');
const { lines } = JSON.parse(fs.readFileSync(path.join(DIR, 'lines.json'), 'utf8')) as { lines: LineVector[] };
const { sessions } = JSON.parse(fs.readFileSync(path.join(DIR, 'sessions.json'), 'utf8')) as { sessions: SessionVector[] };
const tempDir = makeTempDirFactory('vectors');

function expectLine(v: LineVector, line: string | Buffer): void {
  const bytes = Buffer.from(line);
  if (v.line !== undefined) expect(bytes.toString('utf8')).toBe(v.line);
  expect(bytes.length).toBe(v.bytes);
  expect(hashLine(bytes)).toBe(v.sha256);
}

describe('golden vectors: lines', () => {
  it('cover every record type, hostile strings and the line cap', () => {
    const names = lines.map((v) => v.name).join('\n');
    for (const kind of ['request', 'response', 'writer', 'policy']) expect(lines.some((v) => kind in v.record)).toBe(true);
    for (const word of ['hostile strings: esc', 'c1', 'bidi', 'astral', 'cap: ', 'dropped', 'surrogate', 'hostile operator', 'policy: hostile', 'reject kind unknown', 'pkexec', 'always']) expect(names).toContain(word);
    for (const field of ['"operator":{"uid":', '"reject":"replay"', '"always":true', '"escalation":"none"', '"forward_agent":false', '"client_version":', '"via":"pkexec"', '"type":"policy"', '"by":"config"', '(unknown reject kind '])
      expect(lines.some((v) => v.line?.includes(field)), field).toBe(true);
    expect(sessions.some((v) => v.expected.includes('"type":"policy"') && v.expected.includes('"type":"writer","seq":1,') && /"event":"start","pid":\d+,"operator":/.test(v.expected))).toBe(true);
    expect(lines.filter((v) => v.line === undefined).every((v) => v.bytes <= 1024 * 1024)).toBe(true);
  });

  it('are records the schema accepts, every line of them', () => {
    const all = [...lines.flatMap((v) => (v.line === undefined ? [] : [v.line])), ...sessions.flatMap((v) => v.expected.split('\n').filter((l) => l.startsWith('{"v":1') && l.endsWith('}')))];
    const refused = all.filter((l) => !auditRecordSchema.safeParse(JSON.parse(l)).success);
    expect(refused).toEqual([]);
  });

  it.each(lines.map((v) => [v.name, v] as const))('%s: the general encoder', (_name, v) => {
    const { request, response, writer, policy } = v.record;
    const record = request ? toRequestRecord(requestInput(request), operatorOf(request)) : response ? toResponseRecord(responseInput(response), v.logged_ms) : policy ? policyRecord(policy, v.logged_ms) : writerRecord(writer!);
    expectLine(v, generalLine(record, v.seq, v.prev, v.logged_ms));
  });

  it.each(lines.filter((v) => v.record.request || v.record.response).map((v) => [v.name, v] as const))('%s: the writer’s fast encoder, where it takes the record', (_name, v) => {
    const buf = Buffer.alloc(64 * 1024);
    const encoder = new RecordEncoder(v.record.request ? operatorOf(v.record.request) : null);
    const { request, response } = v.record;
    const end = request ? encoder.request(buf, 0, v.seq, v.prev, requestInput(request), v.logged_ms) : encoder.response(buf, 0, v.seq, v.prev, responseInput(response!), v.logged_ms);
    if (end >= 0) expectLine(v, buf.subarray(0, end));
    else expect(v.bytes > 32 * 1024 || v.name.includes('empty')).toBe(true); // only odd or huge input goes the general way
  });
});

describe('golden vectors: writer sessions', () => {
  it.each(sessions.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(runSession(v, tempDir())).toBe(v.expected);
  });
});
