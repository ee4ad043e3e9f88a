/**
 * The container: reads the store, takes what the screen shows from screen-model.ts (the visible
 * slice of entries, the header's and footer's inputs), and lays out the presentational components. The frame is exactly rows-1 lines tall (see layout.ts).
 */
import { Box, Text, useApp } from 'ink';
import { type ReactNode, useEffect, useMemo, useSyncExternalStore } from 'react';
import { detailLines } from '../format/detail.js';
import { integrityLines } from '../format/integrity.js';
import { markDetailLines } from '../format/mark-detail.js';
import { useEngineSync } from '../hooks/use-engine-sync.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { DEFAULT_TITLE, screenParts, tableModel, tooSmallText } from '../screen-model.js';
import type { ViewerState } from '../store/state.js';
import type { ViewerStore } from '../store/store.js';
import type { Theme } from '../theme.js';
import { DetailPane } from './DetailPane.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { IntegrityList } from './IntegrityList.js';
import { ProgressBar } from './ProgressBar.js';
import { Table } from './Table.js';

export interface AppProps {
  store: ViewerStore;
  theme: Theme;
  title?: string;
  /** How often running durations advance; 0 turns the clock off (tests). */
  tickMs?: number;
}

export { DEFAULT_TITLE } from '../screen-model.js';

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
  const { screen, selected, mark, header, footer } = screenParts(state, engine, title);
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

  if (screen.tooSmall) return <Text wrap="truncate-end">{tooSmallText(state.size)}</Text>;

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
    case 'none':
      body = <Table {...tableModel(state, engine, screen)} theme={theme} />;
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
