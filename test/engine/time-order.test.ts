import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openEngine } from '../../src/engine/engine.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { positionsByTime } from '../../src/engine/time-order.js';
import type { AuditEngine } from '../../src/shared/entry.js';
import { jsonl, request, tempDir } from './helpers.js';

const at = (hms: string) => `2026-11-01T${hms}Z`;
/** Requests in log order: id, the client's time, the writer's (logged) or none. */
const LOG = [
  request('a', { time: at('08:00:05'), ...{ logged: at('08:00:05') } }),
  request('b', { time: at('08:00:01'), ...{ logged: at('08:00:09') } }), // written late: logged decides, not time
  request('c', { time: at('08:00:03') }), // no logged: its time
  request('d', { time: at('08:00:02'), ...{ logged: at('08:00:02') } }),
  request('e', { time: at('08:00:05') }), // ties a: after it, as in the log
  request('f', { time: 'not a time' }), // no time at all: first
];

async function opened(lines: object[]): Promise<AuditEngine> {
  const file = path.join(tempDir('time-order'), 'audit.log');
  fs.writeFileSync(file, jsonl(...lines));
  const engine = openEngine([file], { follow: false });
  await engine.indexed();
  return engine;
}

const ids = (engine: AuditEngine, positions: Int32Array) => Array.from(positions, (p) => engine.entry(p).id);

describe('timeOrder: positions by time from the columns', () => {
  it('sorts by logged, else time; ties keep log order; no time first', async () => {
    const engine = await opened(LOG);
    expect(ids(engine, engine.timeOrder!())).toEqual(['f', 'd', 'c', 'a', 'e', 'b']);
    await engine.close();
  });

  it("sorts a query's positions only", async () => {
    const engine = await opened(LOG);
    const some = Int32Array.from([1, 2, 4]);
    expect(ids(engine, engine.timeOrder!(some))).toEqual(['c', 'e', 'b']);
    await engine.close();
  });

  it('does not read a line again', async () => {
    const engine = await opened(LOG);
    const entry = engine.entry.bind(engine);
    let reads = 0;
    engine.entry = (p) => {
      reads++;
      return entry(p);
    };
    engine.timeOrder!();
    expect(reads).toBe(0);
    await engine.close();
  });

  it('the fleet sorts across and within hosts (its merged order keeps each host in log order)', async () => {
    const dir = tempDir('time-order-fleet');
    const hosts: Record<string, object[]> = {
      'web-01': [request('w1', { time: at('08:00:04') }), request('w2', { time: at('08:00:01') })],
      'db-01': [request('d1', { time: at('08:00:02') }), request('d2', { time: at('08:00:03') })],
    };
    for (const [host, lines] of Object.entries(hosts)) {
      fs.mkdirSync(path.join(dir, host));
      fs.writeFileSync(path.join(dir, host, 'audit.log'), jsonl(...lines));
    }
    const fleet = openFleetEngine(findCollectedHosts(dir), { follow: false });
    await fleet.indexed();
    expect(ids(fleet, fleet.timeOrder!())).toEqual(['w2', 'd1', 'd2', 'w1']);
    await fleet.close();
  });
});

describe('positionsByTime', () => {
  const nan = Number.NaN;
  it.each([
    ['sorted already', [1, 2, 2, 3], [0, 1, 2, 3]],
    ['whole ms, packed', [5, 1, 5, 0, nan, 1], [4, 3, 1, 5, 0, 2]],
    ['fractions, compared', [2.5, 1.25, 2.5, nan], [3, 1, 0, 2]],
    ['a range too wide to pack', [8e15, -8e15, 0, -8e15], [1, 3, 2, 0]],
  ])('%s: stable, NaN first', (_name, times, expected) => {
    expect(Array.from(positionsByTime(Float64Array.from(times), null))).toEqual(expected);
  });

  it('keeps the positions given, not indexes into them', () => {
    const times = Float64Array.from([9, 3, 7, 1, 5]);
    expect(Array.from(positionsByTime(times, Int32Array.from([0, 2, 4])))).toEqual([4, 2, 0]);
  });
});
