/**
 * The viewer's one store: holds the state, applies the pure reducer, and runs its effects
 * against the engine (queries for filters and search, stats for the header). Plain
 * TypeScript with subscribe/getState, read by React through useSyncExternalStore.
 */
import type { AuditEngine, ChainStatus, EngineChange, EngineNotice, Entry, EntryFilter, IndexProgress, WriterEvent } from '../../shared/entry.js';
import { REGEX_DEADLINE_MS, regexStopped, withinDeadline } from '../../engine/deadline.js';
import { escapeForTerminal, formatPipeline, jsonForTerminal } from '../../shared/sanitize.js';
import { type ClipboardTerminal, COPY_MAX_CHARS, copyNote, printCommandLine, writeLines } from '../take-out.js';
import { type HeldEntry, keptPosition, shiftedPosition } from '../../shared/held-positions.js';
import { searchFilter } from '../../shared/query.js';
import { detailLines } from '../format/detail.js';
import { integrityItems } from '../format/integrity.js';
import { markDetailLines } from '../format/mark-detail.js';
import { screenLayout, type TerminalSize } from '../layout.js';
import type { Action, CommandContext, Effect } from './actions.js';
import { type FilterState, isFiltering, entryFilterFromFilterState, NO_FILTER } from './filters.js';
import { type KeyInfo, keyToAction, splitKeys } from './keymap.js';
import { reduce, settle } from './reducer.js';
import { buildMarks, type Mark, sameMark } from './rows.js';
import { initialState, lowerBound, positionAt, selectedMark, selectedPosition, selectionPosition, type ViewerState, viewLength } from './state.js';
import { AdaptiveThrottle, type Timers } from './throttle.js';
import { SealCheck, type SealStatus } from './seal-check.js';

export interface StoreOptions {
  engine: AuditEngine;
  /** The engine follows the live file. */
  live: boolean;
  size: TerminalSize;
  now?: () => number;
  /** The detail pane flags a request whose time as sent is further than this from the writer's (default 60 s). */
  clockSkewMs?: number;
  /** The verification key of each chain's origin ('' for files): `view --verification-key`. */
  sealKeys?: ReadonlyMap<string, Uint8Array>;
  /** Test seam for the query and stats throttles. */
  timers?: Timers;
  /** Where `y`/`Y` copy to (OSC 52 on the viewer's terminal); without it they say there is no clipboard. */
  terminal?: ClipboardTerminal;
  /** One entry as `print --json` writes it (the CLI's format, handed down): `w` is unavailable without it. */
  entryJson?: (entry: Entry) => unknown;
  /** The inputs the viewer was opened on, as `print` takes them: for the command line `w` shows. */
  printInputs?: readonly string[];
  /** Ctrl-Z: gives the terminal back and stops the process (the viewer's); without it Ctrl-Z says it cannot. */
  suspend?: () => void;
  /** The command line's filter flags (`view --state denied`): the view opens with them applied. */
  filter?: FilterState['flags'];
  /** How long a regular expression may run over the entries (REGEX_DEADLINE_MS; tests set less). */
  regexDeadlineMs?: number;
}

export class ViewerStore {
  readonly engine: AuditEngine;
  private state: ViewerState;
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;
  private readonly requery: AdaptiveThrottle;
  private readonly statsJob: AdaptiveThrottle;
  /** Engine size when the filtered view was last queried (shifted by later prepends). */
  private queriedTotal = 0;
  private queriedFilter: ViewerState['filter'] | null = null;
  private readonly regexDeadlineMs: number;
  private queriedOrder: ViewerState['order'] = 'log';
  private detailLength: { id: string; lines: number } | null = null;
  /** The selected entry while not following: found again by key when the engine reorders entries. */
  private selected: HeldEntry | null = null;
  /** For the next query: the selected entry's position when the view's own are stale. */
  private requeryAnchor: number | null | undefined = undefined;
  private readonly sealCheck: SealCheck;
  /** Dispatches under way (effects dispatch too), and whether the state changed in them. */
  private depth = 0;
  private changed = false;
  private readonly terminal: ClipboardTerminal | null;
  private readonly entryJson: ((entry: Entry) => unknown) | null;
  private readonly printInputs: readonly string[];
  private readonly suspend: (() => void) | null;
  /**
   * Entries the view holds from the engine: its size when the store was made, plus what catchUp()
   * and each reported change added. The engine reports a change on a later turn than it makes
   * it, so a change may report entries already held here: they are not applied twice.
   */
  private applied: number;
  /** Set while subscribed to the engine's events. */
  private disconnect: (() => void) | null = null;
  /** Bumped on every change the engine reports: where entries are may have moved. */
  private engineChanges = 0;
  /** Writer rows already made, used again while their event and place are the same (less garbage while a fleet is indexed). */
  private readonly madeMarks = new WeakMap<WriterEvent, Mark>();
  /** What the marks were last built from: the same again builds the same marks (a tick's usual case). */
  private marksFrom: { events: readonly WriterEvent[]; breaks: ChainStatus['breaks'] | null; size: number; engineChanges: number } | null = null;

