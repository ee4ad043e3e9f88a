import { useInput, useStdin } from 'ink';
import type { ViewerStore } from '../store/store.js';

/** Keys to the store. Raw mode only where the input supports it (never under a pipe). */
export function useKeys(store: ViewerStore): void {
  const { isRawModeSupported } = useStdin();
  useInput((input, key) => store.press(input, key), { isActive: isRawModeSupported === true });
}
