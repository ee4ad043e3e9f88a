/**
 * `print --json` written from the lines' bytes, without parsing them: the same bytes as
 * `jsonForTerminal(entryJson(entry))` (entry-json.ts), at a fraction of the CPU.
 *
 * A line is copied from only when the index's fast scanner proves it plain (scan-record.ts: a
 * valid request or response record with no whitespace, strings of printable ASCII without
 * escapes, the schema's keys only, each once, in any order) and it holds no DEL (the one
 * character of that subset jsonForTerminal escapes): each value is then already the text
 * JSON.stringify would write for it, and is copied into entry-json.ts' shape and order. Numbers
 * are the exception (`1.0`, `1e2`, `-0` are valid JSON but not what JSON.stringify writes):
 * those not already in its form are written anew. Anything else (escapes, non-ASCII text, an
 * unknown key, a line that cannot be read again, an id that does not hash to the index's)
 * returns false, and the caller writes that entry the slow way. A differential test
 * (test/cli/entry-json-bytes.test.ts) holds both ways to the same bytes.
 *
 * Once the index has loaded the native scanner, the engine has proved the line so as it read
 * it back (`EntryLines.scanned`: the native scanner takes only lines the JavaScript one takes,
 * and tells each key's value span and the DEL), and the addon writes the line's part of the
 * entry too (`ScannedLine.writeJson`, native/src/entry_json.rs: copying a few bytes at a time in
 * JavaScript was ~1.3 of `print --json`'s 5 s over 1M records, #17); the same test runs each way.
 */
import type { EntryJsonGiven, EntryLines, ScannedLine } from '../../shared/entry.js';
import { ENTRY_STATES } from '../../shared/entry.js';
import { anomaliesOf } from '../../shared/join.js';
import { jsonForTerminal } from '../../shared/sanitize.js';
import { KIND_REQUEST, KIND_RESPONSE, newCompactRecord, REJECT_REPLAY } from '../../engine/compact-record.js';
import { IO_AT, IO_PARTS, IO_PLACES, IO_SLOTS, PART_HEAD, PART_OUTCOME, PART_REQUEST, PART_SECURITY, PART_TAIL } from '../../engine/plain-line.js';
import { KEY_TABLE, KEYS, keySlot } from '../../engine/record-keys.js';
import { scanRecord } from '../../engine/scan-record.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const DEL = 0x7f;
/** The `n` of a null (latency_ms may be one). */
const NULL_N = 0x6e;

const key = (k: (typeof KEYS)[number]) => KEYS.indexOf(k);
const K_PREV = key('prev'), K_ID = key('id'), K_TIME = key('time'), K_LOGGED = key('logged'), K_HOST = key('host'), K_SESSION = key('session');
const K_PRIVILEGED = key('privileged'), K_PIPELINE = key('pipeline'), K_RESOLVED = key('resolved'), K_ENV_KEYS = key('env_keys');
const K_REASON = key('reason'), K_DECISION = key('decision'), K_VIA = key('via'), K_LATENCY = key('latency_ms'), K_ERROR = key('error');
const K_REJECT = key('reject'), K_ALWAYS = key('always'), K_ESCALATION = key('escalation'), K_FORWARD_AGENT = key('forward_agent');
const K_CLIENT_VERSION = key('client_version'), K_OPERATOR = key('operator'), K_STATUS = key('status'), K_STAGES = key('stages');
const K_STDOUT_LEN = key('stdout_len'), K_STDOUT_TRUNCATED = key('stdout_truncated'), K_DURATION = key('duration_ms');

const ascii = (s: string) => Buffer.from(s, 'latin1');
const NO_TEXT = Buffer.alloc(0);
/** `"state":"ok"` and so on, by the state's index. */
const STATE_BYTES = ENTRY_STATES.map((s) => ascii(`,"state":"${s}"`));
/** `,"anomalies":[…]` by anomaly bits. */
const ANOMALY_BYTES = Array.from({ length: 32 }, (_, mask) => ascii(`,"anomalies":${JSON.stringify(anomaliesOf(mask))}`));
const STATE_INDEX = new Map(ENTRY_STATES.map((s, i) => [s, i]));

