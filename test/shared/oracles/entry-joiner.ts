/**
 * The test oracle of the join: the rules of src/shared/join.ts (`Joiner`) applied to plain
 * `Entry` objects kept in an array, record by record. The engine keeps compact columns
 * instead; tests compare what it builds with what this builds from the same records.
 */
import type { Entry, EntryState, RecordLocation, WriterEvent } from '../../../src/shared/entry.js';
import {
  anomaliesOf,
  applyResponse,
  entryFromOrphan,
  entryFromRequest,
  type EntrySink,
  type IdIndex,
  type JoinRequest,
  type JoinResponse,
  Joiner,
  responseFailed,
} from '../../../src/shared/join.js';
import type { AuditRecord, PolicyRecord, RequestRecord, ResponseRecord, WriterRecord } from '../../../src/shared/schema.js';

/** id → slot in a Map (the engine's IdTable keeps interned ids in typed arrays). */
class MapIdIndex<K> implements IdIndex<K> {
  private readonly map = new Map<K, number>();
  get(id: K): number {
    return this.map.get(id) ?? -1;
  }
  put(id: K, slot: number): number {
    const before = this.map.get(id) ?? -1;
    this.map.set(id, slot);
    return before;
  }
}

export interface LocatedRecord {
  record: AuditRecord;
  location: RecordLocation;
}

function writerEventOf(record: WriterRecord | PolicyRecord, location: RecordLocation): WriterEvent {
  if (record.type === 'policy') {
    const policy = { setting: record.setting, old: record.old, new: record.new, requestId: record.request_id, by: record.by };
    return { event: 'policy', time: record.time, pid: 0, dropped: 0, error: null, operator: record.operator ?? null, policy, location };
  }
  const event: WriterEvent = { event: record.event, time: record.time, pid: record.pid, dropped: record.dropped ?? 0, error: record.error ?? null, location };
  if (record.operator) event.operator = record.operator;
  return event;
}

const chained = (r: AuditRecord) => r.seq !== undefined && r.prev !== undefined;

interface ObjRequest extends JoinRequest {
  record: RequestRecord;
  location: RecordLocation;
}
interface ObjResponse extends JoinResponse {
  record: ResponseRecord;
  location: RecordLocation;
}

/** Keeps entries as objects in an array (slot = key = index); records which slots changed. */
class ObjectSink implements EntrySink<ObjRequest, ObjResponse> {
  readonly entries: Entry[] = [];
  private readonly masks: number[] = [];
  /** Slots added or changed since the last `takeTouched`. */
  private touched = new Set<number>();

  addRequest(req: ObjRequest, state: EntryState, anomalies: number): number {
    const slot = this.entries.length;
    this.entries.push(entryFromRequest(slot, req.record, req.location, state));
    this.masks.push(0);
    this.flag(slot, anomalies);
    return slot;
  }
  addOrphan(res: ObjResponse, state: EntryState, anomalies: number): number {
    const slot = this.entries.length;
    this.entries.push(entryFromOrphan(slot, res.record, res.location, state));
    this.masks.push(0);
    this.flag(slot, anomalies);
    return slot;
  }
  setResponse(slot: number, res: ObjResponse, state: EntryState): void {
    const entry = this.entries[slot];
    applyResponse(entry, res.record, res.location);
    entry.state = state;
    this.touched.add(slot);
  }
  flag(slot: number, anomalies: number): void {
    this.setMask(slot, this.masks[slot] | anomalies);
  }
  unflag(slot: number, anomalies: number): void {
    this.setMask(slot, this.masks[slot] & ~anomalies);
  }
  state(slot: number): EntryState {
    return this.entries[slot].state;
  }
  hasResponse(slot: number): boolean {
    return this.entries[slot].response !== null;
  }
  takeTouched(): Set<number> {
    const t = this.touched;
    this.touched = new Set();
    return t;
  }
  private setMask(slot: number, mask: number): void {
    this.touched.add(slot);
    if (this.masks[slot] === mask) return;
    this.masks[slot] = mask;
    this.entries[slot].anomalies = [...anomaliesOf(mask)];
  }
}

/** What one record did to the entries. */
export type JoinStep =
  | { kind: 'added'; slot: number } // a new entry (request, or orphan response)
  | { kind: 'updated'; slot: number } // an existing entry changed (response, anomaly)
  | { kind: 'writer'; event: WriterEvent; interrupted: number[] } // interrupted: slots flagged by a restart
  | { kind: 'seal' }; // a seal: no entry, nothing changed

/**
 * Incremental join into plain `Entry` objects, in log order (an orphan is placed where its
 * response is). Entries are mutated in place as responses arrive.
 */
export class EntryJoiner {
  private readonly sink = new ObjectSink();
  private readonly joiner = new Joiner<string, ObjRequest, ObjResponse>(this.sink, new MapIdIndex<string>());
  readonly writerEvents: WriterEvent[] = [];

  get entries(): readonly Entry[] {
    return this.sink.entries;
  }

  push(record: AuditRecord, location: RecordLocation): JoinStep {
    const before = this.sink.entries.length;
    switch (record.type) {
      case 'request': {
        const slot = this.joiner.request(record.id, { record, location, decision: record.decision, chained: chained(record) });
        this.sink.takeTouched();
        return slot >= before ? { kind: 'added', slot } : { kind: 'updated', slot };
      }
      case 'response': {
        const slot = this.joiner.response(record.id, { record, location, failed: responseFailed(record), chained: chained(record) });
        this.sink.takeTouched();
        return slot >= before ? { kind: 'added', slot } : { kind: 'updated', slot };
      }
      case 'policy':
      case 'writer': {
        const event = writerEventOf(record, location);
        this.writerEvents.push(event);
        if (record.type === 'writer' && record.event === 'start') this.joiner.writerStart();
        const interrupted = [...this.sink.takeTouched()];
        return { kind: 'writer', event, interrupted };
      }
      case 'seal':
        return { kind: 'seal' };
    }
  }
}

/** Joins records given in log order (files oldest first, then line order). */
export function joinRecords(records: Iterable<LocatedRecord>): { entries: Entry[]; writerEvents: WriterEvent[] } {
  const joiner = new EntryJoiner();
  for (const { record, location } of records) joiner.push(record, location);
  return { entries: joiner.entries as Entry[], writerEvents: joiner.writerEvents };
}
