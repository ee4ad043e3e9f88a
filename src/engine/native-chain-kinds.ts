/**
 * What a line is to the chain (shared/chain.ts `classifyChainLine`), from the native scanner,
 * one line a call (`verify`, cli/commands/lines.ts): for a line it takes — a request or response
 * in the writer's strict subset, every value checked against the schema as it is read, plain
 * ASCII — its seq, prev, SHA-256 and `logged`, with no decode, `JSON.parse`, schema walk or
 * `crypto.hash` call (#17: those were most of `verify`'s 4.5–5.5 s over 1M records). Undefined:
 * a line it declines, left to classifyChainLine, which stays the reference (a test holds the two
 * to one verdict: test/engine/native-chain-kinds.test.ts).
 */
import type { ChainLineKind } from '../shared/chain.js';
import { latin1 } from './compact-record.js';
import { hashSeed } from './id-table.js';
import type { NativeAddon } from './native-scanner.js';
import { B_CHAINED, B_HASHED, I_BITS, I_PREV_START, I_STATUS, INT_SLOTS, N_SEQ, NUM_SLOTS, OPTION_HASH } from './native-slots.js';

/** `"logged":"`: in a line the native scanner took, only a key can be these bytes (no value holds a quote). */
const LOGGED_KEY = Buffer.from('"logged":"', 'latin1');

/** One for every line of a `verify`: its slots are reused, one line a call. */
export class NativeChainKinds {
  private readonly ints = new Int32Array(INT_SLOTS);
  private readonly nums = new Float64Array(NUM_SLOTS);
  private readonly hex = Buffer.alloc(64);

  constructor(private readonly addon: NativeAddon) {}

  kindOf(line: Buffer): ChainLineKind | undefined {
    const seed = hashSeed();
    const { ints, nums } = this;
    if (this.addon.scanLines(line, 0, line.length, 1, OPTION_HASH, seed[0], seed[1], ints, nums, this.hex) !== 1 || ints[I_STATUS] !== 1) return undefined;
    const bits = ints[I_BITS];
    // (A record the scanner takes is valid UTF-8 and one the schema takes: no reason to give.)
    if ((bits & B_CHAINED) === 0) return { kind: 'unchained', reason: null };
    const prev = ints[I_PREV_START];
    // (Every chained line is hashed when asked; a slot without its hash is left to the reference.)
    if ((bits & B_HASHED) === 0 || prev < 0) return undefined;
    return { kind: 'chained', seq: nums[N_SEQ], prev: latin1(line, prev, prev + 64), hash: latin1(this.hex, 0, 64), reason: null, logged: loggedOf(line, prev + 65), isSeal: false };
  }
}

/**
 * `logged`'s value in a line the native scanner took (undefined without one), looked for first
 * where the writer puts it: `,"logged":"` at `comma`, right after prev's closing quote.
 */
function loggedOf(line: Buffer, comma: number): string | undefined {
  let key = line[comma] === 0x2c ? comma + 1 : -1;
  for (let k = 0; key >= 0 && k < LOGGED_KEY.length; k++) if (line[key + k] !== LOGGED_KEY[k]) key = -1;
  if (key < 0) key = line.indexOf(LOGGED_KEY);
  if (key < 0) return undefined;
  const start = key + LOGGED_KEY.length;
  let end = start;
  while (end < line.length && line[end] !== 0x22) end++;
  return latin1(line, start, end);
}
