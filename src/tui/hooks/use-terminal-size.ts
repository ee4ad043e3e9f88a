import { useStdout } from 'ink';
import { useEffect } from 'react';
import type { ViewerStore } from '../store/store.js';

/** Keeps the store's size in step with the terminal (80×24 when the stream does not say). */
export function useTerminalSize(store: ViewerStore): void {
  const { stdout } = useStdout();
  useEffect(() => {
    const onResize = () => store.resize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    onResize();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, store]);
}
