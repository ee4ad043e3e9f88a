/**
 * The lines verify reads: every line of the files in order, with file and line number, read
 * synchronously in bounded memory (the engine's read-file-sync.ts), for verifyChain, which pulls.
 */
import type { ChainLine } from '../../shared/chain.js';
import { openLogSource } from '../../engine/log-source.js';
import { splitLines, textChunksSync } from '../../engine/read-file-sync.js';
import { fileError } from './errors.js';

/** Every line of `files`, in order, with file and 1-based line number; a file that cannot be read ends it with a CliError. */
export function* chainLinesOfFiles(files: readonly string[]): Generator<ChainLine> {
  for (const file of files) {
    let line = 0;
    let lines: Generator<string>;
    try {
      lines = splitLines(textChunksSync(openLogSource(file)));
    } catch (e) {
      throw fileError(file, e);
    }
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = lines.next();
      } catch (e) {
        throw fileError(file, e);
      }
      if (next.done) break;
      yield { file, line: ++line, text: next.value };
    }
  }
}
