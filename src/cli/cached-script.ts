/**
 * Loads a command bundled as a script with V8's code cache beside it (esbuild.config.mjs,
 * scripts/code-cache.mjs): a command compiles 0.1–0.5 MB of JavaScript at each start (the
 * viewer's before its first frame), ~20–25 ms of CPU that the cache's bytecode saves (#17).
 * Node 20 has no compile cache for ES modules (module.enableCompileCache is Node 22), so the
 * command is a function source run through `vm.Script` with `cachedData`. A cache V8 rejects
 * (another Node, another V8 flag) or a missing one only costs that compile: the same source
 * runs either way. Bundle-only: the unbundled build imports the command's module as any other.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** What the bundled script is: `(function (module, exports, require, moduleUrl, importBeside) {…})`. */
type CachedScriptFunction = (
  module: { exports: Record<string, unknown> },
  exports: Record<string, unknown>,
  require: (id: string) => unknown,
  moduleUrl: string,
  importBeside: (specifier: string) => Promise<unknown>,
) => void;

/** The code cache of `file`: the file beside it, `.code-cache` for `.js`. */
export const codeCacheFile = (file: string) => file.replace(/\.js$/, '.code-cache');

/**
 * A code cache file: the SHA-256 of the script's bytes and V8's data after them, then that data.
 * V8 checks a cache against the source's length only, so an edited script of the same length
 * would run the old bytecode; nor do file times tell (npm gives every installed file the time
 * it wrote it). Nor does V8 checksum the data (a release build's check is of its header): a
 * byte of it damaged on disk aborted the process with a V8 fatal error, or ran other code.
 * scripts/code-cache.mjs writes the same.
 */
export function codeCacheBytes(source: Buffer, data: Buffer): Buffer {
  return Buffer.concat([cacheDigest(source, data), data]);
}

const DIGEST_BYTES = 32;
const cacheDigest = (source: Buffer, data: Buffer) => crypto.createHash('sha256').update(source).update(data).digest();

/**
 * `file` (absolute) compiled with its code cache when it was made from these very bytes, is
 * whole, and V8 takes it (~0.6 ms to hash the viewer's 0.5 MB and its 0.4 MB cache);
 * `rejected` when V8 refused one that was offered.
 */
export function compileCachedScript(file: string): { script: vm.Script; rejected: boolean } {
  const source = fs.readFileSync(file);
  let cachedData: Buffer | undefined;
  try {
    const cache = fs.readFileSync(codeCacheFile(file));
    const data = cache.subarray(DIGEST_BYTES);
    if (data.length > 0 && cache.subarray(0, DIGEST_BYTES).equals(cacheDigest(source, data))) cachedData = data;
  } catch {
    // None built (or unreadable): compile from the source.
  }
  const script = new vm.Script(source.toString('utf8'), { filename: file, cachedData });
  return { script, rejected: cachedData !== undefined && script.cachedDataRejected === true };
}

/**
 * A `require` for the module at `url`, made at its first call: node:module (which loads part
 * of the ES module loader) costs every start-up, and a command requires only rarely (zod's
 * schemas for a bad line's message, chokidar for `--follow`).
 */
function requireOnDemand(url: string): (id: string) => unknown {
  let required: NodeJS.Require | undefined;
  return (id) => (required ??= process.getBuiltinModule('node:module').createRequire(url))(id);
}

/** Runs the compiled command script; its exports. */
export function runCompiledScript(script: vm.Script, file: string): Record<string, unknown> {
  const url = pathToFileURL(file).href;
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as CachedScriptFunction;
  // A script's import() has no module loader behind it (vm.Script): the ones it makes (the
  // viewer's Ink part, next to it) go through this module's.
  run(module, module.exports, requireOnDemand(url), url, (specifier) => import(new URL(specifier, url).href));
  return module.exports;
}

/** The command script `name` (dist/bin/NAME.js, next to this bundle), run: its exports. */
export function loadCachedScript(name: string): Record<string, unknown> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), `${name}.js`);
  return runCompiledScript(compileCachedScript(file).script, file);
}
