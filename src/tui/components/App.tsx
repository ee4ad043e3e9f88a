/**
 * The container: reads the store, picks the visible slice of entries from the engine, and lays
 * out the presentational components. The frame is exactly rows-1 lines tall (see layout.ts).
 */
import { Box, Text, useApp } from 'ink';
import { type ReactNode, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { Entry } from '../../shared/entry.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { layoutColumns } from '../format/columns.js';
import { detailLines } from '../format/detail.js';
import { integrityLines } from '../format/integrity.js';
import { markDetailLines } from '../format/mark-detail.js';
import type { FooterInput } from '../format/footer.js';
import { type HeaderInput, securityCount } from '../format/header.js';
import { stampedEarlier, timeStyleFor, zoneNote } from '../format/time.js';
import { useEngineSync } from '../hooks/use-engine-sync.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { MIN_SIZE, screenLayout } from '../layout.js';
import { describeFilter, entryFilterFromFilterState, isFiltering } from '../store/filters.js';
import { entryPosition, rowAt } from '../store/rows.js';
import { entriesInView, isFleet, selectedMark, selectedPosition, type ViewerState, viewLength } from '../store/state.js';
import type { ViewerStore } from '../store/store.js';
import type { Theme } from '../theme.js';
import { DetailPane } from './DetailPane.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { IntegrityList } from './IntegrityList.js';
import { ProgressBar } from './ProgressBar.js';
import { Table, type TableRowData } from './Table.js';

export interface AppProps {
  store: ViewerStore;
  theme: Theme;
  title?: string;
  /** How often running durations advance; 0 turns the clock off (tests). */
  tickMs?: number;
}

export const DEFAULT_TITLE = 'sudo-proxy-audit';

export function App({ store, theme, title = DEFAULT_TITLE, tickMs }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  useEngineSync(store, tickMs);
  useTerminalSize(store);
  useKeys(store);
  const { exit } = useApp();
  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);
  return <Screen store={store} state={state} theme={theme} title={title} />;
}