const L = {
  id: ascii('{"id":'),
  time: ascii(',"time":'),
  logged: ascii(',"logged":'),
  origin: ascii(',"origin":'),
  host: ascii(',"host":'),
  session: ascii(',"session":'),
  privileged: ascii(',"privileged":'),
  pipeline: ascii(',"pipeline":'),
  resolved: ascii(',"resolved":'),
  envKeys: ascii(',"env_keys":'),
  reason: ascii(',"reason":'),
  decision: ascii(',"decision":'),
  via: ascii(',"via":'),
  latency: ascii(',"latency_ms":'),
  requestError: ascii(',"request_error":'),
  reject: ascii(',"reject":'),
  always: ascii(',"always":'),
  escalation: ascii(',"escalation":'),
  forwardAgent: ascii(',"forward_agent":'),
  clientVersion: ascii(',"client_version":'),
  operator: ascii(',"operator":'),
  security: ascii(',"security":'),
  completedTime: ascii(',"completed_time":'),
  status: ascii(',"status":'),
  error: ascii(',"error":'),
  exitCodes: ascii(',"exit_codes":['),
  stages: ascii(',"stages":['),
  stageExit: ascii('{"exit_code":'),
  stageLen: ascii(',"stderr_len":'),
  stageTruncated: ascii(',"stderr_truncated":'),
  stdoutLen: ascii(',"stdout_len":'),
  stdoutTruncated: ascii(',"stdout_truncated":'),
  duration: ascii(',"duration_ms":'),
  request: ascii(',"request":'),
  response: ascii(',"response":'),
  file: ascii('{"file":'),
  line: ascii(',"line":'),
  offset: ascii(',"offset":'),
  seq: ascii(',"seq":'),
  null: ascii('null'),
  true: ascii('true'),
  false: ascii('false'),
  /** What an orphan response's entry says of the request it lacks (entryFromOrphan), from host to security. */
  noRequest: ascii(
    ',"host":"","session":"","privileged":false,"pipeline":[],"resolved":[],"env_keys":[],"reason":"","decision":null,"via":null,"latency_ms":null,"request_error":null,"reject":null,"always":false,"escalation":null,"forward_agent":null,"client_version":null,"operator":null,"security":false',
  ),
  /** What an entry says before its response comes (noOutcome), from completed_time to duration_ms. */
  noResponse: ascii(',"completed_time":null,"status":null,"error":null,"exit_codes":[],"stages":[],"stdout_len":null,"stdout_truncated":false,"duration_ms":null'),
};

/**
 * Room made after each line is read, so that copying needs no check: every value copied is a
 * part of the line (the exit codes twice, with a stage's keys again: under 3 bytes a byte of
 * line), plus the keys and the locations' numbers. What else can grow (a file or origin name, a
 * number written anew) makes its own room.
 */
const LINE_ROOM = 3;
const FIXED_ROOM = 2048;

/** A key's value in the line scanned last: `start[k], end[k]` (start -1: absent). */
const KEY_COUNT = KEYS.length;

type LineAt = ReturnType<EntryLines['location']>;

/** Writes entries as `print --json` lines from their lines' bytes, into one growing buffer. */
export class EntryJsonBytes {
  /** The entry written last (`bytes[0, length)`, with its newline), valid until the next `write`. */
  bytes: Buffer = Buffer.allocUnsafe(4096);
  length = 0;
  private readonly record = newCompactRecord();
  /** The line read last: its reject code, and its seq (-1: not chained). */
  private reject = 0;
  private seq = -1;
  /** The line read last as the native scanner took it (the addon writes its part); null: in JavaScript. */
  private native: ScannedLine | null = null;
  /** What the addon is given beside the line (`natively`). */
  private readonly given: EntryJsonGiven = { io: new Float64Array(IO_SLOTS), state: NO_TEXT, origin: NO_TEXT, anomalies: NO_TEXT, requestFile: NO_TEXT, responseFile: NO_TEXT };
  private readonly start = new Int32Array(KEY_COUNT);
  private readonly end = new Int32Array(KEY_COUNT);
  /** Stage values' spans (exit_code, stderr_len, stderr_truncated: 6 numbers a stage). */
  private stageSpans = new Int32Array(6 * 8);
  /** The last origin and file written, as jsonForTerminal wrote them: a log has few. */
  private originText = '';
  private originJson = ascii('""');
  private fileText: string | null = null;
  private fileJson = ascii('""');

  /**
   * The entry's line (and a newline) in `bytes[0, length)`; false when its lines are not plain
   * enough to prove (nothing is written then: write that entry the slow way).
   */
  write(lines: EntryLines): boolean {
    this.length = 0;
    return this.append(lines);
  }