  constructor(options: StoreOptions) {
    this.engine = options.engine;
    this.terminal = options.terminal ?? null;
    this.entryJson = options.entryJson ?? null;
    this.printInputs = options.printInputs ?? options.engine.files;
    this.suspend = options.suspend ?? null;
    this.now = options.now ?? Date.now;
    this.regexDeadlineMs = options.regexDeadlineMs ?? REGEX_DEADLINE_MS;
    this.state = initialState({
      size: options.size,
      live: options.live,
      now: this.now(),
      clockSkewMs: options.clockSkewMs,
      total: options.engine.size(),
      progress: options.engine.progress(),
    });
    this.state = settle({
      ...this.state,
      filter: options.filter ? { ...NO_FILTER, flags: options.filter } : NO_FILTER,
      malformedCount: options.engine.malformedCount(),
      origins: options.engine.origins(),
      duplicateLines: options.engine.duplicateLines(),
    });
    // A query over a million entries may take a few hundred ms: at most ~20% of the time.
    this.requery = new AdaptiveThrottle(() => this.runQuery(), { minMs: 100, costFactor: 4, timers: options.timers });
    this.statsJob = new AdaptiveThrottle(() => this.runStats(), { minMs: 1_000, costFactor: 5, timers: options.timers });
    this.sealCheck = new SealCheck(options.sealKeys ?? new Map());
    this.applied = this.state.total;
    // What the engine said before the store was made (`waiting` for a log not there yet).
    const said = options.engine.notices().at(-1);
    if (said) this.state = reduce(reduce(this.state, { type: 'notice', notice: said }).state, { type: 'progress', progress: this.state.progress }).state;
    const chain = options.engine.chainStatus?.() ?? null;
    if (chain) this.state = { ...this.state, chain, seal: this.sealStatus(chain) };
    this.refreshMarks();
    // Opened with filter flags: the first frame is already the filtered view.
    if (isFiltering(this.state.filter)) this.runQuery();
  }

  getState = (): ViewerState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Applies an action and runs its effects; subscribers hear of it once, after the effects'
   * own actions: a filter key's new list and its header counts are one frame.
   */
  dispatch(action: Action): void {
    this.depth++;
    try {
      const { state, effects } = reduce(this.state, action);
      this.set(state);
      for (const effect of effects) this.run(effect);
    } finally {
      this.depth--;
    }
    if (this.depth === 0 && this.changed) {
      this.changed = false;
      for (const listener of this.listeners) listener();
    }
  }

  /** A key from the terminal; `raw`, the sequence it sent when known (it tells Esc+`/` from `/`). */
  press(input: string, key: KeyInfo, raw = ''): void {
    for (const [one, oneKey] of splitKeys(input, key, raw)) this.pressOne(one, oneKey);
  }

  private pressOne(input: string, key: KeyInfo): void {
    const action = keyToAction(this.state, input, key, this.now());
    if (!action) return;
    if (action.type === 'command' && action.command === 'toggleOrder' && !this.engine.timeOrder && this.state.order === 'log') {
      this.dispatch({ type: 'message', message: { text: 'time order: this engine cannot sort by time (rows stay in log order)', tone: 'error' } });
      return;
    }
    // Only a few commands need facts from the engine; navigation stays O(1).
    const needsContext =
      action.type === 'command' &&
      (this.state.overlay.kind !== 'none' || action.command === 'promptHost' || action.command === 'promptOrigin' || action.command === 'promptSession' || action.command === 'promptOperator');
    this.dispatch(needsContext ? { ...action, context: this.commandContext() } : action);
  }

