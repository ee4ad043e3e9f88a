/**
 * Interned strings: hosts, sessions, reasons and commands repeat; each is kept once, entries hold its number.
 *
 * A fleet has four pools in each of thousands of hosts' engines, most holding a few dozen
 * strings: up to SMALL_POOL strings a pool holds no Map (two Maps each were ~5 KB a host, 46 MB
 * of heap for 10,000 hosts) — a fleet host's is searched in order, a log's own keeps a small
 * table of its own (`SmallIndex`) — and past it, strings are looked up by Map.
 */

/** Strings a pool holds before it keeps Maps. */
export const SMALL_POOL = 32;

/**
 * A key of this thread's, mixed into every byte sample: the bytes are the log writer's choice,
 * and V8 hashes a Map's integer keys unseeded, so samples chosen to share a bucket made each
 * lookup walk them all (65,000 sessions so crafted: `stats` 12.8 s of CPU instead of 0.7).
 */
const [SAMPLE_KEY, SAMPLE_MULTIPLIER] = process.getBuiltinModule('node:crypto').randomFillSync(new Uint32Array(2));

/** What `internBytes` looks a past string up by: a few of the bytes and the length, keyed (SAMPLE_KEY). */
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
  /** String → id; null while the pool is small. */
  private ids: Map<string, number> | null = null;
  /** Byte sample → the id last interned under it; null until the pool is past small. */
  private bySample: Map<number, number> | null = null;
  /** While the pool is small and not a fleet host's: its strings' samples and bytes (null: compared as before). */
  private small: SmallIndex | null;
  /** Replaced by a copy of its own size when trimmed (read only from outside). */
  strings: string[] = [];

  constructor(
    initial: readonly string[] = [],
    /** Where a new string's text is looked up first (one of a fleet's hosts); null: kept as given. */
    private readonly shared: SharedStrings | null = null,
  ) {
    this.small = shared === null ? new SmallIndex() : null;
    for (const s of initial) this.intern(s);
  }

  intern(s: string): number {
    const id = this.find(s);
    if (id !== -1) return id;
    const fresh = this.strings.length;
    this.strings.push(this.shared === null ? s : this.shared.canonical(s));
    if (this.ids) this.ids.set(s, fresh);
    else if (this.strings.length > SMALL_POOL) {
      this.ids = new Map(this.strings.map((t, i) => [t, i]));
      this.small = null;
    } else this.small?.add(s);
    return fresh;
  }

  /**
   * Interns the ASCII text `b[start, end)`: when it is the string last interned under the same
   * sample of its bytes (a small pool: any string of the pool), no new string is created (the
   * common case: hosts, sessions and commands repeat). Anything else takes `intern`.
   */
  internBytes(b: Buffer, start: number, end: number): number {
    const n = end - start;
    if (this.ids === null) {
      const small = this.small;
      const found = small !== null ? small.find(this.strings, b, start, n, byteSample(b, start, end)) : this.scan(b, start, n);
      return found !== -1 ? found : this.intern((b as unknown as { latin1Slice(s: number, e: number): string }).latin1Slice(start, end));
    }
    this.bySample ??= new Map();
    const sample = byteSample(b, start, end);
    const id = this.bySample.get(sample);
    if (id !== undefined && sameText(this.strings[id], b, start, n)) return id;
    const fresh = this.intern((b as unknown as { latin1Slice(s: number, e: number): string }).latin1Slice(start, end));
    this.bySample.set(sample, fresh);
    return fresh;
  }

  /**
   * The id of the ASCII text `b[start, end)` when `internBytes` would find it without a new
   * string (a small pool: any of its strings; else the one last interned under its sample), else
   * -1; nothing is added. A miss may be a string of the pool: a scan worker's full pool (native-lines.ts
   * ChunkStrings) leaves it to the reader, rather than make a string of every line's field to look up.
   */
  findBytes(b: Buffer, start: number, end: number): number {
    const n = end - start;
    if (this.ids === null) return this.small !== null ? this.small.find(this.strings, b, start, n, byteSample(b, start, end)) : this.scan(b, start, n);
    const id = this.bySample?.get(byteSample(b, start, end));
    return id !== undefined && sameText(this.strings[id], b, start, n) ? id : -1;
  }

  /**
   * Gives back the room an array grown by push keeps for more (half as much again and 16):
   * a fleet follows thousands of hosts, each with seven pools of a few strings.
   */
  trim(): void {
    this.strings = this.strings.slice();
  }

  /** A small pool without an index (a fleet host's): its strings in order. */
  private scan(b: Buffer, start: number, n: number): number {
    const strings = this.strings;
    for (let id = 0; id < strings.length; id++) if (sameText(strings[id], b, start, n)) return id;
    return -1;
  }

  /** The id of a string already interned, or -1. */
  find(s: string): number {
    if (this.ids) return this.ids.get(s) ?? -1;
    return this.strings.indexOf(s);
  }

  get(id: number): string {
    return this.strings[id];
  }

  get size(): number {
    return this.strings.length;
  }
}

/** `text[from, from + length)` is the `n` bytes of `b` from `start`. */
function sameBytes(text: Uint8Array, from: number, length: number, b: Buffer, start: number, n: number): boolean {
  if (length !== n) return false;
  let i = 0;
  while (i < n && text[from + i] === b[start + i]) i++;
  return i === n;
}

/** `s` is the `n` bytes of `b` from `start` (ASCII). */
function sameText(s: string, b: Buffer, start: number, n: number): boolean {
  if (s.length !== n) return false;
  let i = 0;
  while (i < n && s.charCodeAt(i) === b[start + i]) i++;
  return i === n;
}