  /**
   * The entry's line (and a newline) after those in `bytes[0, length)`, which stay; false when
   * its lines are not plain enough to prove (then nothing of it is kept).
   */
  append(lines: EntryLines): boolean {
    const start = this.length;
    const written = lines.hasRequest ? this.requestEntry(lines) : lines.hasResponse && this.orphanEntry(lines);
    if (!written) this.length = start;
    return written;
  }

  /** Hands over `bytes` (what was written: `[0, length)`, read before) and writes on in `spare`, or a new buffer. */
  take(spare: Buffer | undefined): Buffer {
    const taken = this.bytes;
    this.bytes = spare ?? Buffer.allocUnsafeSlow(taken.length);
    this.length = 0;
    return taken;
  }

  private requestEntry(lines: EntryLines): boolean {
    const b = this.readPlain(lines, 'request');
    if (b === null) return false;
    const security = this.reject === REJECT_REPLAY;
    const seq = this.seq;
    if (this.native !== null) {
      if (!this.natively(b, PART_HEAD | PART_REQUEST | (security ? PART_SECURITY : 0), lines)) return false;
    } else if (!this.request(b, lines, security)) return false;
    const requestAt = lines.location('request');
    if (!lines.hasResponse) {
      this.put(L.noResponse);
      return this.tail(b, 0, lines, requestAt, seq, null, -1);
    }
    // The request's bytes may be gone with this read (a shared read-ahead): all of it is written above.
    const r = this.readPlain(lines, 'response');
    return r !== null && this.tail(r, PART_OUTCOME, lines, requestAt, seq, lines.location('response'), this.seq);
  }

  /** From id to security, in JavaScript: the head and a request's fields. */
  private request(b: Uint8Array, lines: EntryLines, security: boolean): boolean {
    const { start, end } = this;
    this.head(b, lines);
    this.put(L.host);
    this.copy(b, K_HOST);
    this.put(L.session);
    this.copy(b, K_SESSION);
    this.put(L.privileged);
    this.copy(b, K_PRIVILEGED);
    this.put(L.pipeline);
    this.copy(b, K_PIPELINE);
    this.put(L.resolved);
    this.copy(b, K_RESOLVED);
    this.put(L.envKeys);
    this.copy(b, K_ENV_KEYS);
    this.put(L.reason);
    this.copy(b, K_REASON);
    this.put(L.decision);
    this.copy(b, K_DECISION);
    this.put(L.via);
    this.copy(b, K_VIA);
    this.put(L.latency);
    this.number(b, start[K_LATENCY], end[K_LATENCY]);
    this.put(L.requestError);
    this.copyOrNull(b, K_ERROR);
    this.put(L.reject);
    this.copyOrNull(b, K_REJECT);
    this.put(L.always);
    this.put(start[K_ALWAYS] >= 0 ? L.true : L.false); // only ever `true` when present
    this.put(L.escalation);
    this.copyOrNull(b, K_ESCALATION);
    this.put(L.forwardAgent);
    this.copyOrNull(b, K_FORWARD_AGENT);
    this.put(L.clientVersion);
    this.copyOrNull(b, K_CLIENT_VERSION);
    this.put(L.operator);
    if (start[K_OPERATOR] < 0) this.put(L.null);
    else if (!this.operator(b, start[K_OPERATOR], end[K_OPERATOR])) return false;
    this.put(L.security);
    this.put(security ? L.true : L.false);
    return true;
  }

  /** `parts` of the entry from the line read last, by the addon (ScannedLine.writeJson); false: declined. */
  private natively(b: Uint8Array, parts: number, lines: EntryLines): boolean {
    const line = this.native as ScannedLine;
    const given = this.given;
    given.state = STATE_BYTES[STATE_INDEX.get(lines.state) as number];
    given.origin = this.originBytes(lines.origin);
    given.io[IO_PARTS] = parts;
    for (;;) {
      given.io[IO_AT] = this.length;
      const end = line.writeJson(b, this.bytes, given);
      if (end >= 0) {
        this.length = end;
        // The fixed room again, for what is written here after it (noResponse, noRequest): a
        // long origin or file name may have taken what readPlain made (as putOrigin does).
        this.room(FIXED_ROOM);
        return true;
      }
      if (end === -1) return false;
      // No room (a long origin or file name): nothing was written past it. More than is left,
      // so that it grows also when nothing is written yet (room(bytes.length) did not at 0: the
      // head of a long origin was asked for again forever).
      this.room(this.bytes.length - this.length + 1);
    }
  }

