/**
 * The writer's life as the engine tells it (issue #13): start, stop and dropped events placed
 * among the entries (`position`), a start after a crash told apart (`afterCrash`), and entries
 * still running when their writer stops interrupted at once.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openEngine } from '../../src/engine/engine.js';
import { verifyChain } from '../../src/shared/chain.js';
import type { AuditEngine } from '../../src/shared/entry.js';
import { openAuditLog } from '../../src/writer/index.js';
import { enospcLog } from '../helpers/integrity-logs.js';
import { chainLinesOf, runWriter, sampleRequest, sampleResponse, spawnWriter, waitForExit, waitForLine } from '../writer/helpers.js';
import { entriesOf, tempDir, WAIT } from './helpers.js';

const open: AuditEngine[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

function engineOver(file: string, follow = false): AuditEngine {
  const engine = openEngine([file], { follow });
  open.push(engine);
  return engine;
}

const lifeOf = (engine: AuditEngine) => engine.writerEvents().map((w) => ({ event: w.event, position: w.position, afterCrash: w.afterCrash }));

describe('writer events among the entries', () => {
  it('a clean stop with entries running: interrupted at once, the stop after them', async () => {
    const file = `${tempDir('life')}/audit.log`;
    const log = openAuditLog({ path: file, warn: () => {} });
    log.request(sampleRequest(1));
    log.response(sampleResponse(1));
    log.request(sampleRequest(2)); // approved, never answered
    log.close();
    const engine = engineOver(file);
    await engine.indexed();
    expect(entriesOf(engine).map((e) => [e.id, e.state, e.anomalies])).toEqual([
      ['req-1', 'failed', []], // (sampleResponse's second stage exits 1)
      ['req-2', 'running', ['interrupted']],
    ]);
    expect(lifeOf(engine)).toEqual([
      { event: 'start', position: 0, afterCrash: false },
      { event: 'stop', position: 2, afterCrash: undefined },
    ]);
  });

  it('while following: the stop interrupts what runs as soon as it is read', async () => {
    const file = `${tempDir('life')}/audit.log`;
    const log = openAuditLog({ path: file, warn: () => {} });
    log.request(sampleRequest(1));
    const engine = engineOver(file, true);
    await vi.waitFor(() => expect(engine.size()).toBe(1), WAIT);
    expect(engine.entry(0).anomalies).toEqual([]);
    log.close();
    await vi.waitFor(() => expect(engine.entry(0).anomalies).toEqual(['interrupted']), WAIT);
    expect(engine.writerEvents().map((w) => w.event)).toEqual(['start', 'stop']);
  });

  it('cites its writer events once while nothing changes (a viewer asks on every clock tick), anew after an append', async () => {
    const file = `${tempDir('life')}/audit.log`;
    const log = openAuditLog({ path: file, warn: () => {} });
    log.request(sampleRequest(1));
    log.response(sampleResponse(1));
    const engine = engineOver(file, true);
    await vi.waitFor(() => expect(engine.size()).toBe(1), WAIT);
    const first = engine.writerEvents();
    expect(first.map((w) => w.event)).toEqual(['start']);
    // The same answer, not the same answer made again (each was a slot table as big as the log).
    expect(engine.writerEvents()).toBe(first);
    log.request(sampleRequest(2));
    await vi.waitFor(() => expect(engine.size()).toBe(2), WAIT);
    expect(engine.writerEvents().map((w) => [w.event, w.position])).toEqual([['start', 0]]);
    log.close();
    await vi.waitFor(() => expect(engine.writerEvents().map((w) => [w.event, w.position])).toEqual([['start', 0], ['stop', 2]]), WAIT);
    const stopped = engine.writerEvents();
    expect(stopped).not.toBe(first);
    expect(engine.writerEvents()).toBe(stopped);
  });

  it('cites an event again under the name its file took when rotated away, though no entry moved', async () => {
    const dir = tempDir('life');
    const file = `${dir}/audit.log`;
    const log = openAuditLog({ path: file, warn: () => {} });
    log.request(sampleRequest(1));
    log.close();
    const engine = engineOver(file, true);
    await vi.waitFor(() => expect(engine.writerEvents().map((w) => w.event)).toEqual(['start', 'stop']), WAIT);
    expect(engine.writerEvents()[0].location.file).toBe(file);
    // logrotate's rename, and an empty live file in its place: no record read, no entry moved.
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, '', { mode: 0o600 });
    await vi.waitFor(() => expect(engine.writerEvents().map((w) => w.location.file)).toEqual([`${file}.1`, `${file}.1`]), WAIT);
    expect(engine.size()).toBe(1);
  });

  it('an ENOSPC gap: a dropped event with its count and error, between the entries it fell between', async () => {
    const file = enospcLog(tempDir('life'), 5);
    const engine = engineOver(file);
    await engine.indexed();
    expect(entriesOf(engine).map((e) => e.id)).toEqual(['req-1', 'req-7']);
    const dropped = engine.writerEvents().find((w) => w.event === 'dropped');
    expect(dropped).toMatchObject({ dropped: 5, position: 1, firstTime: null, lastTime: null, origin: '' });
    expect(dropped?.error).toMatch(/ENOSPC/);
    expect(engine.chainStatus?.()).toMatchObject({ state: 'intact', breakCount: 0 });
  });

  it('a SIGKILLed writer that restarts: the restart is a start after a crash; the chain holds', async () => {
    const file = `${tempDir('life')}/audit.log`;
    const child = spawnWriter('loop', file, 'k', 20);
    await waitForLine(child, 'ready');
    child.kill('SIGKILL');
    await waitForExit(child);
    await runWriter('count', file, 'r', 3);
    const engine = engineOver(file);
    await engine.indexed();
    const killed = entriesOf(engine).filter((e) => e.id.startsWith('k-')).length;
    expect(killed).toBeGreaterThan(20);
    expect(lifeOf(engine)).toEqual([
      { event: 'start', position: 0, afterCrash: false },
      { event: 'start', position: killed, afterCrash: true },
      { event: 'stop', position: killed + 3, afterCrash: undefined },
    ]);
    const report = verifyChain(chainLinesOf([file]));
    expect(engine.chainStatus?.()).toMatchObject({ state: report.ok ? 'intact' : 'broken', breakCount: report.ok ? 0 : 1 });
  });
});
