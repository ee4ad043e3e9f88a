/**
 * The sealing state file's format and name: one JSON line beside the log, holding the current
 * epoch's key — the only key on the host — and the last seal line made, written before that
 * line is appended (the writer's crash recovery). Pure: the writer and `seal init` do the I/O.
 *
 *   {"v":1,"epoch":E,"key":"<64 hex: k_E>","key_id":"<16 hex>","pending":"<last seal line>"|null}
 *
 * The key is read straight from the bytes into a Buffer the caller wipes: it never becomes a
 * JS string (strings cannot be overwritten).
 */
import path from 'node:path';
import { KEY_BYTES } from './seal.js';

/** `.audit.log.seal` beside `audit.log`: a hidden name no rotated-set pattern matches. */
export function sealStatePath(logPath: string): string {
  return path.join(path.dirname(logPath), `.${path.basename(logPath)}.seal`);
}

export const sealLockPath = (statePath: string): string => `${statePath}.lock`;

export interface SealState {
  epoch: number;
  /** k_epoch: wipe it (fill(0)) once used. */
  key: Buffer;
  keyId: string;
  /** The last seal line made (maybe not yet in the log after a crash), or null. */
  pending: string | null;
}

export function encodeSealState(s: SealState): Buffer {
  const head = `{"v":1,"epoch":${s.epoch},"key":"`;
  const tail = `","key_id":"${s.keyId}","pending":${s.pending === null ? 'null' : JSON.stringify(s.pending)}}\n`;
  const out = Buffer.alloc(Buffer.byteLength(head) + KEY_BYTES * 2 + Buffer.byteLength(tail));
  let p = out.write(head, 0, 'latin1');
  p += putHex(s.key, out, p);
  out.write(tail, p, 'utf8');
  return out;
}

const HEX = '0123456789abcdef';

/** The hex digits of `bytes` into `target` at `at` (no intermediate string, unlike toString('hex')). */
function putHex(bytes: Uint8Array, target: Buffer, at: number): number {
  for (let i = 0; i < bytes.length; i++) {
    target[at + 2 * i] = HEX.charCodeAt(bytes[i] >> 4);
    target[at + 2 * i + 1] = HEX.charCodeAt(bytes[i] & 15);
  }
  return bytes.length * 2;
}

const KEY_MARK = Buffer.from('"key":"');

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * Reads a state file's bytes; the key's digits in `bytes` are overwritten with zeros once read
 * (the caller wipes the rest). Throws an Error saying what is wrong.
 */
export function decodeSealState(bytes: Buffer): SealState {
  const at = bytes.indexOf(KEY_MARK);
  if (at < 0) throw new Error('no key');
  const start = at + KEY_MARK.length;
  const key = Buffer.alloc(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) {
    const hi = hexValue(bytes[start + 2 * i]);
    const lo = hexValue(bytes[start + 2 * i + 1]);
    if (hi < 0 || lo < 0) {
      key.fill(0);
      throw new Error('the key is not 64 lowercase hex digits');
    }
    key[i] = (hi << 4) | lo;
  }
  bytes.fill(0x30, start, start + KEY_BYTES * 2);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    key.fill(0);
    throw new Error('not JSON');
  }
  const o = parsed as Record<string, unknown>;
  const epoch = o.epoch;
  const ok =
    o.v === 1 &&
    typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch >= 0 &&
    typeof o.key_id === 'string' && /^[0-9a-f]{16}$/.test(o.key_id) &&
    (o.pending === null || typeof o.pending === 'string') &&
    bytes[start + KEY_BYTES * 2] === 0x22;
  if (!ok) {
    key.fill(0);
    throw new Error('not a sealing state (v, epoch, key, key_id, pending)');
  }
  return { epoch: epoch as number, key, keyId: o.key_id as string, pending: o.pending as string | null };
}
