/**
 * Whether a Node with the CLI's own V8 flags (and none of the test runner's) takes the code
 * cache beside a code-cached command script as src/cli/cached-script.ts offers it: made from
 * the script's very bytes and whole (its first 32 bytes, the SHA-256 of both) and accepted by V8.
 */
import { spawnSync } from 'node:child_process';
import { YOUNG_GENERATION_FLAG } from '../../src/cli/young-generation.js';

/** 'false' when V8 takes the cache (`cachedDataRejected`), 'true' when not, else the error. `flags`: set first, as cli.ts does. */
export function codeCacheRejected(file: string, flags: readonly string[] = [YOUNG_GENERATION_FLAG]): string {
  const check = [
    "const vm = require('node:vm'), fs = require('node:fs'), crypto = require('node:crypto');",
    ...flags.map((flag) => `require('node:v8').setFlagsFromString(${JSON.stringify(flag)});`),
    `const file = ${JSON.stringify(file)};`,
    "const source = fs.readFileSync(file), cache = fs.readFileSync(file.replace(/\\.js$/, '.code-cache'));",
    "if (!cache.subarray(0, 32).equals(crypto.createHash('sha256').update(source).update(cache.subarray(32)).digest())) throw new Error('made from other bytes, or damaged');",
    "const script = new vm.Script(source.toString('utf8'), { filename: file, cachedData: cache.subarray(32) });",
    'process.stdout.write(String(script.cachedDataRejected));',
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
  return r.stdout || r.stderr;
}

/** The commands bundled as code-cached scripts (esbuild.config.mjs' CACHED). */
export const CODE_CACHED_COMMANDS = ['view', 'print', 'stats', 'verify'] as const;
