/**
 * What `stats` says of a log's seals, without a key: how many, the last one, and how many
 * records follow it (the exposure window). One pass over the lines' bytes that parses only
 * seal lines (told by their fixed opening), so a log without seals costs a read and a split.
 */
import { openLogSource } from '../../engine/log-source.js';
import { splitLines, textChunksSync } from '../../engine/read-file-sync.js';
import { type ParsedSeal, parseSealLine } from '../../shared/seal.js';
import { fileError } from './errors.js';

const SEAL_OPENING = Buffer.from('{"v":1,"type":"seal",');

export interface SealScan {
  seals: number;
  last: Pick<ParsedSeal, 'seq' | 'epoch' | 'time'> | null;
  /** Non-blank lines after the last seal, in file order. */
  unsealed: number;
}

export function scanSeals(files: readonly string[]): SealScan {
  const scan: SealScan = { seals: 0, last: null, unsealed: 0 };
  for (const file of files) {
    try {
      for (const line of splitLines(textChunksSync(openLogSource(file)))) {
        if (line.length === 0) continue;
        const seal = line.length < 400 && line.subarray(0, SEAL_OPENING.length).equals(SEAL_OPENING) ? parseSealLine(line) : null;
        if (seal === null) {
          scan.unsealed++;
          continue;
        }
        scan.seals++;
        scan.last = { seq: seal.seq, epoch: seal.epoch, time: seal.time };
        scan.unsealed = 0;
      }
    } catch (e) {
      throw fileError(file, e);
    }
  }
  return scan;
}

export function sealScanJson(s: SealScan): Record<string, unknown> {
  return { seals: s.seals, last_seal_seq: s.last?.seq ?? null, last_seal_epoch: s.last?.epoch ?? null, last_seal_time: s.last?.time ?? null, unsealed: s.unsealed };
}

/** `4 seals, the last at seq 56 (epoch 3), TIME; 2 records after it unsealed`, or null without seals. */
export function sealScanText(s: SealScan): string | null {
  if (s.last === null) return null;
  return `${s.seals} seal${s.seals === 1 ? '' : 's'}, the last at seq ${s.last.seq} (epoch ${s.last.epoch}), ${s.last.time}; ${s.unsealed} record${s.unsealed === 1 ? '' : 's'} after it unsealed (verify --verification-key checks them)`;
}
