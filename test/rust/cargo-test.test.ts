/**
 * `cargo test` for the Rust writer (rust/), inside `npm test` so that one command runs both
 * suites in CI: the crate's rule tests, and the golden vectors (schema/vectors/) it must write
 * byte for byte as the TypeScript writer does. Offline, with Debian's packaged crates.
 */
import { describe, expect, it } from 'vitest';
import { cargo, NATIVE_DIR, runCargo } from './rust-helpers.js';

describe.skipIf(!cargo.found)('the Rust writer crate', () => {
  it('passes cargo test (its rules and the golden vectors)', async () => {
    const run = await runCargo(['test', '--offline', '--quiet']);
    const results = run.stdout.split('\n').filter((l) => l.startsWith('test result:'));
    expect(results.length).toBeGreaterThanOrEqual(4);
    for (const r of results) expect(r).toMatch(/^test result: ok\./);
    expect(run.stdout).not.toMatch(/ 0 passed; 0 failed/);
  }, 300_000);
});

describe.skipIf(!cargo.found)('the native scanner crate', () => {
  it('passes cargo test (the scanner against values the JavaScript gives, every prefix and byte flip of real lines, the slots)', async () => {
    const run = await runCargo(['test', '--offline', '--quiet'], NATIVE_DIR);
    const results = run.stdout.split('\n').filter((l) => l.startsWith('test result:'));
    for (const r of results) expect(r).toMatch(/^test result: ok\./);
    expect(results.some((r) => /ok\. [1-9]\d* passed/.test(r))).toBe(true);
  }, 300_000);
});
