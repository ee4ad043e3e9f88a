/** Interned strings: hosts, sessions, reasons and commands repeat; each is kept once, entries hold its number. */
export class StringPool {
  private readonly ids = new Map<string, number>();
  private readonly bySample = new Map<number, number>();
  readonly strings: string[] = [];

  constructor(initial: readonly string[] = []) {
    for (const s of initial) this.intern(s);
  }

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /**
   * Interns the ASCII text `b[start, end)`: when it is the string last interned under the same
   * sample of its bytes, no new string is created (the common case: hosts, sessions and
   * commands repeat). Anything else takes `intern`.
   */
  internBytes(b: Buffer, start: number, end: number): number {
    const n = end - start;
    const sample = n === 0 ? 0 : (n * 0x9e3779b1) ^ (b[start] << 24) ^ (b[start + (n >> 1)] << 16) ^ (b[end - 1] << 8) ^ b[start + (n >> 2)] ^ (b[end - 1 - (n >> 2)] << 4);
    const id = this.bySample.get(sample);
    if (id !== undefined) {
      const s = this.strings[id];
      if (s.length === n) {
        let i = 0;
        while (i < n && s.charCodeAt(i) === b[start + i]) i++;
        if (i === n) return id;
      }
    }
    const fresh = this.intern((b as unknown as { latin1Slice(s: number, e: number): string }).latin1Slice(start, end));
    this.bySample.set(sample, fresh);
    return fresh;
  }

  /** The id of a string already interned, or -1. */
  find(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  get(id: number): string {
    return this.strings[id];
  }

  get size(): number {
    return this.strings.length;
  }
}
