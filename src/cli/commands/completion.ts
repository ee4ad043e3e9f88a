/**
 * `sudo-proxy-audit completion bash|zsh|fish`: a completion script for the shell named. It is
 * made from the registry and every command's `--help` (help-model.ts), so a command or flag
 * appears in it as soon as its help names it: commands, flags, the subcommand words a usage
 * line shows (`seal init|status`), --state's states, paths where a FILE, PATH or DIR goes.
 */
import { type Command, type CommandEntry, PROGRAM } from './command.js';
import { UsageError } from './errors.js';
import { STATE_WORDS } from './filter-flags.js';
import { parseFlags } from './flags.js';
import { type HelpOption, helpModel, helpOptions, valueKind, type ValueKind } from './help-model.js';
import { closest } from './suggest.js';
import { usage } from './usage.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const help = `Usage: ${PROGRAM} completion bash|zsh|fish

Prints a script that completes ${PROGRAM}'s commands, options and their values
(--state's states; a path where a file goes) in the shell named. To install it:

  bash  save it as ~/.local/share/bash-completion/completions/${PROGRAM} (read
        on first use), or put source <(${PROGRAM} completion bash) in ~/.bashrc
  zsh   save it as _${PROGRAM} in a directory of $fpath, before compinit runs
  fish  save it as ~/.config/fish/completions/${PROGRAM}.fish

Options:
  -h, --help  show this help
`;

/** One command as the completions see it. */
export interface CompletionCommand {
  name: string;
  summary: string;
  options: readonly CompletedOption[];
  /** Words that may come right after the command (`init`, `status`). */
  words: readonly string[];
  files: boolean;
}

export interface CompletedOption extends HelpOption {
  /** undefined: a flag without a value. */
  takes?: ValueKind;
}

export interface CompletionModel {
  /** The options before any command (`--help`, `--version`). */
  top: readonly CompletedOption[];
  commands: readonly CompletionCommand[];
  /** The command run without one. */
  defaultCommand: string;
}

const completed = (o: HelpOption): CompletedOption => (o.value === undefined ? o : { ...o, takes: valueKind(o.value, STATE_WORDS) });

/** Every command's help, read back. */
export async function completionModel(registry: readonly CommandEntry[], defaultCommand: string): Promise<CompletionModel> {
  const commands: CompletionCommand[] = [];
  for (const entry of registry) {
    const command = await entry.load();
    const model = helpModel(PROGRAM, entry.name, command.help);
    commands.push({ name: entry.name, summary: entry.summary, options: model.options.map(completed), words: model.words, files: model.files });
  }
  // `help COMMAND` is the dispatcher's, not a registered command.
  commands.push({ name: 'help', summary: 'describe a command', options: [], words: registry.map((c) => c.name), files: false });
  return { top: helpOptions(usage(registry, defaultCommand)).map(completed), commands, defaultCommand };
}

/** A word the scripts use unquoted: a flag, a command, a state. Anything else is a bug here. */
function word(w: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.,:+-]*$|^--?[A-Za-z0-9][A-Za-z0-9-]*$/.test(w)) throw new Error(`completion: not a plain word: ${JSON.stringify(w)}`);
  return w;
}

const names = (o: CompletedOption): string[] => [o.short, o.long].filter((n): n is string => n !== undefined).map(word);

/** The first clause of a summary, short enough for a completion menu, with no control characters. */
function description(summary: string): string {
  const first = summary.split(/;\s|\.\s/)[0].replace(/\s+/g, ' ').trim();
  const cut = first.length > 70 ? `${first.slice(0, 69)}…` : first;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

function bash(model: CompletionModel): string {
  const fn = `_${PROGRAM.replace(/-/g, '_')}`;
  const commandNames = model.commands.map((c) => word(c.name));
  const valueCases = (options: readonly CompletedOption[]): string[] =>
    options
      .filter((o) => o.takes)
      .map((o) => {
        const pattern = names(o).join('|');
        const takes = o.takes as ValueKind;
        if (takes.kind === 'words') return `        ${pattern}) takes=words; values='${takes.words.map(word).join(' ')}' ;;`;
        return `        ${pattern}) takes=${takes.kind} ;;`;
      });
  const commandCase = (c: CompletionCommand): string =>
    [
      `    ${c.name})`,
      `      flags='${c.options.flatMap(names).join(' ')}'; words='${c.words.map(word).join(' ')}'; files=${c.files ? 1 : ''}`,
      ...(c.options.some((o) => o.takes) ? ['      case $flag in', ...valueCases(c.options), '      esac'] : []),
      '      ;;',
    ].join('\n');
  return `# bash completion for ${PROGRAM}, made by \`${PROGRAM} completion bash\` from its --help texts.
