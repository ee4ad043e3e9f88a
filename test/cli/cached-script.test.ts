/**
 * src/cli/cached-script.ts: a command bundled as a script runs with V8's code cache when V8
 * takes it, and from its source when there is none, a foreign or broken one, or one made from
 * other bytes (V8 itself checks only the source's length: an edited script of the same length
 * would run the old bytecode).
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { codeCacheBytes, codeCacheFile, compileCachedScript, runCompiledScript } from '../../src/cli/cached-script.js';
import { makeTempDirFactory } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cached-script');

/** A command script as esbuild.config.mjs wraps one: `answer` and where it was loaded from. */
const source = (answer: number) =>
  `(function (module, exports, require, __moduleUrl, __importBeside) { exports.answer = ${answer}; exports.url = __moduleUrl; exports.path = require('node:path').sep; exports.importBeside = __importBeside; })`;

function scriptFile(answer: number): string {
  const file = path.join(tempDir(), 'command-x.js');
  fs.writeFileSync(file, source(answer));
  return file;
}

/** A cache for `file` as scripts/code-cache.mjs makes it (after a run: V8 caches what ran). */
function writeCache(file: string): void {
  const source = fs.readFileSync(file);
  const script = new vm.Script(source.toString('utf8'), { filename: file });
  script.runInThisContext();
  fs.writeFileSync(codeCacheFile(file), codeCacheBytes(source, script.createCachedData()));
}

/** Loading `file` as the CLI does: whether V8 was offered a cache and took it, refused one, and what the script answered. */
function load(file: string): { taken: boolean; rejected: boolean; answer: unknown } {
  const { script, rejected } = compileCachedScript(file);
  return { taken: script.cachedDataRejected === false, rejected, answer: runCompiledScript(script, file).answer };
}

describe('a code-cached command script', () => {
  it('is compiled with its cache, and runs with the module, require, URL and import its bundle expects', () => {
    const file = scriptFile(42);
    writeCache(file);
    expect(load(file)).toEqual({ taken: true, rejected: false, answer: 42 });
    const exports = runCompiledScript(compileCachedScript(file).script, file);
    expect(exports).toMatchObject({ answer: 42, url: `file://${file}`, path: '/' });
    expect(typeof exports.importBeside).toBe('function');
  });

  it('imports beside itself: the specifier is resolved against the script, not the loader', async () => {
    const file = scriptFile(1);
    fs.writeFileSync(path.join(path.dirname(file), 'part.mjs'), 'export const part = "beside";\n');
    const exports = runCompiledScript(compileCachedScript(file).script, file);
    await expect((exports.importBeside as (s: string) => Promise<{ part: string }>)('./part.mjs')).resolves.toMatchObject({ part: 'beside' });
  });

  it('runs from its source without a cache', () => {
    expect(load(scriptFile(7))).toEqual({ taken: false, rejected: false, answer: 7 });
  });

  it('runs from its source when V8 rejects the cache (bytes of another V8, or garbage)', () => {
    const file = scriptFile(8);
    fs.writeFileSync(codeCacheFile(file), codeCacheBytes(fs.readFileSync(file), Buffer.from('not a code cache at all'.repeat(40))));
    expect(load(file)).toEqual({ taken: false, rejected: true, answer: 8 });
  });

  it('never offers a cache made from other bytes: an edit of the same length runs the new code, not the cached', () => {
    const file = scriptFile(1);
    writeCache(file);
    fs.writeFileSync(file, source(2)); // same length: V8 would take the old cache
    expect(fs.statSync(file).size).toBe(source(1).length);
    expect(load(file)).toEqual({ taken: false, rejected: false, answer: 2 });
  });

  // V8 checks a cache's header, not its payload (no checksum in a release build): a damaged one
  // offered to it aborted the whole process (`Fatal error … unreachable code`), or ran other code.
  it('never offers a cache whose V8 data is damaged (a flipped byte, a cut-short file): it runs from its source', () => {
    const file = scriptFile(5);
    writeCache(file);
    const cache = fs.readFileSync(codeCacheFile(file));
    const flipped = Buffer.from(cache);
    flipped[flipped.length - 9] ^= 0x40;
    fs.writeFileSync(codeCacheFile(file), flipped);
    expect(load(file)).toEqual({ taken: false, rejected: false, answer: 5 });
    fs.writeFileSync(codeCacheFile(file), cache.subarray(0, cache.length - 1));
    expect(load(file)).toEqual({ taken: false, rejected: false, answer: 5 });
  });

  it('takes a cache whatever the files\' times (npm gives every installed file the time it wrote it)', () => {
    const file = scriptFile(3);
    writeCache(file);
    const past = new Date(Date.now() - 3_600_000);
    fs.utimesSync(codeCacheFile(file), past, past);
    expect(load(file)).toEqual({ taken: true, rejected: false, answer: 3 });
  });
});