  /** Subscribes to the engine's events (useEngineSync calls it on mount); returns the unsubscribe. */
  connect(): () => void {
    // Once: the viewer connects before Ink loads (so nothing said meanwhile is missed), and the App again on mount.
    if (this.disconnect) return this.disconnect;
    const engine = this.engine;
    engine.on('change', this.engineChanged);
    engine.on('progress', this.progressed);
    engine.on('notice', this.noticed);
    if (engine.chainStatus) engine.on('chain', this.chainChanged);
    this.disconnect = () => {
      engine.off('change', this.engineChanged);
      engine.off('progress', this.progressed);
      engine.off('notice', this.noticed);
      if (engine.chainStatus) engine.off('chain', this.chainChanged);
      this.disconnect = null;
    };
    return this.disconnect;
  }

  // Engine events.

  engineChanged = (reported: EngineChange): void => {
    this.engineChanges++;
    const total = this.engine.size();
    const change = this.notYetApplied(reported, total);
    this.queriedTotal = shiftedPosition(change, this.queriedTotal);
    const anchor = change.reordered ? this.whereSelectedIsNow(change) : undefined;
    this.dispatch({ type: 'engineChanged', change, total, anchor });
    this.pollCounts();
    // Counts of nothing over a table that has rows (the first entries after open): refresh on
    // the next turn rather than after the throttle's interval.
    const s = this.state;
    const showingNothing = s.stats === null || (s.stats.total === 0 && !isFiltering(s.filter) && s.total > 0);
    this.statsJob.request(showingNothing);
  };

  /**
   * The part of a reported change the view does not hold yet. Before it the engine held `total`
   * less what it reports; what the view holds beyond that (counted when the store was made, or
   * by catchUp()) is of this change already — taken as appended first, as catchUp() takes it.
   * (A reordering is found again by key, whatever its counts.)
   */
  private notYetApplied(change: EngineChange, total: number): EngineChange {
    const reported = change.prepended + change.appended + (change.inserted ?? 0);
    if (change.reordered) {
      this.applied = total;
      return change;
    }
    const held = Math.min(reported, Math.max(0, this.applied - (total - reported)));
    this.applied += reported - held;
    if (held === 0) return change;
    let rest = held;
    const take = (n: number) => {
      const t = Math.min(n, rest);
      rest -= t;
      return n - t;
    };
    const fresh: EngineChange = { ...change, appended: take(change.appended), prepended: take(change.prepended) };
    if (change.inserted !== undefined) fresh.inserted = take(change.inserted);
    return fresh;
  }

  /** The chain's status changed: the badge at once, and a new break's row soon after. */
  chainChanged = (): void => {
    const chain = this.engine.chainStatus?.();
    if (!chain || sameChain(chain, this.state.chain)) return;
    const newBreaks = chain.breaks.length !== (this.state.chain?.breaks.length ?? 0);
    this.dispatch({ type: 'chain', chain });
    const seal = this.sealStatus(chain);
    if (!sameSeal(seal, this.state.seal)) this.dispatch({ type: 'seal', seal });
    if (newBreaks) this.refreshMarks();
  };

  /**
   * The seals checked once the chain is (while the history is read, its seals are still coming:
   * the badge says "checking" meanwhile), and again whenever a chain event follows.
   */
  private sealStatus(chain: ChainStatus): SealStatus | null {
    return chain.state === 'checking' ? this.state.seal : this.sealCheck.status(this.engine);
  }

