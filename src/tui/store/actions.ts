/** What can happen to the viewer: keys (as commands), engine events, results of queries. */
import type { SealStatus } from './seal-check.js';
import type { ChainStatus, EngineChange, EngineNotice, EntryStats, IndexProgress } from '../../shared/entry.js';
import type { TerminalSize } from '../layout.js';
import type { Mark } from './rows.js';
import type { Message } from './state.js';

export type Command =
  | 'down'
  | 'up'
  | 'pageDown'
  | 'pageUp'
  | 'halfDown'
  | 'halfUp'
  | 'top'
  | 'bottom'
  | 'open'
  | 'back'
  | 'search'
  | 'searchNext'
  | 'searchPrev'
  | 'cycleState'
  | 'promptHost'
  | 'promptOrigin'
  | 'promptSession'
  | 'promptTime'
  | 'promptOperator'
  | 'clearFilters'
  | 'help'
  | 'integrity'
  | 'toggleWriter'
  | 'toggleOrder'
  | 'copyId'
  | 'copyCommand'
  | 'export'
  | 'prevEntry'
  | 'nextEntry'
  | 'quit'
  | 'interrupt'
  | 'suspend';

/** Facts about the engine a command needs, looked up by the store when it dispatches. */
export interface CommandContext {
  /** Host, origin, session and operator (user, else uid; '' when not recorded) of the selected entry (the hint of `h`, `o`, `s` and `u`). */
  selected: { host: string; origin: string; session: string; operator?: string } | null;
  /** Lines of the open pane's content, to stop scrolling at its end (the integrity list: its items). */
  overlayLines: number;
}

export type PromptEdit = { kind: 'insert'; text: string } | { kind: 'backspace' } | { kind: 'clear' } | { kind: 'deleteWord' };

export type Action =
  | { type: 'command'; command: Command; context?: CommandContext }
  | { type: 'promptEdit'; edit: PromptEdit }
  | { type: 'promptSubmit'; now: number }
  | { type: 'promptCancel' }
  | { type: 'promptComplete' }
  | { type: 'resize'; size: TerminalSize }
  /** `anchor`: where the selected entry is now, when the change reordered entries (null: not found). */
  | { type: 'engineChanged'; change: EngineChange; total: number; anchor?: number | null }
  /** A new view after a query; `anchor`: the position selected when it ran; `appended`: new entries in it. */
  | { type: 'viewReplaced'; positions: Int32Array | null; total: number; anchor: number | null; appended: number }
  /** Search matches; `jump`: 1 next, -1 previous, 0 the first jump of a new search. */
  | { type: 'searchResult'; text: string; matches: Int32Array; total: number; jump: 1 | -1 | 0 }
  | { type: 'progress'; progress: IndexProgress }
  | { type: 'malformedCount'; count: number }
  | { type: 'notice'; notice: EngineNotice }
  | { type: 'stats'; stats: EntryStats }
  /** The collected hosts and the duplicate lines dropped, when either changed. */
  | { type: 'fleet'; origins: readonly string[]; duplicateLines: number }
  | { type: 'tick'; now: number }
  /** The writer events and chain breaks to place among the entries (rows.ts), in row order. */
  | { type: 'marks'; marks: readonly Mark[] }
  | { type: 'chain'; chain: ChainStatus }
  | { type: 'seal'; seal: SealStatus | null }
  /** What an effect came to (a copy, an export): said in the footer. */
  | { type: 'message'; message: Message }
  /** `w` named a file that exists: ask before overwriting it. */
  | { type: 'askOverwrite'; file: string }
  /** Back from Ctrl-Z: the screen was the shell's, draw everything again. */
  | { type: 'redraw' };

/** Work the store does for a transition (engine queries, quitting); the reducer stays pure. */
export type Effect =
  /**
   * Recompute the view with the current filter; `soon`: coalesce (engine changes), else now (a
   * key). `anchor`: the selected entry's position, when the view's own positions are stale.
   */
  | { kind: 'requery'; soon: boolean; anchor?: number | null }
  | { kind: 'search'; text: string; jump: 1 | -1 | 0 }
  | { kind: 'refreshStats' }
  /** `y`/`Y`: the selected entry's id or command to the clipboard. */
  | { kind: 'copy'; what: 'id' | 'command' }
  /** `w`: the entries in view as JSONL to `file`; an existing one only with `overwrite`. */
  | { kind: 'export'; file: string; overwrite: boolean }
  | { kind: 'quit' }
  /** Ctrl-Z: give the terminal back and stop until `fg`. */
  | { kind: 'suspend' };
