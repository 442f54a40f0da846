import { useEffect, useState } from 'react';
import type { TuiDeps } from './tui-deps.js';

/**
 * The mapping store for people, '' until it is known. A description that fails is left out: the
 * run that opens the store says what is wrong with it.
 */
export function useStoreDescription(describeStore: TuiDeps['describeStore']): string {
  const [text, setText] = useState('');
  useEffect(() => {
    let mounted = true;
    describeStore().then(
      (described) => {
        if (mounted) setText(described);
      },
      () => undefined,
    );
    return () => {
      mounted = false;
    };
  }, [describeStore]);
  return text;
}