  /** A response without its request (entryFromOrphan): its id and times, nothing of a request. */
  private orphanEntry(lines: EntryLines): boolean {
    const b = this.readPlain(lines, 'response');
    if (b === null) return false;
    const seq = this.seq;
    if (this.native !== null) {
      if (!this.natively(b, PART_HEAD, lines)) return false;
    } else this.head(b, lines);
    this.put(L.noRequest);
    return this.tail(b, PART_OUTCOME, lines, null, -1, lines.location('response'), seq);
  }

  /** The line, when it is a plain record of its kind with the entry's id (its values' spans in start/end, or with the native scanner), with room made for what it gives. */
  private readPlain(lines: EntryLines, which: 'request' | 'response'): Uint8Array | null {
    const b = lines.read(which);
    if (b === null) return null;
    const kind = which === 'request' ? KIND_REQUEST : KIND_RESPONSE;
    const scanned = lines.scanned?.(which) ?? null;
    if (!(scanned === null ? this.scan(b, kind, lines.idHash) : this.taken(scanned, kind, lines.idHash))) return null;
    this.native = scanned;
    this.room(LINE_ROOM * b.length + FIXED_ROOM);
    return b;
  }

  /** From id to origin: what every entry says first, from its first record. */
  private head(b: Uint8Array, lines: EntryLines): void {
    this.put(L.id);
    this.copy(b, K_ID);
    this.put(STATE_BYTES[STATE_INDEX.get(lines.state) as number]);
    this.put(L.time);
    this.copy(b, K_TIME);
    this.put(L.logged);
    this.copyOrNull(b, K_LOGGED);
    this.putOrigin(lines.origin);
  }

  /**
   * From anomalies to the end of the line: what the index says, and where each record is;
   * after a response's fields (`outcome` PART_OUTCOME: from `b`, the line read last) or not (0).
   */
  private tail(b: Uint8Array, outcome: number, lines: EntryLines, requestAt: LineAt | null, requestSeq: number, responseAt: LineAt | null, responseSeq: number): boolean {
    if (this.native !== null) {
      const { given } = this;
      given.anomalies = ANOMALY_BYTES[lines.anomalies & 31];
      given.requestFile = this.fileBytes(requestAt);
      given.responseFile = this.fileBytes(responseAt);
      placeIn(given.io, IO_PLACES, requestAt, requestSeq);
      placeIn(given.io, IO_PLACES + 3, responseAt, responseSeq);
      return this.natively(b, outcome | PART_TAIL, lines);
    }
    if (outcome !== 0 && !this.outcome(b)) return false;
    this.put(ANOMALY_BYTES[lines.anomalies & 31]);
    this.put(L.request);
    if (requestAt === null) this.put(L.null);
    else this.location(requestAt, requestSeq);
    this.put(L.response);
    if (responseAt === null) this.put(L.null);
    else this.location(responseAt, responseSeq);
    this.put1(RBRACE);
    this.put1(0x0a);
    return true;
  }

  /** A response's fields (applyResponse), from completed_time to duration_ms, in JavaScript. */
  private outcome(b: Uint8Array): boolean {
    const { start, end } = this;
    this.put(L.completedTime);
    this.copy(b, K_TIME);
    this.put(L.status);
    this.copy(b, K_STATUS);
    this.put(L.error);
    this.copy(b, K_ERROR);
    if (!this.stages(b, start[K_STAGES], end[K_STAGES])) return false;
    this.put(L.stdoutLen);
    this.number(b, start[K_STDOUT_LEN], end[K_STDOUT_LEN]);
    this.put(L.stdoutTruncated);
    this.copy(b, K_STDOUT_TRUNCATED);
    this.put(L.duration);
    this.number(b, start[K_DURATION], end[K_DURATION]);
    return true;
  }

  /** Whether the line the native scanner took as plain is a record of `kind` whose id hashes to the index's (the addon then writes from it, `natively`). */
  private taken(line: ScannedLine, kind: number, idHash: number): boolean {
    if (line.kind !== kind || line.idHash !== idHash) return false;
    this.reject = line.reject;
    this.seq = line.chained ? line.seq : -1;
    return true;
  }