  progressed = (progress: IndexProgress): void => {
    const prev = this.state.progress;
    // Redraw the bar per visible step (1/1000), not per chunk.
    const step = (p: IndexProgress) => (p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * 1_000) : 0);
    if (progress.done !== prev.done || progress.bytesTotal !== prev.bytesTotal || step(progress) !== step(prev)) {
      this.dispatch({ type: 'progress', progress });
    }
    this.pollCounts();
  };

  noticed = (notice: EngineNotice): void => {
    this.dispatch({ type: 'notice', notice });
  };

  /** Picks up what the engine did before the store was subscribed to it. */
  catchUp(): void {
    const total = this.engine.size();
    if (total !== this.state.total) {
      this.engineChanged({ prepended: 0, appended: Math.max(0, total - this.applied), updated: 0 });
    }
    this.progressed(this.engine.progress());
  }

  /**
   * Once a second: running durations advance. Progress is read too: an engine that finishes
   * indexing without a last progress event must not leave the bar up.
   */
  tick(): void {
    const now = this.now();
    if (this.showsClock(now)) this.dispatch({ type: 'tick', now });
    // Nothing on screen reads the clock: a frame would be the same one, yet React and Ink
    // would build it again (an idle following viewer spent ~25 % of a core on that). The
    // clock still advances for the next frame drawn for another reason.
    else this.state = { ...this.state, now };
    this.progressed(this.engine.progress());
    // An engine that sends no `chain` event still updates the badge once a second, and a writer
    // record that came without entries (a stop at the end) gets its row.
    this.chainChanged();
    this.refreshMarks();
  }

  /**
   * Whether a frame drawn at `now` could differ from the last one: an open pane (a running
   * entry's details), a new minute (how times read: a time today, a date before; the seal
   * badge's date), or a running entry's duration on screen. A running entry scrolled out of
   * view, or an old one that never got its response, redraws nothing.
   */
  private showsClock(now: number): boolean {
    const s = this.state;
    if (s.overlay.kind !== 'none' || Math.floor(now / 60_000) !== Math.floor(s.now / 60_000)) return true;
    return (s.stats?.byState.running ?? 1) > 0 && this.runningOnScreen();
  }

  /** A running entry is among the table's rows on screen (the reader's cache holds them: no line is read again). */
  private runningOnScreen(): boolean {
    const s = this.state;
    const size = this.engine.size();
    const end = Math.min(viewLength(s), s.top + screenLayout(s.size, s.progress).tableRows);
    for (let row = Math.max(0, s.top); row < end; row++) {
      const position = positionAt(s, row);
      if (position !== null && position < size && this.engine.entry(position).state === 'running') return true;
    }
    return false;
  }

  resize(size: TerminalSize): void {
    if (size.columns !== this.state.size.columns || size.rows !== this.state.size.rows) this.dispatch({ type: 'resize', size });
  }

  /** Header stats now (first frame) rather than after the throttle's delay. */
  refreshStatsNow(): void {
    this.statsJob.runNow();
  }

  dispose(): void {
    this.disconnect?.();
    this.requery.cancel();
    this.statsJob.cancel();
    this.listeners.clear();
  }

  private set(state: ViewerState): void {
    if (state === this.state) return;
    const before = this.state;
    this.state = state;
    if (state.cursor !== before.cursor || state.positions !== before.positions || state.follow !== before.follow) this.rememberSelected();
    this.changed = true;
  }

  private run(effect: Effect): void {
    switch (effect.kind) {
      case 'requery':
        if (effect.anchor !== undefined) this.requeryAnchor = effect.anchor;
        if (effect.soon) this.requery.request();
        else this.requery.runNow();
        return;
      case 'search':
        this.runSearch(effect.text, effect.jump);
        return;
      case 'refreshStats':
        // After a filter key: now, so the header's counts are of the list drawn in the same frame.
        this.statsJob.runNow();
        return;
      case 'quit':
        this.requery.cancel();
        this.statsJob.cancel();
        return;
      case 'copy':
        this.copy(effect.what);
        return;
      case 'suspend':
        if (this.suspend) this.suspend();
        else this.dispatch({ type: 'message', message: { text: 'Ctrl-Z: cannot suspend here', tone: 'info' } });
        return;
      case 'export':
        this.export(effect.file, effect.overwrite);
        return;
    }
  }

  /** `y`/`Y`: the selected entry's id or command, as the screen shows it (escaped), to the clipboard. */
  private copy(what: 'id' | 'command'): void {
    const position = selectedPosition(this.state);
    const say = (text: string, tone: 'info' | 'error' = 'info') => this.dispatch({ type: 'message', message: { text, tone } });
    if (position === null) return say('nothing copied: no entry selected');
    if (this.terminal === null) return say('nothing copied: no terminal clipboard', 'error');
    const entry = this.engine.entry(position);
    const text = what === 'id' ? escapeForTerminal(entry.id, COPY_MAX_CHARS) : formatPipeline(entry.pipeline, COPY_MAX_CHARS);
    this.terminal.copy(text);
    // A command of many stages, each cut apart, may still be longer than the clipboard takes.
    const cut = text.length > COPY_MAX_CHARS ? `'s first ${COPY_MAX_CHARS} of ${text.length} characters` : `, ${text.length} characters,`;
    const shown = what === 'id' ? `the id ${text}` : `the command${cut}`;
    say(`copied ${shown} (${copyNote(this.terminal)})`);
  }

  /** `w`: the entries in view (the current filter, not the search) as `print --json` lines. */
  private export(file: string, overwrite: boolean): void {
    const say = (text: string, tone: 'info' | 'error' = 'info') => this.dispatch({ type: 'message', message: { text, tone } });
    const json = this.entryJson;
    if (json === null) return say('nothing written: export is not available here', 'error');
    const { positions, total } = this.state;
    const count = positions === null ? total : positions.length;
    const engine = this.engine;
    const toJson = json;
    function* lines(): Generator<string> {
      for (let i = 0; i < count; i++) yield jsonForTerminal(toJson(engine.entry(positions === null ? i : positions[i])));
    }
    const result = writeLines(file, lines(), overwrite);
    if ('exists' in result) return this.dispatch({ type: 'askOverwrite', file });
    if ('error' in result) return say(`cannot write ${file}: ${result.error}`, 'error');
    const n = result.written;
    // The footer is one line: the command names the file, so it is said once.
    say(`wrote ${n} ${n === 1 ? 'entry' : 'entries'}, as: ${printCommandLine(this.state.filter, this.printInputs, file)}`);
  }

  /** Keeps the selected entry (not while following: the newest is selected whatever moves). */
  private rememberSelected(): void {
    const position = this.state.follow ? null : selectedPosition(this.state);
    this.selected = position === null || position >= this.engine.size() ? null : { key: this.engine.entry(position).key, position };
  }

  /** The selected entry's position after `change`; null when it cannot say. */
  private whereSelectedIsNow(change: EngineChange): number | null {
    if (this.selected === null) return null;
    const position = keptPosition(change, this.selected, this.engine);
    return position >= 0 ? position : null;
  }

  /**
   * Writer events and breaks placed among the entries as they are now. Not built again from
   * what they were built from (the engines hand out the same events while nothing changes):
   * over 10,000 hosts' 20,000 writer rows each tick's rebuild and compare was an idle
   * viewer's steady 3 % of a core.
   */
  private refreshMarks(): void {
    const engine = this.engine;
    const from = { events: engine.writerEvents(), breaks: this.state.chain?.breaks ?? null, size: engine.size(), engineChanges: this.engineChanges };
    const last = this.marksFrom;
    if (last !== null && last.events === from.events && last.breaks === from.breaks && last.size === from.size && last.engineChanges === from.engineChanges) return;
    this.marksFrom = from;
    const marks = buildMarks(from.events, from.breaks ?? [], (key) => engine.positionOf(key), from.size, this.madeMarks);
    if (!sameMarks(marks, this.state.allMarks)) this.dispatch({ type: 'marks', marks });
  }

  private runQuery(): void {
    const s = this.state;
    const total = this.engine.size();
    const anchor = this.requeryAnchor !== undefined ? this.requeryAnchor : selectionPosition(s);
    this.requeryAnchor = undefined;
    const byTime = s.order === 'time' ? this.engine.timeOrder?.bind(this.engine) : undefined;
    if (!isFiltering(s.filter) && !byTime) {
      this.dispatch({ type: 'viewReplaced', positions: null, total, anchor, appended: 0 });
      return;
    }
    const filter = isFiltering(s.filter) ? entryFilterFromFilterState(s.filter) : null;
    const filtered = filter ? this.bounded(filter, () => this.engine.query(filter)) : null;
    if (filtered === undefined) return this.dropFilterRegex(filter?.regex);
    // Entries in view that were appended since the last query of this same filter (and order) are "new".
    const sameFilter = this.queriedFilter === s.filter && this.queriedOrder === s.order;
    const count = filtered ? filtered.length : total;
    const appended = sameFilter ? count - (filtered ? lowerBound(filtered, this.queriedTotal) : Math.min(this.queriedTotal, total)) : 0;
    this.queriedFilter = s.filter;
    this.queriedOrder = s.order;
    this.queriedTotal = total;
    const positions = byTime ? byTime(filtered ?? undefined) : filtered;
    this.dispatch({ type: 'viewReplaced', positions, total, anchor, appended });
  }

  private runSearch(text: string, jump: 1 | -1 | 0): void {
    // `/re/` a regular expression (the prompt refused an invalid one), else a substring.
    const search = searchFilter(text);
    if ('error' in search) return;
    const filter = { ...entryFilterFromFilterState(this.state.filter), ...search };
    const matches = this.bounded(filter, () => this.engine.query(filter));
    if (matches === undefined) {
      const what = search.regex ? 'search' : '--regex';
      return this.dispatch({ type: 'message', message: { text: this.regexTooSlow(what, filter.regex), tone: 'error' } });
    }
    this.dispatch({ type: 'searchResult', text, matches, total: this.engine.size(), jump });
  }

  /** The header's counts, and with them the writer rows (new events, places after entries moved). */
  private runStats(): void {
    this.refreshMarks();
    const s = this.state;
    const filter = isFiltering(s.filter) ? entryFilterFromFilterState(s.filter) : undefined;
    const stats = this.bounded(filter, () => this.engine.stats(filter));
    if (stats === undefined) return this.dropFilterRegex(filter?.regex);
    this.dispatch({ type: 'stats', stats });
  }

  /** `run` (the engine answering `filter`), under the deadline when the filter has a regular expression; undefined past it. */
  private bounded<T>(filter: EntryFilter | undefined, run: () => T): T | undefined {
    if (!filter?.regex) return run();
    const r = withinDeadline(run, this.regexDeadlineMs);
    return 'value' in r ? r.value : undefined;
  }

  private regexTooSlow(what: string, re: RegExp | undefined): string {
    return regexStopped(what, re, this.regexDeadlineMs);
  }

  /** The command line's --regex ran past the deadline: it would run again on every change, so the filters are cleared. */
  private dropFilterRegex(re: RegExp | undefined): void {
    this.dispatch({ type: 'command', command: 'clearFilters' });
    this.dispatch({ type: 'message', message: { text: `${this.regexTooSlow('--regex', re)}; filters cleared`, tone: 'error' } });
  }

  /** Counts the engine keeps without an event for them: malformed lines, collected hosts, duplicates dropped. */
  private pollCounts(): void {
    const count = this.engine.malformedCount();
    if (count !== this.state.malformedCount) this.dispatch({ type: 'malformedCount', count });
    const origins = this.engine.origins();
    const duplicateLines = this.engine.duplicateLines();
    if (duplicateLines !== this.state.duplicateLines || !sameList(origins, this.state.origins)) {
      this.dispatch({ type: 'fleet', origins, duplicateLines });
    }
  }

  private commandContext(): CommandContext {
    const s = this.state;
    const position = selectedPosition(s);
    const entry = position === null ? null : this.engine.entry(position);
    let overlayLines = 0;
    const mark = entry ? null : selectedMark(s);
    if (s.overlay.kind === 'detail' && mark) overlayLines = markDetailLines(mark, s.size.columns, s.now).length;
    else if (s.overlay.kind === 'detail' && entry) {
      // Each scroll key needs the pane's length; it only changes with the entry, the engine or the width.
      const id = `${entry.key}:${s.version}:${s.size.columns}`;
      if (this.detailLength?.id !== id) this.detailLength = { id, lines: detailLines(entry, s.size.columns, s.now, s.clockSkewMs).length };
      overlayLines = this.detailLength.lines;
    }
    else if (s.overlay.kind === 'integrity') {
      overlayLines = integrityItems({ chain: s.chain, marks: s.allMarks, malformed: this.engine.malformed(), malformedCount: s.malformedCount, seal: s.seal }).length;
    }
    const operator = entry?.operator ? entry.operator.user || String(entry.operator.uid) : '';
    return { selected: entry ? { host: entry.host, origin: entry.origin, session: entry.session, operator } : null, overlayLines };
  }
}

/** Same strings in the same order (an engine may hand out a fresh array on every call). */
function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

/** Same verdict and counts: nothing on screen would change. */
function sameChain(a: ChainStatus, b: ChainStatus | null): boolean {
  return (
    b !== null &&
    a.state === b.state &&
    a.checked === b.checked &&
    a.total === b.total &&
    a.unchained === b.unchained &&
    a.unchecked === b.unchecked &&
    a.breakCount === b.breakCount &&
    a.breaks.length === b.breaks.length
  );
}

function sameSeal(a: SealStatus | null, b: SealStatus | null): boolean {
  if (a === null || b === null) return a === b;
  const f = (s: SealStatus) => (s.failure ? `${s.failure.kind}:${s.failure.origin}:${s.failure.file}:${s.failure.line}` : '');
  return a.checked === b.checked && a.notSealed === b.notSealed && a.unchecked === b.unchecked && a.sealedUntil === b.sealedUntil && a.unsealed === b.unsealed && f(a) === f(b);
}

/** Same marks at the same places (the engine hands out fresh objects on every call). */
function sameMarks(a: readonly Mark[], b: readonly Mark[]): boolean {
  return a.length === b.length && a.every((m, i) => m.at === b[i].at && sameMark(m, b[i]));
}
