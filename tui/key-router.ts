import type { Key } from 'ink';
import { createContext } from 'react';

export type KeyHandler = (input: string, key: Key) => void;

export interface KeyBinding {
  readonly handler: KeyHandler;
  readonly active: boolean;
  /** A text field: while one is active it alone gets the keys (the newest, if several). */
  readonly capture: boolean;
}

/**
 * Hands each keypress to the components that want it. Bindings are kept current during React's
 * commit (layout effects), so a key typed right after a frame appears reaches the handlers of that
 * frame, never those of the one before, and never goes to a component that has just unmounted.
 */
export class KeyRouter {
  readonly #bindings = new Set<{ readonly current: KeyBinding }>();

  add(binding: { readonly current: KeyBinding }): () => void {
    this.#bindings.add(binding);
    return () => {
      this.#bindings.delete(binding);
    };
  }

  /** Whether a text field has the keyboard (global keys then type instead of acting). */
  capturing(): boolean {
    return [...this.#bindings].some(({ current }) => current.active && current.capture);
  }

  dispatch(input: string, key: Key): void {
    const active = [...this.#bindings].map(({ current }) => current).filter((binding) => binding.active);
    const capturing = active.filter((binding) => binding.capture);
    const targets = capturing.length > 0 ? capturing.slice(-1) : active;
    for (const binding of targets) binding.handler(input, key);
  }
}

export const KeyRouterContext = createContext<KeyRouter>(new KeyRouter());
