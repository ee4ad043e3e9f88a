/** Reading a help text back as options and arguments (what the completions and the man page are made from). */
import { describe, expect, it } from 'vitest';
import { helpModel, helpOptions, optionLine, valueKind } from '../../src/cli/commands/help-model.js';

const HELP = `Usage: prog print [FILE… | DIR…] [options]
       prog print --json

Prints things. A line of prose that mentions --json and -f is not an option:
  - nor is a dash list item.

Options:
      --json        one JSON object per entry
  -f, --follow      keep running: print each entry once it completes
                    (entries still running are printed later)
  -n N              the newest N entries
      --state STATE[,STATE…]  running, ok; repeatable
      --since=TIME  requests at or after TIME
      --verification-key [HOST=]KEY
                    the key seal init printed
      --json        listed twice, kept once
  -h, --help        show this help

Exit status: 0 ok.
`;

describe('help-model', () => {
  it('reads every option line: short, long, both; a value after a space or =; the summary over its lines', () => {
    expect(helpOptions(HELP)).toEqual([
      { long: '--json', summary: 'one JSON object per entry' },
      { short: '-f', long: '--follow', summary: 'keep running: print each entry once it completes (entries still running are printed later)' },
      { short: '-n', value: 'N', summary: 'the newest N entries' },
      { long: '--state', value: 'STATE[,STATE…]', summary: 'running, ok; repeatable' },
      { long: '--since', value: 'TIME', summary: 'requests at or after TIME' },
      { long: '--verification-key', value: '[HOST=]KEY', summary: 'the key seal init printed' },
      { short: '-h', long: '--help', summary: 'show this help' },
    ]);
  });

  it('reads the arguments from the usage lines: files, or the words after the command', () => {
    expect(helpModel('prog', 'print', HELP)).toMatchObject({ files: true, words: [] });
    const seal = 'Usage: prog seal init [--audit-log PATH]\n       prog seal status [--json]\n\nText.\n';
    expect(helpModel('prog', 'seal', seal)).toMatchObject({ files: false, words: ['init', 'status'] });
    expect(helpModel('prog', 'completion', 'Usage: prog completion bash|zsh|fish\n')).toMatchObject({ files: false, words: ['bash', 'zsh', 'fish'] });
    expect(helpModel('prog', 'view', 'Usage: prog [view] [FILE… | DIR…] [--history]\n')).toMatchObject({ files: true, words: [] });
  });

  it('splits an option line into what it names and its summary', () => {
    expect(optionLine('  -f, --follow      keep running')).toEqual({ head: '-f, --follow', summary: 'keep running' });
    expect(optionLine('      --clock-skew SECONDS')).toEqual({ head: '--clock-skew SECONDS', summary: '' });
    expect(optionLine('Prints --json')).toBeUndefined();
  });

  it('offers paths for FILE, PATH and DIR, the states for STATE, nothing for the rest', () => {
    const states = ['ok', 'denied'];
    expect(['FILE', 'PATH', 'DIR', 'STATE[,STATE…]', 'TIME', '[HOST=]KEY'].map((v) => valueKind(v, states))).toEqual([
      { kind: 'file' },
      { kind: 'file' },
      { kind: 'file' },
      { kind: 'words', words: states },
      { kind: 'none' },
      { kind: 'none' },
    ]);
  });
});
