/**
 * Issue #15's fields as the engine reads them: who decided (`operator`), the refusal kind, ApprovedAlways,
 * the escalation, and `policy` records placed among the entries like the writer's life — the
 * same whether a line is read on this thread or scanned in a chunk (by a worker or not).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../src/engine/engine.js';
import type { AuditEngine } from '../../src/shared/entry.js';
import { ALICE, BOB, chainedLines, LOGGED, securityRecords } from '../helpers/security-log.js';
import { entriesOf, tempDir } from './helpers.js';


function writeLog(records: Record<string, unknown>[], copies = 1): string {
  const dir = tempDir('security');
  const file = path.join(dir, 'audit.log');
  // Copies (renamed ids) make a history long enough to be read in chunks.
  const all: Record<string, unknown>[] = [];
  for (let c = 0; c < copies; c++) {
    for (const r of records) {
      const id = r.type === 'request' || r.type === 'response' ? `${r.id as string}${c === copies - 1 ? '' : c}` : undefined;
      const rid = r.type === 'policy' ? `a${c === copies - 1 ? '' : c}` : undefined;
      all.push({ ...r, ...(id ? { id } : {}), ...(rid ? { request_id: rid } : {}) });
    }
  }
  fs.writeFileSync(file, chainedLines(all).map((l) => `${l}\n`).join(''));
  return file;
}

const MODES = [
  { name: 'read on this thread', options: {} },
  { name: 'scanned in chunks on this thread', options: { tailBytes: 300, parallelMinBytes: 0, scanWorkers: 0 } },
  { name: 'scanned in chunks by workers', options: { tailBytes: 300, parallelMinBytes: 0, scanWorkers: 2, queueForStartingWorkers: true } },
];

async function opened(file: string, options: object): Promise<AuditEngine> {
  const engine = openEngine([file], { follow: false, ...options });
  await engine.indexed();
  return engine;
}

describe('the engine reads who decided, refusal kinds and policy changes', () => {
  for (const mode of MODES) {
    it(`keeps every new field of an entry (${mode.name})`, async () => {
      const engine = await opened(writeLog(securityRecords(), 40), mode.options);
      const last = entriesOf(engine).slice(-5);
      expect(last.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
      const [a, b, c, d, e] = last;
      expect(a).toMatchObject({ state: 'ok', always: true, escalation: 'none', forwardAgent: true, clientVersion: '0.3.1', operator: ALICE, reject: null });
      expect(b).toMatchObject({ state: 'rejected', reject: 'replay', escalation: 'sudo', operator: ALICE, always: false });
      expect(c).toMatchObject({ via: 'pkexec', escalation: 'pkexec', operator: BOB });
      expect(d).toMatchObject({ reject: null, always: false, escalation: null, forwardAgent: null, clientVersion: null, operator: null });
      expect(e).toMatchObject({ reject: 'busy' });
      expect(engine.chainStatus?.().state).toBe('intact');
      await engine.close();
    });

    it(`places a policy change among the entries, and a writer start keeps its operator (${mode.name})`, async () => {
      const engine = await opened(writeLog(securityRecords(), 40), mode.options);
      const events = engine.writerEvents();
      expect(events.filter((w) => w.event === 'start')).toHaveLength(40);
      expect(events.filter((w) => w.event === 'start').every((w) => w.operator?.user === 'alice')).toBe(true);
      const policies = events.filter((w) => w.event === 'policy');
      expect(policies).toHaveLength(40);
      const last = policies[policies.length - 1];
      expect(last).toMatchObject({ event: 'policy', time: LOGGED, operator: ALICE, policy: { setting: 'confirm_unprivileged', old: true, new: false, requestId: 'a', by: 'keypress' } });
      // After request a, before request b: its row goes just before b.
      expect(engine.entry(last.position as number).id).toBe('b');
      expect(last.location.line).toBe((engine.entry(last.position as number).request?.line ?? 0) - 2);
      // A policy change is no restart: nothing is interrupted, no start reads as after a crash.
      expect(events.filter((w) => w.event === 'start' && w.afterCrash)).toHaveLength(39);
      await engine.close();
    });

    it(`filters security events and operators, and counts rejects by kind (${mode.name})`, async () => {
      const engine = await opened(writeLog(securityRecords(), 40), mode.options);
      const idsAt = (positions: Int32Array) => [...positions].map((p) => engine.entry(p).id);
      expect(idsAt(engine.query({ security: true }))).toEqual([...Array.from({ length: 39 }, (_, c) => `b${c}`), 'b']);
      expect(idsAt(engine.query({ operators: ['bob'] })).slice(-2)).toEqual(['c38', 'c']);
      expect(engine.query({ operators: ['1001'] })).toEqual(engine.query({ operators: ['bob'] }));
      expect(idsAt(engine.query({ operators: ['alice'] })).slice(-4)).toEqual(['e38', 'a', 'b', 'e']);
      expect(engine.query({ operators: ['carol'] })).toHaveLength(0);
      const stats = engine.stats();
      expect(stats.rejects).toMatchObject({ replay: 40, busy: 40, invalid_json: 0 });
      expect(engine.stats({ security: true }).total).toBe(40);
      await engine.close();
    });
  }

  it('a line that can no longer be read back: the refusal kind kept by the columns is still said', async () => {
    const file = writeLog(securityRecords());
    const engine = await opened(file, {});
    const size = fs.statSync(file).size;
    fs.writeFileSync(file, `${' '.repeat(size - 1)}\n`); // every line's bytes gone, in place
    const b = entriesOf(engine).find((e) => e.state === 'rejected' && e.reject === 'replay');
    expect(b).toBeDefined();
    expect(b?.id).toBe('b'); // from the columns: the id as search keeps it, since it hashes to the entry's
    expect(engine.query({ security: true })).toHaveLength(1);
    await engine.close();
  });
});
