/**
 * Interned strings: hosts, sessions, reasons and commands repeat; each is kept once, entries hold its number.
 *
 * A fleet has four pools in each of thousands of hosts' engines, most holding a few dozen
 * strings: up to SMALL_POOL strings a pool holds no Map (two Maps each were ~5 KB a host, 46 MB
 * of heap for 10,000 hosts) — a fleet host's is searched in order, a log's own keeps a small
 * table of its own (`SmallIndex`) — and past it, by their hash in a table of typed arrays
 * (`StringTable`, string-table.ts).
 */
import { hashBytes, hashString } from './id-table.js';
import { latin1 } from './compact-record.js';
import { sameBytes, sameText, StringTable } from './string-table.js';

/** Strings a pool holds before it keeps a table (string-table.ts). */
export const SMALL_POOL = 32;

/**
 * A key of this thread's, mixed into every byte sample: the bytes are the log writer's choice.
 * Samples were once looked up in a Map, whose integer keys V8 hashes unseeded: samples chosen to
 * share a bucket made each lookup walk them all (65,000 sessions so crafted: `stats` 12.8 s of
 * CPU instead of 0.7). A sample now picks a slot of a cache (`StringTable.recent`) or of a small
 * pool's table, where a collision costs a miss or a probe at most; the key keeps it so.
 */
const [SAMPLE_KEY, SAMPLE_MULTIPLIER] = process.getBuiltinModule('node:crypto').randomFillSync(new Uint32Array(2));

/** What `internBytes` looks a recent string up by first: a few of the bytes and the length, keyed (SAMPLE_KEY). */
export function byteSample(b: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n === 0) return 0;
  const raw = (n * 0x9e3779b1) ^ (b[start] << 24) ^ (b[start + (n >> 1)] << 16) ^ (b[end - 1] << 8) ^ b[start + (n >> 2)] ^ (b[end - 1 - (n >> 2)] << 4);
  return Math.imul(raw ^ SAMPLE_KEY, SAMPLE_MULTIPLIER | 1);
}

/**
 * Text → the one string kept for it, shared by the pools of a fleet's hosts: their hosts,
 * sessions, reasons and commands repeat from host to host, and 10,000 hosts each keeping
 * their own copies held 26 MB of strings. Grows with distinct texts, not with hosts.
 */
export class SharedStrings {
  private readonly kept = new Map<string, string>();

  /** The string kept for `s`'s text (`s` itself the first time). */
  canonical(s: string): string {
    const had = this.kept.get(s);
    if (had !== undefined) return had;
    this.kept.set(s, s);
    return s;
  }

  get size(): number {
    return this.kept.size;
  }
}

/** `byteSample` of the bytes of `s`'s text when it is one byte a character (any other text matches no bytes). */
export function textSample(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const raw = (n * 0x9e3779b1) ^ (s.charCodeAt(0) << 24) ^ (s.charCodeAt(n >> 1) << 16) ^ (s.charCodeAt(n - 1) << 8) ^ s.charCodeAt(n >> 2) ^ (s.charCodeAt(n - 1 - (n >> 2)) << 4);
  return Math.imul(raw ^ SAMPLE_KEY, SAMPLE_MULTIPLIER | 1);
}

/** The longest string a small pool keeps a copy of the bytes of (SMALL_POOL of them: 8 KB at most). */
const KEPT_TEXT = 256;
/** A small pool's table of ids by sample: twice SMALL_POOL, so a probe finds an empty bucket soon. */
const SMALL_BUCKETS = 2 * SMALL_POOL;

/**
 * How a small pool of a log's own (not one of a fleet's hosts: thousands of those, and these
 * arrays are per pool) finds a line's bytes among its strings: a table by sample, then the
 * bytes, kept here beside each string and compared as bytes, not a character of a string at a
 * time (#17: a request's five strings cost ~1,000 instructions each, compared with every
 * string of the pool in turn and then through charCodeAt).
 */
class SmallIndex {
  /** Each string's `textSample`, by id. */
  private readonly samples = new Int32Array(SMALL_POOL);
  /** Where each string's bytes start in `text`; -1: not kept (too long, or a character past one byte). */
  private readonly at = new Int32Array(SMALL_POOL);
  /** Open addressing by a sample's low bits, linear probing: id + 1 (0: empty). */
  private readonly buckets = new Uint8Array(SMALL_BUCKETS);
  private text = new Uint8Array(256);
  private used = 0;
  private count = 0;

  /** The next string of the pool (id `count`; at most SMALL_POOL of them). */
  add(s: string): void {
    const id = this.count++;
    const sample = textSample(s);
    this.samples[id] = sample;
    this.at[id] = this.keep(s);
    let k = sample & (SMALL_BUCKETS - 1);
    while (this.buckets[k] !== 0) k = (k + 1) & (SMALL_BUCKETS - 1);
    this.buckets[k] = id + 1;
  }

  /** The id of the string whose text is `b[start, start + n)` (its sample: `sample`), or -1. */
  find(strings: readonly string[], b: Buffer, start: number, n: number, sample: number): number {
    const { samples, at, text, buckets } = this;
    for (let k = sample & (SMALL_BUCKETS - 1); ; k = (k + 1) & (SMALL_BUCKETS - 1)) {
      const held = buckets[k];
      if (held === 0) return -1;
      const id = held - 1;
      if (samples[id] !== sample) continue;
      const from = at[id];
      if (from >= 0 ? sameBytes(text, from, strings[id].length, b, start, n) : sameText(strings[id], b, start, n)) return id;
    }
  }

