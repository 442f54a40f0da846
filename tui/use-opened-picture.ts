import { useEffect, useState } from 'react';
import { pictureProblem, type OpenedPicture } from './open-picture.js';

export type OpenedState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly picture: OpenedPicture }
  | { readonly status: 'error'; readonly problem: string };

/**
 * `file` opened for the picture view, after the first frame (so "Reading the picture…" shows while a
 * big file is read); opened again when the file changes (original ↔ anonymized copy).
 */
export function useOpenedPicture(file: string, open: (file: string) => Promise<OpenedPicture>): OpenedState {
  const [state, setState] = useState<{ readonly file: string; readonly opened: OpenedState }>({ file, opened: { status: 'loading' } });
  useEffect(() => {
    let current = true;
    setState({ file, opened: { status: 'loading' } });
    const timer = setImmediate(() => {
      open(file).then(
        (picture) => current && setState({ file, opened: { status: 'ready', picture } }),
        (error: unknown) => current && setState({ file, opened: { status: 'error', problem: pictureProblem(error, file) } }),
      );
    });
    return () => {
      current = false;
      clearImmediate(timer);
    };
  }, [file, open]);
  // Until the effect has run for a new file, the state is the old file's.
  return state.file === file ? state.opened : { status: 'loading' };
}
