/**
 * What a command's `--help` text says, read back as data: its options (short, long, value,
 * summary) and what its arguments are (files, or words like `seal init|status`). The shell
 * completions (completion.ts) and the man page (cli/man-page.ts) are made from the help
 * texts through this, so a flag added to a help text appears in both by itself. Pure.
 *
 * An option line is one indented line starting with `-x, --long VALUE`, `--long VALUE` or
 * `-x VALUE`, its summary after two spaces or on the next, more indented line.
 */

export interface HelpOption {
  /** `-f`, when it has one. */
  short?: string;
  /** `--follow`, when it has one. */
  long?: string;
  /** The value's name as written (`STATE[,STATE…]`, `[HOST=]KEY`), when it takes one. */
  value?: string;
  /** What the help says about it, its lines joined. */
  summary: string;
}

/** What a value is, for completing it: a path, one of `words`, or nothing to offer. */
export type ValueKind = { kind: 'file' } | { kind: 'words'; words: readonly string[] } | { kind: 'none' };

export interface HelpModel {
  options: HelpOption[];
  /** The words that may follow the command (`init`, `status`; `bash`, `zsh`, `fish`). */
  words: string[];
  /** Whether it takes FILE… or DIR… arguments. */
  files: boolean;
}

const OPTION_LINE = /^ {2,}(?:(-[A-Za-z0-9])(?:, (--[a-z0-9][a-z0-9-]*))?|(--[a-z0-9][a-z0-9-]*))(?:[ =](\S+))?(?: {2,}(\S.*))?$/;

/** An option line split into what it names (`-f, --follow`, `--state STATE[,STATE…]`) and the summary's start on it. */
export function optionLine(line: string): { head: string; summary: string } | undefined {
  const m = OPTION_LINE.exec(line);
  if (!m) return undefined;
  const rest = m[5] ?? '';
  const head = line.trim().slice(0, rest === '' ? undefined : line.trim().length - rest.length).trim();
  return { head, summary: rest.trim() };
}

/** The option lines of a help text, in order, each option once. */
export function helpOptions(help: string): HelpOption[] {
  const lines = help.split('\n');
  const out: HelpOption[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const m = OPTION_LINE.exec(lines[i]);
    if (!m) continue;
    const [, short, longAfterShort, longAlone, value, first] = m;
    const long = longAfterShort ?? longAlone;
    const key = long ?? short;
    const summary: string[] = first ? [first.trim()] : [];
    // The summary goes on over the following lines indented deeper than the option.
    const indent = lines[i].length - lines[i].trimStart().length;
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j];
      const nextIndent = next.length - next.trimStart().length;
      if (next.trim() === '' || nextIndent <= indent || OPTION_LINE.test(next)) break;
      summary.push(next.trim());
      i = j;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...(short ? { short } : {}), ...(long ? { long } : {}), ...(value ? { value } : {}), summary: summary.join(' ') });
  }
  return out;
}

/** The usage lines: from `Usage:` to the first blank line. */
export function usageLines(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Usage:'));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start, end < 0 ? undefined : end);
}

/** The command's arguments as its usage lines show them (`PROGRAM NAME word|word …`). */
export function helpModel(program: string, name: string, help: string): HelpModel {
  const usage = usageLines(help);
  const words: string[] = [];
  const after = new RegExp(`${escapeRegExp(program)} \\[?${escapeRegExp(name)}\\]? ([a-z][a-z0-9|-]*)(?:\\s|$)`);
  for (const line of usage) {
    const m = after.exec(line);
    if (m) for (const w of m[1].split('|')) if (!words.includes(w)) words.push(w);
  }
  return { options: helpOptions(help), words, files: usage.some((l) => /\b(FILE|DIR)…/.test(l)) };
}

/**
 * What to offer for an option's value, from its name: FILE, PATH and DIR are paths; STATE is
 * one of `states`; anything else (TIME, HOST, N, …) is the user's to type.
 */
export function valueKind(value: string, states: readonly string[]): ValueKind {
  if (/\b(FILE|PATH|DIR)\b/.test(value)) return { kind: 'file' };
  if (/^STATE\b/.test(value)) return { kind: 'words', words: states };
  return { kind: 'none' };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
