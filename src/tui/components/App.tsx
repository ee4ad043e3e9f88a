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
import type { FooterInput } from '../format/footer.js';
import type { HeaderInput } from '../format/header.js';
import { timeStyleFor } from '../format/time.js';
import { useEngineSync } from '../hooks/use-engine-sync.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { MIN_SIZE, screenLayout } from '../layout.js';
import { describeFilter, isFiltering } from '../store/filters.js';
import { isFleet, positionAt, selectedPosition, type ViewerState, viewLength } from '../store/state.js';
import type { ViewerStore } from '../store/store.js';
import type { Theme } from '../theme.js';
import { DetailPane } from './DetailPane.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { MalformedList, malformedLines } from './MalformedList.js';
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
  const detailNow = selected?.state === 'running' ? state.now : 0;
  const detail = useMemo(
    () => (state.overlay.kind === 'detail' && selected ? detailLines(selected, screen.width, detailNow, state.clockSkewMs) : []),
    // The entry object may be fresh on every read: its key and the engine version identify it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [state.overlay.kind, selected?.key, state.version, screen.width, detailNow, state.clockSkewMs],
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
    malformedCount: state.malformedCount,
    origins: state.origins.length,
    duplicateLines: state.duplicateLines,
    width: screen.width,
  };
  const footer: FooterInput = {
    prompt: state.prompt,
    message: state.message,
    notice: state.notice,
    overlay: state.overlay.kind,
    follow: state.follow,
    unseen: state.unseen,
    index: state.cursor + 1,
    length: len,
    total: state.total,
    filtered: state.positions !== null,
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
    case 'malformed':
      body = (
        <MalformedList
          lines={malformedLines(engine.malformed(), state.malformedCount)}
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
      for (let i = state.top; i < end; i++) rows.push({ entry: engine.entry(positionAt(state, i)), index: i });
      const oldest = len > 0 ? engine.entry(positionAt(state, 0)).timeMs : state.now;
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

function emptyText(state: ViewerState): string {
  if (isFiltering(state.filter) && state.total > 0) return 'no entries match the filter (c clears it)';
  if (state.notice?.kind === 'waiting') return escapeForTerminal(state.notice.message, 400);
  if (!state.progress.done && state.total === 0) return 'reading…';
  return 'no entries yet';
}
