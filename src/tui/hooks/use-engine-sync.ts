import { useEffect } from 'react';
import type { ViewerStore } from '../store/store.js';

/**
 * Subscribes the store to its engine (new and completed entries, indexing progress, notices)
 * and ticks once a second so running durations advance. Unsubscribes on unmount.
 */
export function useEngineSync(store: ViewerStore, tickMs = 1_000): void {
  useEffect(() => {
    const disconnect = store.connect();
    // What the engine did between opening and this effect.
    store.catchUp();
    store.refreshStatsNow();
    const timer = tickMs > 0 ? setInterval(() => store.tick(), tickMs) : null;
    return () => {
      disconnect();
      if (timer) clearInterval(timer);
    };
  }, [store, tickMs]);
}
