/**
 * The lines verify reads: every line of the files in order, with file and line number, read
 * synchronously in bounded memory (the engine's read-file-sync.ts), for verifyChain, which pulls.
 */
import type { ChainLine, RecordJudge } from '../../shared/chain.js';
import { overCapReason } from '../../shared/line-bytes.js';
import { schemaReason, validateRecord } from '../../shared/parse-line.js';
import { closeLogSource, type LogSource, openLogSource } from '../../engine/log-source.js';
import { NativeChainKinds } from '../../engine/native-chain-kinds.js';
import { nativeAddon } from '../../engine/native-scanner.js';
import { type GzipDamage, gzipDamage, gzipDamageNotice, isGzipDataError } from '../../engine/read-file.js';
import { OVERSIZED_LINE, splitLines, textChunksSync } from '../../engine/read-file-sync.js';
import { fileError } from './errors.js';


/** The schema's judgement for verifyChain: an object that is no record is malformed, as the engine and print say. */
export const recordProblem: RecordJudge = (value) => (validateRecord(value) ? null : schemaReason(value));

/** A gzip file whose data ends early or goes bad part way: its lines up to there were read, the rest is lost. */
export interface DamagedFile {
  file: string;
  /** One sentence naming the file, as the engine's `damaged` notice words it. */
  message: string;
}

/**
 * A gzip file's text up to where its data ends early or goes bad, ending there normally (so the
 * line the damage cut is handed on, a malformed line, as the engine does); the damage is told
 * at the end. Any other error is thrown.
 */
function* upToDamage(chunks: Iterable<Buffer>, damaged: (damage: GzipDamage) => void): Generator<Buffer> {
  let textBytes = 0;
  try {
    for (const chunk of chunks) {
      textBytes += chunk.length;
      yield chunk;
    }
  } catch (e) {
    if (!isGzipDataError(e)) throw e;
    damaged(gzipDamage(e, textBytes));
  }
}

/**
 * Every line of `files`, in order, as its exact bytes with file and 1-based line number; a
 * line over the cap is handed on as unreadable (NUL padding, or over the cap). A gzip file cut
 * short or corrupt part way costs its rest: its lines before the damage are read, the damage
 * is told to `onDamaged` after them, and the next file is read. A file that cannot be read
 * ends it with a CliError.
 */
export function* chainLinesOfFiles(files: readonly string[], onDamaged?: (damaged: DamagedFile) => void): Generator<ChainLine> {
  for (const file of files) {
    let line = 0;
    let source: LogSource;
    try {
      source = openLogSource(file);
    } catch (e) {
      throw fileError(file, e);
    }
    const kinds = nativeKindsFor(source);
    /** Why the last line over the cap is no record (NUL padding, or over the cap): told by splitLines. */
    let overCap = '';
    let damage: GzipDamage | null = null;
    // Closed here too: a reader that stops pulling (or a generator never started) would
    // otherwise keep it open — one descriptor per host of a collector directory.
    try {
      const text = upToDamage(textChunksSync(source), (d) => (damage = d));
      const lines = splitLines(text, undefined, (length, nulOnly) => (overCap = overCapReason(nulOnly, length)));
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = lines.next();
        } catch (e) {
          throw fileError(file, e);
        }
        if (next.done) break;
        line++;
        if (next.value === OVERSIZED_LINE) yield { file, line, text: OVERSIZED_LINE, unreadable: overCap };
        else yield { file, line, text: next.value, known: kinds?.kindOf(next.value) };
      }
    } finally {
      closeLogSource(source);
    }
    // (A cast: TypeScript does not see the callback above assign it.)
    const found = damage as GzipDamage | null;
    if (found) onDamaged?.({ file, message: gzipDamageNotice(file, found, line).message });
  }
}

/** Files from this size up are read with the native scanner: a small log's `verify` does not load it (~2.5 ms; #17's start-up). */
const NATIVE_MIN_FILE_BYTES = 1024 * 1024;
let chainKinds: NativeChainKinds | null = null;

/** The native scanner's verdicts for a file big enough to gain from it, when the addon loads; else null (every line classified in JavaScript). */
function nativeKindsFor(source: LogSource): NativeChainKinds | null {
  if (source.size < NATIVE_MIN_FILE_BYTES) return null;
  const addon = nativeAddon();
  if (addon === null) return null;
  chainKinds ??= new NativeChainKinds(addon);
  return chainKinds;
}