function Screen({ store, state, theme, title }: { store: ViewerStore; state: ViewerState; theme: Theme; title: string }) {
  const engine = store.engine;
  const screen = screenLayout(state.size, state.progress);
  const position = selectedPosition(state);
  const selected: Entry | null = position === null ? null : engine.entry(position);
  const mark = position === null ? selectedMark(state) : null;
  const detailNow = selected?.state === 'running' ? state.now : 0;
  const detail = useMemo(
    () => {
      if (state.overlay.kind !== 'detail') return [];
      if (selected) return detailLines(selected, screen.width, detailNow, state.clockSkewMs);
      return mark ? markDetailLines(mark, screen.width, state.now) : [];
    },
    // The entry object may be fresh on every read: its key and the engine version identify it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [state.overlay.kind, selected?.key, mark, state.version, screen.width, detailNow, state.clockSkewMs],
  );

  if (screen.tooSmall) {
    return (
      <Text wrap="truncate-end">
        too small ({state.size.columns}×{state.size.rows}): need {MIN_SIZE.columns}×{MIN_SIZE.rows}
      </Text>
    );
  }

  const len = viewLength(state);
  const header: HeaderInput = {
    title,
    files: engine.files,
    live: state.live,
    follow: state.follow,
    unseen: state.unseen,
    filter: describeFilter(state.filter),
    search: state.search?.text ?? null,
    stats: state.stats,
    of: isFiltering(state.filter) ? state.total : null,
    malformedCount: state.malformedCount,
    security: securityCount(state.stats, state.allMarks, entryFilterFromFilterState(state.filter)),
    origins: state.origins.length,
    duplicateLines: state.duplicateLines,
    chain: state.chain,
    seal: state.seal,
    now: state.now,
    zone: zoneNote(state.now),
    width: screen.width,
  };
  const footer: FooterInput = {
    prompt: state.prompt,
    message: state.message,
    notice: state.notice,
    overlay: state.overlay.kind,
    follow: state.follow,
    unseen: state.unseen,
    index: entryNumber(state),
    length: entriesInView(state),
    total: state.total,
    filtered: isFiltering(state.filter),
    order: state.order,
    outOfOrder: state.order === 'log' && selected !== null && state.overlay.kind === 'none' && earlierThanAbove(state, engine, selected),
    width: screen.width,
  };

  let body: ReactNode;
  switch (state.overlay.kind) {
    case 'detail':
      body = <DetailPane lines={detail} scroll={state.overlay.scroll} height={screen.bodyRows} width={screen.width} theme={theme} />;
      break;
    case 'help':
      body = <HelpOverlay scroll={state.overlay.scroll} height={screen.bodyRows} width={screen.width} theme={theme} />;
      break;
    case 'integrity':
      body = (
        <IntegrityList
          lines={integrityLines({
            chain: state.chain,
            marks: state.allMarks,
            malformed: engine.malformed(),
            malformedCount: state.malformedCount,
            seal: state.seal,
            cursor: state.overlay.cursor,
          })}
          scroll={state.overlay.scroll}
          height={screen.bodyRows}
          width={screen.width}
          theme={theme}
        />
      );
      break;
    case 'none': {
      const rows: TableRowData[] = [];
      const end = Math.min(len, state.top + screen.tableRows);
      // The entry above the first one shown, for its ↑ (rows stamped before the row above).
      let aboveMs = Number.NaN;
      let firstEntry = true;
      for (let i = state.top; i < end; i++) {
        const item = rowAt(state, i);
        if (item.mark >= 0) {
          rows.push({ mark: state.marks[item.mark], index: i });
          continue;
        }
        if (firstEntry && item.index > 0) aboveMs = engine.entry(entryPosition(state, item.index - 1)).timeMs;
        firstEntry = false;
        const entry = engine.entry(entryPosition(state, item.index));
        rows.push({ entry, index: i, earlier: state.order === 'log' && stampedEarlier(aboveMs, entry.timeMs) });
        aboveMs = entry.timeMs;
      }
      const oldest = entriesInView(state) > 0 ? engine.entry(entryPosition(state, 0)).timeMs : state.now;
      const timeStyle = timeStyleFor(oldest, state.now);
      body = (
        <Table
          layout={layoutColumns(screen.width, timeStyle, { origin: isFleet(state) })}
          rows={rows}
          cursor={state.cursor}
          height={screen.tableRows}
          ctx={{ nowMs: state.now, timeStyle }}
          search={state.search?.text ?? null}
          emptyText={emptyText(state)}
          theme={theme}
        />
      );
    }
  }

  return (
    <Box flexDirection="column" width={screen.width} height={screen.height}>
      <Header input={header} theme={theme} />
      <Box height={screen.bodyRows} flexDirection="column">
        {body}
      </Box>
      {screen.indexing ? <ProgressBar progress={state.progress} width={screen.width} theme={theme} /> : null}
      <Footer input={footer} theme={theme} />
    </Box>
  );
}

/** The selected entry is stamped before the entry above it in view. */
function earlierThanAbove(state: ViewerState, engine: ViewerStore['engine'], entry: Entry): boolean {
  const item = rowAt(state, state.cursor);
  return item.mark < 0 && item.index > 0 && stampedEarlier(engine.entry(entryPosition(state, item.index - 1)).timeMs, entry.timeMs);
}

/** The footer's 1-based number of the selected entry among those in view (for a mark: of the entry before it). */
function entryNumber(state: ViewerState): number {
  if (state.cursor < 0) return 0;
  const item = rowAt(state, state.cursor);
  return item.mark >= 0 ? Math.max(1, item.index) : item.index + 1;
}

function emptyText(state: ViewerState): string {
  if (isFiltering(state.filter) && state.total > 0) return 'no entries match the filter (c clears it)';
  if (state.notice?.kind === 'waiting') return escapeForTerminal(state.notice.message, 400);
  if (!state.progress.done && state.total === 0) return 'reading…';
  return 'no entries yet';
}
