/**
 * How an engine reads lines back (`print --json`'s EntryLines): in JavaScript until the index
 * loads the native scanner, by the native scanner after (src/engine/plain-line.ts). A test file
 * that imports this runs its cases each way (`describe.each(READ_BACKS)` or `it.each`), and is
 * left as it found the process after each.
 *
 * (native-lines.test.ts fails where cargo is and the addon is not built: the native way never
 * goes unchecked there.)
 */
import { afterEach } from 'vitest';
import { forgetNativeAddon, nativeAddon } from '../../src/engine/native-scanner.js';

/** [name, load it so before the case, whether lines are then read back natively]. */
export type ReadBack = [string, () => void, boolean];

afterEach(() => {
  delete process.env.SUDO_PROXY_AUDIT_NATIVE;
  forgetNativeAddon();
});

const inJavaScript: ReadBack = [
  'read back in JavaScript',
  () => {
    // (Nor loaded by the index, which would read them back natively after.)
    process.env.SUDO_PROXY_AUDIT_NATIVE = '0';
    forgetNativeAddon();
  },
  false,
];
const natively: ReadBack = ['read back by the native scanner', () => void nativeAddon(), true];

export const READ_BACKS: ReadBack[] = nativeAddon() === null ? [inJavaScript] : [inJavaScript, natively];