# Save as ~/.local/share/bash-completion/completions/${PROGRAM}, or source <(${PROGRAM} completion bash)
${fn}_files() {
  compopt -o filenames 2>/dev/null
  mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev= flag=
  (( COMP_CWORD > 0 )) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  # --flag=VALUE: bash splits the word at '=' (COMP_WORDBREAKS).
  if [[ $cur == = ]]; then flag=$prev; cur=
  elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then flag=\${COMP_WORDS[COMP_CWORD-2]}
  else flag=$prev; fi
  COMPREPLY=()
  if (( COMP_CWORD == 1 )) && [[ $cur != -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W '${commandNames.join(' ')}' -- "$cur")
    (( \${#COMPREPLY[@]} )) || ${fn}_files "$cur"
    return 0
  fi
  local cmd=${word(model.defaultCommand)} first=1 flags= words= files= takes= values=
  case \${COMP_WORDS[1]} in
    ${commandNames.join('|')}) cmd=\${COMP_WORDS[1]}; first=2 ;;
  esac
  case $cmd in
${model.commands.map(commandCase).join('\n')}
  esac
  (( first == 1 )) && flags="$flags ${model.top.flatMap(names).join(' ')}"
  case $takes in
    words)
      local pre=
      [[ $cur == *,* ]] && pre=\${cur%,*},
      mapfile -t COMPREPLY < <(compgen -P "$pre" -W "$values" -- "\${cur##*,}")
      return 0 ;;
    file) ${fn}_files "$cur"; return 0 ;;
    none) return 0 ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$flags" -- "$cur")
  elif [[ -n $words ]]; then
    (( COMP_CWORD == first )) && mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
  elif [[ -n $files ]]; then
    ${fn}_files "$cur"
  fi
  return 0
}
complete -F ${fn} ${PROGRAM}
`;
}

/** A zsh single-quoted string's content; brackets and colons escaped for _arguments. */
const zshDescription = (s: string): string => description(s).replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1').replace(/'/g, `'\\''`);

function zsh(model: CompletionModel): string {
  const fn = `_${PROGRAM.replace(/-/g, '_')}`;
  const optionSpecs = (options: readonly CompletedOption[]): string[] =>
    options.map((o) => {
      const desc = zshDescription(o.summary);
      const repeat = /repeatable/.test(o.summary) ? '*' : '';
      const both = o.short && o.long;
      const action = !o.takes
        ? ''
        : o.takes.kind === 'file'
          ? `:${o.value?.toLowerCase() ?? 'file'}:_files`
          : o.takes.kind === 'words'
            ? `:state:_sequence compadd - ${o.takes.words.map(word).join(' ')}`
            : `:${(o.value ?? 'value').toLowerCase().replace(/[^a-z]/g, '') || 'value'}: `;
      const eq = o.takes ? '=' : '';
      if (both) {
        const exclusive = repeat ? '*' : `(${o.short} ${o.long})`;
        return `'${exclusive}'{${o.short},${o.long}${eq}}'[${desc}]${action}'`;
      }
      return `'${repeat}${names(o)[0]}${eq}[${desc}]${action}'`;
    });
  const commandCase = (c: CompletionCommand): string => {
    const specs = [...optionSpecs(c.options)];
    if (c.words.length > 0) specs.push(`'1:${c.name === 'help' ? 'command' : 'subcommand'}:(${c.words.map(word).join(' ')})'`);
    if (c.files) specs.push(`'*:file:_files'`);
    return `    ${c.name})\n      _arguments -s -S \\\n        ${specs.join(' \\\n        ')} ;;`;
  };
  const commandList = model.commands.map((c) => `'${word(c.name)}:${zshDescription(c.summary)}'`).join(' ');
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}, made by \`${PROGRAM} completion zsh\` from its --help texts.
# Save as _${PROGRAM} in a directory of $fpath (before compinit runs).
${fn}() {
  local -a commands
  commands=(${commandList})
  if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then
    _describe -t commands command commands
    _files
    return
  fi
  local cmd=${word(model.defaultCommand)}
  if (( \${commands[(I)$words[2]:*]} )); then
    cmd=$words[2]
    shift words
    (( CURRENT-- ))
  fi
  case $cmd in
${model.commands.map(commandCase).join('\n')}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${PROGRAM}
fi
`;
}

