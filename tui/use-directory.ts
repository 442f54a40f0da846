import { useEffect, useState } from 'react';
import type { DirEntry } from './list-directory.js';
import type { TuiDeps } from './tui-deps.js';

export type DirectoryState =
  | { readonly status: 'loading'; readonly dir: string }
  | { readonly status: 'ready'; readonly dir: string; readonly entries: readonly DirEntry[] }
  | { readonly status: 'error'; readonly dir: string; readonly reason: string };

/** The listing of `dir`, read again whenever `dir` changes. */
export function useDirectory(dir: string, listDirectory: TuiDeps['listDirectory']): DirectoryState {
  const [state, setState] = useState<DirectoryState>({ status: 'loading', dir });
  useEffect(() => {
    let current = true;
    setState({ status: 'loading', dir });
    listDirectory(dir).then(
      (entries) => current && setState({ status: 'ready', dir, entries }),
      (error: unknown) => current && setState({ status: 'error', dir, reason: describeError(error) }),
    );
    return () => {
      current = false;
    };
  }, [dir, listDirectory]);
  return state.dir === dir ? state : { status: 'loading', dir };
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'no such folder';
  if (code === 'ENOTDIR') return 'not a folder';
  return code ?? 'I/O error';
}