  /**
   * Whether `b` is a plain record of `kind` whose id hashes to the index's; if so, each of its
   * keys' values is left in start/end.
   */
  private scan(b: Uint8Array, kind: number, idHash: number): boolean {
    const r = this.record;
    const buf = b as Buffer;
    if (!scanRecord(buf, 0, b.length, r) || r.kind !== kind || r.idHash !== idHash) return false;
    if (buf.indexOf(DEL) !== -1) return false;
    this.reject = r.reject;
    this.seq = r.chained ? r.seq : -1;
    const { start, end } = this;
    start.fill(-1);
    // The scanner has proved the line: no whitespace, strings without escapes, known keys only.
    let i = 1;
    for (;;) {
      const keyStart = i + 1;
      let keyEnd = keyStart;
      while (b[keyEnd] !== QUOTE) keyEnd++;
      const k = KEY_TABLE[keySlot(b, keyStart, keyEnd)];
      i = keyEnd + 2;
      start[k] = i;
      const c = b[i];
      if (k === K_PREV) {
        i += 66; // 64 hex digits, as the scanner checked
      } else if (c === QUOTE) {
        // Short strings byte by byte; past 16 bytes, one native search.
        const limit = i + 17;
        i++;
        while (i < limit && b[i] !== QUOTE) i++;
        if (b[i] !== QUOTE) i = (b as Buffer).indexOf(QUOTE, i);
        i++;
      } else if (c === LBRACKET || c === LBRACE) {
        let depth = 0;
        do {
          const d = b[i];
          if (d === QUOTE) {
            i++;
            while (b[i] !== QUOTE) i++;
          } else if (d === LBRACKET || d === LBRACE) depth++;
          else if (d === RBRACKET || d === RBRACE) depth--;
          i++;
        } while (depth > 0);
      } else {
        while (b[i] !== COMMA && b[i] !== RBRACE) i++;
      }
      end[k] = i;
      if (b[i] === RBRACE) return true;
      i++;
    }
  }

  /** `"exit_codes":[…],"stages":[{…}]` in entry-json.ts' key order, whatever the line's. */
  private stages(b: Uint8Array, from: number, to: number): boolean {
    let count = 0;
    let i = from + 1;
    if (b[i] !== RBRACKET) {
      for (;;) {
        if (this.stageSpans.length < 6 * (count + 1)) {
          const more = new Int32Array(this.stageSpans.length * 2);
          more.set(this.stageSpans);
          this.stageSpans = more;
        }
        const spans = this.stageSpans;
        i++; // {
        for (;;) {
          const keyStart = i + 1;
          let keyEnd = keyStart;
          while (b[keyEnd] !== QUOTE) keyEnd++;
          i = keyEnd + 2;
          const valueStart = i;
          while (b[i] !== COMMA && b[i] !== RBRACE) i++;
          // exit_code (9), stderr_len (10), stderr_truncated (16): the scanner allowed only these, once each.
          const slot = keyEnd - keyStart === 9 ? 0 : keyEnd - keyStart === 10 ? 2 : 4;
          spans[6 * count + slot] = valueStart;
          spans[6 * count + slot + 1] = i;
          if (b[i] === RBRACE) break;
          i++;
        }
        count++;
        i++; // }
        if (b[i] === RBRACKET) break;
        i++; // ,
      }
    }
    if (i + 1 !== to) return false;
    const spans = this.stageSpans;
    this.put(L.exitCodes);
    for (let s = 0; s < count; s++) {
      if (s > 0) this.put1(COMMA);
      this.number(b, spans[6 * s], spans[6 * s + 1]);
    }
    this.put1(RBRACKET);
    this.put(L.stages);
    for (let s = 0; s < count; s++) {
      if (s > 0) this.put1(COMMA);
      this.put(L.stageExit);
      this.number(b, spans[6 * s], spans[6 * s + 1]);
      this.put(L.stageLen);
      this.number(b, spans[6 * s + 2], spans[6 * s + 3]);
      this.put(L.stageTruncated);
      this.copyRange(b, spans[6 * s + 4], spans[6 * s + 5]);
      this.put1(RBRACE);
    }
    this.put1(RBRACKET);
    return true;
  }

  /**
   * The operator object: the scanner allowed only the writer's key order (which is entry-json's),
   * so its bytes are JSON.stringify's but for the uid, which may be a number in another form.
   */
  private operator(b: Uint8Array, from: number, to: number): boolean {
    const uidStart = from + 7; // {"uid":
    let uidEnd = uidStart;
    while (b[uidEnd] !== COMMA) uidEnd++;
    if (!plainNumber(b, uidStart, uidEnd)) return false;
    this.copyRange(b, from, to);
    return true;
  }