  private keep(s: string): number {
    const n = s.length;
    if (n > KEPT_TEXT) return -1;
    if (this.used + n > this.text.length) {
      const grown = new Uint8Array(Math.max(2 * this.text.length, this.used + n));
      grown.set(this.text.subarray(0, this.used));
      this.text = grown;
    }
    const from = this.used;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) return -1;
      this.text[from + i] = c;
    }
    this.used += n;
    return from;
  }
}

export class StringPool {
  /** Past SMALL_POOL strings: the table they are found by, and a log's own pool's text kept as bytes (null while the pool is small). */
  private large: StringTable | null = null;
  /** While the pool is small and not a fleet host's: its strings' samples and bytes (null: compared as before). */
  private small: SmallIndex | null;
  /**
   * Each id's string; undefined where the table keeps its text as bytes instead (`get` makes it).
   * Replaced by a copy of its own size when trimmed (read only from outside).
   */
  strings: (string | undefined)[] = [];

  constructor(
    initial: readonly string[] = [],
    /** Where a new string's text is looked up first (one of a fleet's hosts); null: kept as given. */
    private readonly shared: SharedStrings | null = null,
  ) {
    this.small = shared === null ? new SmallIndex() : null;
    for (const s of initial) this.intern(s);
  }

  intern(s: string): number {
    const large = this.large;
    if (large === null) {
      const id = this.strings.indexOf(s);
      return id !== -1 ? id : this.addSmall(s);
    }
    const hash = hashString(s) | 0;
    const id = large.findText(this.strings, s, hash);
    return id !== -1 ? id : this.addString(large, s, hash);
  }

  /**
   * Interns the ASCII text `b[start, end)`, making no string when the pool has it (the common
   * case: hosts, sessions and commands repeat). A small pool compares it with its strings; a
   * large one first with the string last found under a sample of its bytes, then by its hash.
   * New to a log's own large pool, it is kept as bytes, not as a string (string-table.ts).
   */
  internBytes(b: Buffer, start: number, end: number): number {
    const n = end - start;
    const large = this.large;
    if (large === null) {
      const found = this.findSmall(b, start, n);
      return found !== -1 ? found : this.addSmall(latin1(b, start, end));
    }
    const sample = byteSample(b, start, end);
    const recent = large.recentId(this.strings, b, start, n, sample);
    if (recent !== -1) return recent;
    const hash = hashBytes(b, start, end) | 0;
    let id = large.findBytes(this.strings, b, start, n, hash);
    if (id === -1) {
      id = this.strings.length;
      if (large.addBytes(hash, b, start, end)) this.strings.push(undefined);
      else this.addString(large, latin1(b, start, end), hash);
    }
    large.remember(sample, id);
    return id;
  }

  /**
   * The id of the ASCII text `b[start, end)`, or -1; nothing is added and no string made: a scan
   * worker's full pool (native-lines.ts ChunkStrings) leaves a string it has not to the reader.
   */
  findBytes(b: Buffer, start: number, end: number): number {
    const n = end - start;
    const large = this.large;
    if (large === null) return this.findSmall(b, start, n);
    const sample = byteSample(b, start, end);
    const recent = large.recentId(this.strings, b, start, n, sample);
    if (recent !== -1) return recent;
    const id = large.findBytes(this.strings, b, start, n, hashBytes(b, start, end) | 0);
    if (id !== -1) large.remember(sample, id);
    return id;
  }

  /**
   * Gives back the room an array grown by push keeps for more (half as much again and 16):
   * a fleet follows thousands of hosts, each with seven pools of a few strings.
   */
  trim(): void {
    this.strings = this.strings.slice();
  }

  /** The id of a string already interned, or -1. */
  find(s: string): number {
    const large = this.large;
    return large === null ? this.strings.indexOf(s) : large.findText(this.strings, s, hashString(s) | 0);
  }

  /** How many buckets of its table a lookup of `s` reads (0 while the pool is small): what a crafted flood would lengthen. */
  probes(s: string): number {
    return this.large === null ? 0 : this.large.probes(hashString(s) | 0);
  }

  get(id: number): string {
    return this.strings[id] ?? this.large!.text(id);
  }

  /** The strings of ids `first` on (made from the bytes kept, for those kept so). */
  stringsFrom(first: number): string[] {
    const out: string[] = [];
    for (let id = first; id < this.strings.length; id++) out.push(this.get(id));
    return out;
  }

  get size(): number {
    return this.strings.length;
  }

  private kept(s: string): string {
    return this.shared === null ? s : this.shared.canonical(s);
  }

  private addSmall(s: string): number {
    const fresh = this.strings.length;
    this.strings.push(this.kept(s));
    if (this.strings.length > SMALL_POOL) {
      this.large = new StringTable(this.strings, this.shared === null);
      this.small = null;
    } else this.small?.add(s);
    return fresh;
  }

  private addString(large: StringTable, s: string, hash: number): number {
    const fresh = this.strings.length;
    this.strings.push(this.kept(s));
    large.addString(hash);
    return fresh;
  }

  /** A small pool's id of the text `b[start, start + n)`: by its index, or (a fleet host's) its strings in order. */
  private findSmall(b: Buffer, start: number, n: number): number {
    const small = this.small;
    // (A small pool holds every string: none is kept as bytes before the table.)
    const strings = this.strings as string[];
    if (small !== null) return small.find(strings, b, start, n, byteSample(b, start, start + n));
    for (let id = 0; id < strings.length; id++) if (sameText(strings[id], b, start, n)) return id;
    return -1;
  }
}
