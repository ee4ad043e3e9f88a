/**
 * Whether a plain Node (no test runner's flags) takes the code cache beside a code-cached
 * command script as src/cli/cached-script.ts offers it: made from the script's very bytes (its
 * first 32 bytes, their SHA-256) and accepted by V8.
 */
import { spawnSync } from 'node:child_process';

/** 'false' when V8 takes the cache (`cachedDataRejected`), 'true' when not, else the error. */
export function codeCacheRejected(file: string): string {
  const check = [
    "const vm = require('node:vm'), fs = require('node:fs'), crypto = require('node:crypto');",
    `const file = ${JSON.stringify(file)};`,
    "const source = fs.readFileSync(file), cache = fs.readFileSync(file.replace(/\\.js$/, '.code-cache'));",
    "if (!cache.subarray(0, 32).equals(crypto.createHash('sha256').update(source).digest())) throw new Error('made from other bytes');",
    "const script = new vm.Script(source.toString('utf8'), { filename: file, cachedData: cache.subarray(32) });",
    'process.stdout.write(String(script.cachedDataRejected));',
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
  return r.stdout || r.stderr;
}

/** The commands bundled as code-cached scripts (esbuild.config.mjs' CACHED). */
export const CODE_CACHED_COMMANDS = ['view', 'print', 'stats', 'verify'] as const;
