import { useContext, useLayoutEffect, useRef } from 'react';
import { KeyRouterContext, type KeyBinding, type KeyHandler } from './key-router.js';

/**
 * Like Ink's useInput, but through the App's KeyRouter: the handler of the latest frame gets the
 * key, however soon after that frame it is typed. `capture` makes it a text field's handler.
 */
export function useKeys(handler: KeyHandler, options: { readonly active?: boolean; readonly capture?: boolean } = {}): void {
  const router = useContext(KeyRouterContext);
  const binding = useRef<KeyBinding>({ handler, active: options.active ?? true, capture: options.capture ?? false });
  useLayoutEffect(() => {
    binding.current = { handler, active: options.active ?? true, capture: options.capture ?? false };
  });
  useLayoutEffect(() => router.add(binding), [router]);
}
