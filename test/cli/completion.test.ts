/**
 * `completion bash|zsh|fish`: the bash script sourced in a real bash and asked as bash asks
 * (COMP_WORDS, COMP_CWORD), the fish one through `complete -C`, the zsh one registered by
 * compinit; and every flag a command's --help names is offered, so a new flag needs nothing here.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../helpers/system-tools.js';
import { makeTempDirFactory, runCli } from './helpers.js';

const run = promisify(execFile);
const tempDir = makeTempDirFactory('spa-completion');
const zsh = requireTool('zsh', { package: 'zsh', for: 'the zsh completion' });
const fish = requireTool('fish', { package: 'fish', for: 'the fish completion' });

let dir: string;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  dir = tempDir();
  // Files to complete: the cwd of every shell below.
  fs.writeFileSync(path.join(dir, 'audit.log'), '');
  fs.writeFileSync(path.join(dir, 'audit.log.1'), '');
  fs.mkdirSync(path.join(dir, 'collector'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await runCli(['completion', shell]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    scripts[shell] = path.join(dir, `script.${shell}`);
    fs.writeFileSync(scripts[shell], r.stdout);
  }
});

/** What bash's completion function offers for these words (the last is the one being completed), one result per case. */
async function bashComplete(cases: readonly (readonly string[])[]): Promise<string[]> {
  const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
  const driver = [
    `source ${quote(scripts.bash)}`,
    'ask() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _sudo_proxy_audit; printf "%s\\n" "$(printf "%s\\n" "${COMPREPLY[@]}" | sort | tr "\\n" " " | sed "s/ $//")"; }',
    ...cases.map((words) => `ask ${words.map(quote).join(' ')}`),
  ].join('\n');
  const { stdout } = await run('bash', ['--norc', '--noprofile', '-c', driver], { cwd: dir });
  return stdout.split('\n').slice(0, cases.length);
}

const P = 'sudo-proxy-audit';

describe('bash', () => {
  it('registers one function for the command (complete -p)', async () => {
    const { stdout } = await run('bash', ['--norc', '--noprofile', '-c', `source '${scripts.bash}'; complete -p ${P}`]);
    expect(stdout).toBe(`complete -F _sudo_proxy_audit ${P}\n`);
  });

  // [words, what bash is offered]
  const table: [string[], string][] = [
    [[P, ''], 'completion demo help print schema seal stats verify view'],
    [[P, 'pr'], 'print'],
    [[P, 'aud'], 'audit.log audit.log.1'],
    [[P, '--hi'], '--history'],
    [[P, '--ver'], '--verification-key --verification-key-file --version'],
    [[P, 'print', '--st'], '--state --strict'],
    [[P, 'print', '--state', ''], 'approved denied failed ok rejected running timeout'],
    [[P, 'print', '--state', 'de'], 'denied'],
    [[P, 'stats', '--state', 'denied,ti'], 'denied,timeout'],
    [[P, 'print', '--state', '='], 'approved denied failed ok rejected running timeout'],
    [[P, 'print', '--state', '=', 'r'], 'rejected running'],
    [[P, 'print', '--since', ''], ''],
    [[P, 'print', '--host', ''], ''],
    [[P, 'print', 'audit.log', ''], 'audit.log audit.log.1 collector script.bash script.fish script.zsh'],
    [[P, 'verify', '--verification-key-file', 'aud'], 'audit.log audit.log.1'],
    [[P, 'seal', ''], 'init status'],
    [[P, 'seal', 'init', ''], ''],
    [[P, 'seal', 'init', '--audit-log', 'col'], 'collector'],
    [[P, 'demo', '--v'], '--view'],
    [[P, 'completion', ''], 'bash fish zsh'],
    [[P, 'help', 'ver'], 'verify'],
    [[P, 'schema', ''], ''],
  ];

  it('offers commands, flags, states and files where each goes', async () => {
    const got = await bashComplete(table.map(([words]) => words));
    expect(got.map((offered, i) => [table[i][0].join(' '), offered])).toEqual(table.map(([words, offered]) => [words.join(' '), offered]));
  });

  it("offers every flag each command's --help names", async () => {
    const commands = ['view', 'print', 'stats', 'verify', 'seal', 'demo', 'schema', 'completion'];
    const helps = await Promise.all(commands.map((c) => runCli([c, '--help'])));
    const got = await bashComplete(commands.map((c) => [P, c, '-']));
    commands.forEach((command, i) => {
      const named = new Set<string>();
      for (const line of helps[i].stdout.split('\n')) {
        const m = /^ {2,}(-\w)?(?:, )?(--[\w-]+)?/.exec(line);
        if (m?.[1]) named.add(m[1]);
        if (m?.[2]) named.add(m[2]);
      }
      expect(named.size, command).toBeGreaterThan(1);
      expect(got[i].split(' ').sort(), command).toEqual([...named].sort());
    });
  });
});

describe.skipIf(!fish.found)('fish', () => {
  const ask = async (line: string) => {
    const { stdout } = await run(fish.path, ['--no-config', '-c', `source '${scripts.fish}'; complete -C '${line}'`], { cwd: dir });
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0])
      .sort();
  };

  it('offers commands, states, subcommand words and files', async () => {
    expect(await ask(`${P} pr`)).toEqual(['print']);
    expect(await ask(`${P} print --state `)).toEqual(['approved', 'denied', 'failed', 'ok', 'rejected', 'running', 'timeout']);
    expect(await ask(`${P} stats --state denied,ti`)).toEqual(['denied,timeout']);
    expect(await ask(`${P} print --state=re`)).toEqual(['--state=rejected']);
    expect(await ask(`${P} seal `)).toEqual(['init', 'status']);
    expect(await ask(`${P} print --st`)).toEqual(['--state', '--strict']);
    expect(await ask(`${P} verify aud`)).toEqual(['audit.log', 'audit.log.1']);
    expect(await ask(`${P} --hi`)).toEqual(['--history']);
  });
});

describe.skipIf(!zsh.found)('zsh', () => {
  it('parses, and compinit registers it for the command', async () => {
    await run(zsh.path, ['-n', scripts.zsh]);
    const { stdout } = await run(zsh.path, ['-f', '-c', `autoload -U compinit && compinit -u -D && source '${scripts.zsh}' && print -r -- $_comps[${P}]`], {
      env: { ...process.env, HOME: dir },
    });
    expect(stdout).toBe('_sudo_proxy_audit\n');
  });
});

describe('usage', () => {
  it('needs one known shell', async () => {
    const none = await runCli(['completion']);
    expect([none.code, none.stderr]).toEqual([2, `${P} completion: completion needs a shell: bash, zsh, fish\n`]);
    const typo = await runCli(['completion', 'fihs']);
    expect([typo.code, typo.stderr]).toEqual([2, `${P} completion: unknown shell 'fihs' (did you mean 'fish'?); shells are bash, zsh, fish\n`]);
    const hostile = await runCli(['completion', 'b\u001b[2Jash']);
    expect(hostile.stderr).not.toContain('\u001b');
  });
});
