/**
 * What `stats` says of a log's seals, without a key: how many, the last one, and how many
 * records follow it (the exposure window) — from the seal records the engine placed as it
 * read (engine.seals()), so no file is read a second time; only the last seal's line is re-read.
 */
import type { AuditEngine } from '../../shared/entry.js';
import { type ParsedSeal, parseSealLine } from '../../shared/seal.js';

export interface SealScan {
  seals: number;
  last: Pick<ParsedSeal, 'seq' | 'epoch' | 'time'> | null;
  /** Chained records after the last seal. */
  unsealed: number;
}

/** Each chain's seals (one per collected host), for the chains that have any. */
export function sealScansOf(engine: AuditEngine): Array<{ origin: string; scan: SealScan }> {
  return (engine.seals?.() ?? []).flatMap((g) => {
    let last: ParsedSeal | null = null;
    for (let i = g.locations.length - 1; i >= 0 && last === null; i--) {
      const line = g.line(i);
      last = line === null ? null : parseSealLine(line);
    }
    if (last === null) return [];
    const unsealed = g.lastSeq === null ? 0 : Math.max(0, g.lastSeq - last.seq);
    return [{ origin: g.origin, scan: { seals: g.locations.length, last: { seq: last.seq, epoch: last.epoch, time: last.time }, unsealed } }];
  });
}

export function sealScanJson(s: SealScan): Record<string, unknown> {
  return { seals: s.seals, last_seal_seq: s.last?.seq ?? null, last_seal_epoch: s.last?.epoch ?? null, last_seal_time: s.last?.time ?? null, unsealed: s.unsealed };
}

/** `4 seals, the last at seq 56 (epoch 3), TIME; 2 records after it unsealed`, or null without seals. */
export function sealScanText(s: SealScan): string | null {
  if (s.last === null) return null;
  return `${s.seals} seal${s.seals === 1 ? '' : 's'}, the last at seq ${s.last.seq} (epoch ${s.last.epoch}), ${s.last.time}; ${s.unsealed} record${s.unsealed === 1 ? '' : 's'} after it unsealed (verify --verification-key checks them)`;
}
