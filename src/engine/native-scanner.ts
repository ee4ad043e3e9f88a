/**
 * Owns the optional native scanner (native/, issue #17): a run of lines scanned and their
 * SHA-256 taken in one call, where the JavaScript path makes one scan and one `crypto.hash`
 * call a line. It is loaded on first use, by the first read big enough to gain from it: a
 * small log's command loads nothing more. When it is not built (no Rust toolchain at install),
 * cannot be loaded, or `SUDO_PROXY_AUDIT_NATIVE=0`, every line takes the JavaScript path,
 * which stays the reference: the native scanner declines any line it is not sure of.
 */
import fs from 'node:fs';

/** The addon's functions (native/src/lib.rs). */
export interface NativeAddon {
  layout(): number;
  scanLines(buf: Uint8Array, from: number, to: number, last: number, options: number, seedLo: number, seedHi: number, ints: Int32Array, nums: Float64Array, hex: Uint8Array): number;
  scanPlain(buf: Uint8Array, from: number, to: number, options: number, seedLo: number, seedHi: number, ints: Int32Array, nums: Float64Array): boolean;
  entryJson(line: Uint8Array, spans: Int32Array, out: Uint8Array, io: Float64Array, state: Uint8Array, origin: Uint8Array, anomalies: Uint8Array, requestFile: Uint8Array, responseFile: Uint8Array): number;
  fixMallocThreshold(): boolean;
  populate(view: ArrayBufferView): boolean;
}

/** Where the build puts it (scripts/build-native.mjs), from this module as built (dist/engine, dist/bin) or as source (src/engine). */
const CANDIDATES = ['../native/sudo-proxy-audit-native.node', '../../dist/native/sudo-proxy-audit-native.node'];

/** The slots' layout this code reads (native/src/lines.rs LAYOUT). */
export const NATIVE_LAYOUT = 6;

let loaded: NativeAddon | null | undefined;
let whyNot = '';

/** The addon, or null (then `nativeUnavailable()` says why). */
export function nativeAddon(): NativeAddon | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.SUDO_PROXY_AUDIT_NATIVE === '0') {
    whyNot = 'turned off (SUDO_PROXY_AUDIT_NATIVE=0)';
    return null;
  }
  // node:module only here: a small log's command loads neither it nor the addon (test/cli/bundle.test.ts).
  const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);
  const tried: string[] = [];
  for (const candidate of CANDIDATES) {
    try {
      const damaged = notWholeElf(require.resolve(candidate));
      if (damaged !== null) {
        tried.push(`${candidate}: ${damaged}`);
        continue;
      }
      const addon = require(candidate) as NativeAddon;
      const layout = typeof addon.layout === 'function' ? addon.layout() : undefined;
      if (layout === NATIVE_LAYOUT) return (loaded = addon);
      tried.push(`${candidate}: built from other sources (layout ${String(layout)}, not ${NATIVE_LAYOUT})`);
    } catch (e) {
      tried.push(`${candidate}: ${(e as { code?: string }).code ?? (e as Error).message}`);
    }
  }
  whyNot = `not built or not loadable (${tried.join('; ')})`;
  return null;
}

/** ELF's PT_LOAD: a segment the loader maps. */
const PT_LOAD = 1;

/**
 * Why the ELF shared object `file` cannot be loaded whole (null: it can). The dynamic loader
 * maps each segment from the file without checking that the file holds it: an addon cut short
 * (a full disk, an interrupted cp, rsync or tar) loads, then kills the process with SIGBUS when
 * its code runs. Checked here from its program headers, so that such a file is passed over.
 */
export function notWholeElf(file: string): string | null {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    fs.readSync(fd, head, 0, head.length, 0);
    if (head.length < 52 || head.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF file';
    const wide = head[4] === 2;
    const little = head[5] === 1;
    const view = new DataView(head.buffer, head.byteOffset, head.length);
    const word = (at: number) => (wide ? Number(view.getBigUint64(at, little)) : view.getUint32(at, little));
    const phoff = word(wide ? 0x20 : 0x1c);
    const phentsize = view.getUint16(wide ? 0x36 : 0x2a, little);
    const phnum = view.getUint16(wide ? 0x38 : 0x2c, little);
    if (phoff + phnum * phentsize > head.length || phentsize < (wide ? 56 : 32)) return `cut short (${size} bytes: its program headers are not all there)`;
    for (let k = 0; k < phnum; k++) {
      const at = phoff + k * phentsize;
      if (view.getUint32(at, little) !== PT_LOAD) continue;
      const end = wide ? word(at + 8) + word(at + 32) : word(at + 4) + word(at + 16);
      if (end > size) return `cut short (${size} bytes, its segments end at ${end})`;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Arrays from this size up are worth a `populate` call (a fault costs ~10 µs on this machine's VM). */
const POPULATE_MIN_BYTES = 64 * 1024;

/**
 * Faults in the pages of `view`, about to be written all over, in one call, once something has
 * loaded the addon and when it is big enough to gain (a fleet's small hosts: never).
 */
export function populate(view: ArrayBufferView): void {
  if (view.byteLength >= POPULATE_MIN_BYTES) loaded?.populate(view);
}

/** The addon when something has loaded it already, else null (without loading it). */
export function loadedNativeAddon(): NativeAddon | null {
  return loaded ?? null;
}

/** Why `nativeAddon()` gave null ('' when it did not, or was not asked). */
export function nativeUnavailable(): string {
  return whyNot;
}

/** Whether a read has said it goes without the addon (`missingNativeAddon`). */
let missingSaid = false;

/**
 * Why a big read goes without the addon, the first time one asks in this process; null when it
 * is loaded, turned off on purpose (SUDO_PROXY_AUDIT_NATIVE=0), or said already: a fleet or a
 * viewer's reads would say it again and again.
 */
export function missingNativeAddon(): string | null {
  if (nativeAddon() !== null || process.env.SUDO_PROXY_AUDIT_NATIVE === '0' || missingSaid) return null;
  missingSaid = true;
  return whyNot;
}

/**
 * For tests: load again on the next call (after changing SUDO_PROXY_AUDIT_NATIVE); with
 * `unloadable`, no addon until forgotten again, as if none loaded for that reason.
 */
export function forgetNativeAddon(unloadable?: string): void {
  loaded = unloadable === undefined ? undefined : null;
  whyNot = unloadable ?? '';
  missingSaid = false;
}
