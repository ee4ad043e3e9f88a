/**
 * Owns the optional native scanner (native/, issue #17): a run of lines scanned and their
 * SHA-256 taken in one call, where the JavaScript path makes one scan and one `crypto.hash`
 * call a line. It is loaded on first use, by the first read big enough to gain from it: a
 * small log's command loads nothing more. When it is not built (no Rust toolchain at install),
 * cannot be loaded, or `SUDO_PROXY_AUDIT_NATIVE=0`, every line takes the JavaScript path,
 * which stays the reference: the native scanner declines any line it is not sure of.
 */
import { createRequire } from 'node:module';

/** The addon's functions (native/src/lib.rs). */
export interface NativeAddon {
  layout(): number;
  scanLines(buf: Uint8Array, from: number, to: number, last: number, options: number, seedLo: number, seedHi: number, ints: Int32Array, nums: Float64Array, hex: Uint8Array): number;
  fixMallocThreshold(): boolean;
}

/** Where the build puts it (scripts/build-native.mjs), from this module as built (dist/engine, dist/bin) or as source (src/engine). */
const CANDIDATES = ['../native/sudo-proxy-audit-native.node', '../../dist/native/sudo-proxy-audit-native.node'];

/** The slots' layout this code reads (native/src/lines.rs LAYOUT). */
export const NATIVE_LAYOUT = 2;

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
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const candidate of CANDIDATES) {
    try {
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

/** Why `nativeAddon()` gave null ('' when it did not, or was not asked). */
export function nativeUnavailable(): string {
  return whyNot;
}

/** For tests: load again on the next call (after changing SUDO_PROXY_AUDIT_NATIVE). */
export function forgetNativeAddon(): void {
  loaded = undefined;
  whyNot = '';
}
