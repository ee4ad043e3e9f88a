import { useInput, useStdin } from 'ink';
import { useEffect, useRef } from 'react';
import type { ViewerStore } from '../store/store.js';

/** Keys to the store. Raw mode only where the input supports it (never under a pipe). */
export function useKeys(store: ViewerStore): void {
  const { isRawModeSupported, internal_eventEmitter: inputEvents } = useStdin();
  const active = isRawModeSupported === true;
  const raw = useRef('');
  // Ink strips a leading Esc from the key it reports, so Esc and `/` read together (a fast
  // typist, ssh batching keys) would lose the Esc. The raw sequence is kept for the one key
  // being handled: this listener is added before useInput's, so it runs first for each input.
  useEffect(() => {
    if (!active) return;
    const remember = (data: string) => {
      raw.current = data;
      queueMicrotask(() => {
        raw.current = '';
      });
    };
    inputEvents.on('input', remember);
    return () => {
      inputEvents.off('input', remember);
    };
  }, [active, inputEvents]);
  useInput((input, key) => store.press(input, key, raw.current), { isActive: active });
}