/** A fish single-quoted string's content. */
const fishString = (s: string): string => `'${description(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(model: CompletionModel): string {
  const c = `complete -c ${PROGRAM}`;
  const fn = `__${PROGRAM.replace(/-/g, '_')}`;
  const commandNames = model.commands.map((x) => word(x.name)).join(' ');
  const lines = [
    `# fish completion for ${PROGRAM}, made by \`${PROGRAM} completion fish\` from its --help texts.`,
    `# Save as ~/.config/fish/completions/${PROGRAM}.fish`,
    `${c} -f`,
    '# A value that is a comma list (--state denied,timeout): the words after the last comma.',
    `function ${fn}_list`,
    `    set -l done (string replace -r -- '^(--[a-z-]+=)?((?:[^,]*,)*)[^,]*$' '$2' (commandline -ct))`,
    '    for w in $argv',
    '        echo $done$w',
    '    end',
    'end',
  ];
  const optionLine = (condition: string, o: CompletedOption): string => {
    const flags = [o.short ? `-s ${word(o.short.slice(1))}` : '', o.long ? `-l ${word(o.long.slice(2))}` : ''].filter(Boolean).join(' ');
    const takes = !o.takes ? '' : o.takes.kind === 'file' ? ' -r -F' : o.takes.kind === 'words' ? ` -x -a '(${fn}_list ${o.takes.words.map(word).join(' ')})'` : ' -x';
    return `${c} -n '${condition}' ${flags}${takes} -d ${fishString(o.summary)}`;
  };
  for (const command of model.commands) lines.push(`${c} -n '__fish_use_subcommand' -a ${command.name} -d ${fishString(command.summary)}`);
  for (const o of model.top) lines.push(optionLine('__fish_use_subcommand', o));
  for (const command of model.commands) {
    const seen = `__fish_seen_subcommand_from ${command.name}`;
    for (const o of command.options) lines.push(optionLine(seen, o));
    if (command.words.length > 0) {
      lines.push(`${c} -n '${seen}; and not __fish_seen_subcommand_from ${command.words.map(word).join(' ')}' -a '${command.words.join(' ')}'`);
    }
    if (command.files) lines.push(`${c} -n '${seen}' -F`);
    if (command.name === model.defaultCommand) {
      // Without a command: the default command's options and files.
      const none = `not __fish_seen_subcommand_from ${commandNames}`;
      for (const o of command.options) lines.push(optionLine(none, o));
      if (command.files) lines.push(`${c} -n '${none}' -F`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function completionScript(shell: Shell, registry: readonly CommandEntry[], defaultCommand: string): Promise<string> {
  const model = await completionModel(registry, defaultCommand);
  return shell === 'bash' ? bash(model) : shell === 'zsh' ? zsh(model) : fish(model);
}

/** The registry hands itself in (completion is one of its commands). */
export const completionCommand = (registry: readonly CommandEntry[], defaultCommand: string): Command => ({
  name: 'completion',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {});
    if (values.help) {
      process.stdout.write(help);
      return 0;
    }
    const [shell, extra] = positionals;
    if (shell === undefined) throw new UsageError(`completion needs a shell: ${SHELLS.join(', ')}`);
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
    if (!(SHELLS as readonly string[]).includes(shell)) {
      const guess = closest(shell, [...SHELLS]);
      throw new UsageError(`unknown shell '${shell}'${guess ? ` (did you mean '${guess}'?)` : ''}; shells are ${SHELLS.join(', ')}`);
    }
    process.stdout.write(await completionScript(shell as Shell, registry, defaultCommand));
    return 0;
  },
});