  private location(at: LineAt, seq: number): void {
    this.put(L.file);
    const file = this.fileBytes(at);
    // Room for what follows it too: the fixed room readPlain made may be less than a long name
    // takes (room only for the name cut the line short, and glued the next entry to it).
    this.room(file.length + FIXED_ROOM);
    this.put(file);
    this.put(L.line);
    this.putCount(at.line);
    this.put(L.offset);
    this.putCount(at.offset);
    this.put(L.seq);
    if (seq < 0) this.put(L.null);
    else this.putCount(seq);
    this.put1(RBRACE);
  }

  private putOrigin(origin: string): void {
    const json = this.originBytes(origin);
    this.room(json.length + FIXED_ROOM);
    this.put(L.origin);
    this.put(json);
  }

  /** The record's file name as jsonForTerminal writes it (a log has few: the last one is kept); empty for none. */
  private fileBytes(at: LineAt | null): Buffer {
    if (at === null) return NO_TEXT;
    if (at.file !== this.fileText) {
      this.fileText = at.file;
      this.fileJson = Buffer.from(jsonForTerminal(at.file), 'utf8');
    }
    return this.fileJson;
  }

  /** The origin as jsonForTerminal writes it (a log has few: the last one is kept). */
  private originBytes(origin: string): Buffer {
    if (origin !== this.originText) {
      this.originText = origin;
      this.originJson = Buffer.from(jsonForTerminal(origin), 'utf8');
    }
    return this.originJson;
  }

  /** A number as JSON.stringify writes it: its bytes when already so, else written anew. */
  private number(b: Uint8Array, from: number, to: number): void {
    if (plainNumber(b, from, to) || b[from] === NULL_N) this.copyRange(b, from, to);
    else this.putText(JSON.stringify(Number(Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('latin1'))));
  }

  private copy(b: Uint8Array, k: number): void {
    this.copyRange(b, this.start[k], this.end[k]);
  }

  private copyOrNull(b: Uint8Array, k: number): void {
    if (this.start[k] < 0) this.put(L.null);
    else this.copyRange(b, this.start[k], this.end[k]);
  }

  private copyRange(b: Uint8Array, from: number, to: number): void {
    const n = to - from;
    const out = this.bytes;
    let at = this.length;
    // Buffer#copy checks its arguments in JS first: a loop is cheaper for all but long values.
    if (n > 256) (b as Buffer).copy(out, at, from, to);
    else for (let i = from; i < to; i++) out[at++] = b[i];
    this.length += n;
  }

  private put(lit: Uint8Array): void {
    this.copyRange(lit, 0, lit.length);
  }

  private put1(byte: number): void {
    this.bytes[this.length++] = byte;
  }

  /** A count (a line, an offset, a seq): its digits, as JSON.stringify writes a non-negative safe integer. */
  private putCount(n: number): void {
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n))) {
      this.putText(JSON.stringify(n));
      return;
    }
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    const out = this.bytes;
    let at = this.length + digits;
    this.length = at;
    let rest = n;
    do {
      out[--at] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /** ASCII text (numbers). */
  private putText(text: string): void {
    this.room(text.length);
    this.length += this.bytes.write(text, this.length, 'latin1');
  }

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const more = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + n));
    this.bytes.copy(more, 0, 0, this.length);
    this.bytes = more;
  }
}

/** A record's place for the addon, `io[at, at + 3)`: line, offset, seq (a line of -1: none; a seq of -1: null). */
function placeIn(io: Float64Array, at: number, place: LineAt | null, seq: number): void {
  io[at] = place === null ? -1 : place.line;
  io[at + 1] = place === null ? 0 : place.offset;
  io[at + 2] = seq < 0 ? -1 : seq;
}

/**
 * Whether `b[from, to)` is a number as JSON.stringify writes it, for the numbers the scanner
 * passes: an integer of at most 15 digits (exact in a double), no leading zero, not -0.
 */
function plainNumber(b: Uint8Array, from: number, to: number): boolean {
  let i = from;
  if (b[i] === MINUS) i++;
  const digits = to - i;
  if (digits < 1 || digits > 15) return false;
  if (b[i] === ZERO) return digits === 1 && i === from;
  for (; i < to; i++) if (b[i] < ZERO || b[i] > NINE) return false;
  return true;
}
