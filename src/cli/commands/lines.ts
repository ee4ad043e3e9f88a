/**
 * The lines verify reads: every line of the files in order, with file and line number, read
 * synchronously in bounded memory (the engine's read-file-sync.ts), for verifyChain, which pulls.
 */
import type { ChainLine, RecordJudge } from '../../shared/chain.js';
import { overCapReason } from '../../shared/line-bytes.js';
import { schemaReason, validateRecord } from '../../shared/parse-line.js';
import { openLogSource } from '../../engine/log-source.js';
import { OVERSIZED_LINE, splitLines, textChunksSync } from '../../engine/read-file-sync.js';
import { fileError } from './errors.js';


/** The schema's judgement for verifyChain: an object that is no record is malformed, as the engine and print say. */
export const recordProblem: RecordJudge = (value) => (validateRecord(value) ? null : schemaReason(value));

/**
 * Every line of `files`, in order, as its exact bytes with file and 1-based line number; a
 * line over the cap is handed on as unreadable (NUL padding, or over the cap). A file that cannot be read ends it with a CliError.
 */
export function* chainLinesOfFiles(files: readonly string[]): Generator<ChainLine> {
  for (const file of files) {
    let line = 0;
    let lines: Generator<Buffer>;
    /** Why the last line over the cap is no record (NUL padding, or over the cap): told by splitLines. */
    let overCap = '';
    try {
      lines = splitLines(textChunksSync(openLogSource(file)), undefined, (length, nulOnly) => (overCap = overCapReason(nulOnly, length)));
    } catch (e) {
      throw fileError(file, e);
    }
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = lines.next();
      } catch (e) {
        throw fileError(file, e);
      }
      if (next.done) break;
      line++;
      yield next.value === OVERSIZED_LINE ? { file, line, text: OVERSIZED_LINE, unreadable: overCap } : { file, line, text: next.value };
    }
  }
}
