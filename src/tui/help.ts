/** The key reference shown by `?`: one source for the help overlay and its tests. */
import type { Line } from './format/spans.js';
import { fit, wrapText } from './format/text.js';

export interface KeyHelp {
  keys: string;
  what: string;
}

export interface KeyHelpSection {
  title: string;
  keys: KeyHelp[];
}

export const KEY_HELP: readonly KeyHelpSection[] = [
  {
    title: 'Move',
    keys: [
      { keys: 'j k  ↓ ↑', what: 'next / previous entry (moving up pauses follow)' },
      { keys: 'PgDn PgUp  space b', what: 'page down / up' },
      { keys: 'Ctrl-D Ctrl-U', what: 'half a page down / up' },
      { keys: 'g  Home', what: 'oldest entry' },
      { keys: 'G  F  End', what: 'newest entry and follow new ones (like less +F)' },
    ],
  },
  {
    title: 'Look',
    keys: [
      { keys: 'Enter', what: 'details of the selected entry (Esc back, [ ] previous / next)' },
      { keys: '/', what: 'search id (or part of it), host, session, origin, command, paths, reason and errors (case-insensitive; /re/ a regular expression)' },
      { keys: 'n N', what: 'next (newer) / previous (older) match' },
      { keys: '↑ (in a row)', what: 'stamped before the row above: rows are in log order, as written, and a request written late (after waiting for a decision) sits below later ones' },
      { keys: 'm', what: 'what the log cannot vouch for: chain breaks, gaps, crashes, a seal that fails, malformed lines, unchained records (Enter goes to the row)' },
    ],
  },
  {
    title: 'Filter',
    keys: [
      { keys: 'f', what: 'cycle states: all, denied+timeout, failed, running, rejected, ok, problems (all but ok and running), security (replays, with the policy-change and chain-break rows; no writer start or stop)' },
      { keys: 'h', what: 'by host (Tab completes, (local) for the local host)' },
      { keys: 'o', what: 'by origin, the host a record was collected from: only when viewing a collector directory (Tab completes)' },
      { keys: 's', what: 'by session (Tab completes)' },
      { keys: 't', what: 'by time: 2h, 30m..10m, 08:00..09:30, 2026-11-01..2026-11-02' },
      { keys: 'u', what: 'by who decided (the operator): user name or uid, as --operator' },
      { keys: 'W', what: "hide / show the writer's rows (start, stop, gaps); chain breaks stay" },
      { keys: 'S', what: "log order (as written) / time order (by the writer's time, else the request's); writer and break rows show in log order only" },
      { keys: 'c', what: 'clear all filters and the search' },
    ],
  },
  {
    title: 'Take out',
    keys: [
      { keys: 'y  Y', what: "copy the selected entry's id / command, as shown, through OSC 52 (the terminal may not support it; inside tmux it needs set-clipboard on)" },
      { keys: 'w', what: 'write the entries of the current filter as JSONL (as print --json) to a file you name; the footer shows the same print command' },
    ],
  },
  {
    title: 'In a prompt (/ h o s t u w)',
    keys: [
      { keys: 'Enter  Esc', what: 'apply / cancel; a prompt opens empty with the current value dim: Enter on empty keeps it, typing replaces it' },
      { keys: 'Backspace', what: 'on an empty prompt: drops the current value, so Enter clears that filter' },
      { keys: 'Ctrl-W  Alt-BS', what: 'delete the word before the cursor (BS: Backspace)' },
      { keys: 'Ctrl-U', what: 'clear the line' },
    ],
  },
  {
    title: 'Other',
    keys: [
      { keys: '?', what: 'this help (Esc or ? closes)' },
      { keys: 'q  Ctrl-C', what: 'quit (q closes a pane first)' },
    ],
  },
];

const KEYS_WIDTH = 20;

/** The help overlay's content at a width: a title per section, its keys, descriptions wrapped. */
export function helpLines(width: number): Line[] {
  const lines: Line[] = [];
  const indent = 2 + KEYS_WIDTH + 1;
  KEY_HELP.forEach((section, i) => {
    if (i > 0) lines.push([]);
    lines.push([{ text: section.title, bold: true }]);
    for (const k of section.keys) {
      wrapText(k.what, Math.max(10, width - indent)).forEach((part, j) => {
        lines.push([{ text: j === 0 ? `  ${fit(k.keys, KEYS_WIDTH)} ` : ' '.repeat(indent), color: 'cyan' }, { text: part }]);
      });
    }
  });
  return lines;
}
