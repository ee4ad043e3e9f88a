/**
 * The lines verify reads: every line of the files in order, with file and line number, read
 * synchronously in bounded memory (the engine's read-file-sync.ts), for verifyChain, which pulls.
 */
import type { ChainLine } from '../../shared/chain.js';
import { closeLogSource, type LogSource, openLogSource } from '../../engine/log-source.js';
import { OVERSIZED_LINE, splitLines, textChunksSync } from '../../engine/read-file-sync.js';
import { fileError } from './errors.js';

const OVER_CAP = 'over the 1 MiB line cap';

/**
 * Every line of `files`, in order, as its exact bytes with file and 1-based line number; a
 * line over the cap is handed on as unreadable. A file that cannot be read ends it with a CliError.
 */
export function* chainLinesOfFiles(files: readonly string[]): Generator<ChainLine> {
  for (const file of files) {
    let line = 0;
    let source: LogSource;
    try {
      source = openLogSource(file);
    } catch (e) {
      throw fileError(file, e);
    }
    // Closed here too: a reader that stops pulling (or a generator never started) would
    // otherwise keep it open — one descriptor per host of a collector directory.
    try {
      const lines = splitLines(textChunksSync(source));
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = lines.next();
        } catch (e) {
          throw fileError(file, e);
        }
        if (next.done) break;
        line++;
        yield next.value === OVERSIZED_LINE ? { file, line, text: OVERSIZED_LINE, unreadable: OVER_CAP } : { file, line, text: next.value };
      }
    } finally {
      closeLogSource(source);
    }
  }
}
