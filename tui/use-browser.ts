import path from 'node:path';
import { useState, type Dispatch, type SetStateAction } from 'react';
import { useMessages } from './contexts.js';
import type { BrowserRow } from './FileRow.js';
import { moveCursor } from './list-window.js';
import { addFiles, removeFiles, selectedUnder, toggleFile, type Selection } from './selection.js';
import type { TuiDeps } from './tui-deps.js';
import { useDirectory, type DirectoryState } from './use-directory.js';

export interface BrowserOptions {
  readonly deps: Pick<TuiDeps, 'listDirectory' | 'findDicomFiles'>;
  readonly dir: string;
  readonly onDir: (dir: string) => void;
  readonly selection: Selection;
  readonly onSelection: Dispatch<SetStateAction<Selection>>;
  readonly outDir: string;
}

export interface Browser {
  readonly listing: DirectoryState;
  /** The ".." row (unless at the root), then the entries that match the filter. */
  readonly rows: readonly BrowserRow[];
  readonly current: number;
  readonly filter: string;
  readonly setFilter: (filter: string) => void;
  /** A line about the last action ("Selected 3 DICOM files."). */
  readonly message: string;
  readonly setMessage: (message: string) => void;
  readonly move: (delta: number) => void;
  readonly moveTo: (index: number) => void;
  /** Enter: opens the focused folder (or goes up on ".."), or selects the focused file. */
  readonly open: () => void;
  readonly goUp: () => void;
  /** Space: a file in or out; a folder's DICOM files in, or, when some are selected, all of them out. */
  readonly toggle: () => void;
  /** Every DICOM file below the current folder (never the output folder's). */
  readonly selectAll: () => void;
}

/** The folder browser's state: listing, filter, focus (kept by path, so it survives re-listing) and selection actions. */
export function useBrowser({ deps, dir, onDir, selection, onSelection, outDir }: BrowserOptions): Browser {
  const messages = useMessages();
  const listing = useDirectory(dir, deps.listDirectory);
  const [focus, setFocus] = useState<string | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [message, setMessage] = useState('');

  const parent = path.dirname(dir);
  const wanted = filter.toLowerCase();
  const entries = listing.status === 'ready' ? listing.entries.filter((entry) => entry.name.toLowerCase().includes(wanted)) : [];
  const rows: BrowserRow[] = [
    ...(parent === dir ? [] : [{ entry: undefined, selected: false, isOutput: false }]),
    ...entries.map((entry) => ({
      entry,
      selected: entry.kind === 'folder' ? selectedUnder(selection, entry.path).length > 0 : selection.has(entry.path),
      isOutput: entry.path === outDir,
    })),
  ];
  const current = Math.max(0, rows.findIndex((row) => rowKey(row) === focus));
  const focused = rows[current];

  const moveTo = (index: number) => {
    const row = rows[index];
    if (row) setFocus(rowKey(row));
  };
  /** Going up, the folder we came from keeps the focus. */
  const openDir = (target: string, from?: string) => {
    onDir(target);
    setFocus(from);
    setFilter('');
    setMessage('');
  };
  const goUp = () => {
    if (parent !== dir) openDir(parent, dir);
  };
  const selectBelow = (folder: string) => {
    setMessage(messages.pick.scanning);
    deps.findDicomFiles(folder, [outDir]).then(
      (files) => {
        onSelection((previous) => addFiles(previous, files));
        setMessage(files.length === 0 ? messages.pick.noneFound : messages.pick.added(files.length));
      },
      () => setMessage(messages.pick.noneFound),
    );
  };
  const toggle = () => {
    const entry = focused?.entry;
    if (!entry || entry.path === outDir) return;
    if (entry.kind === 'file') {
      onSelection((previous) => toggleFile(previous, entry));
      setMessage('');
      return;
    }
    const inside = selectedUnder(selection, entry.path);
    if (inside.length === 0) selectBelow(entry.path);
    else {
      onSelection((previous) => removeFiles(previous, inside));
      setMessage(messages.pick.removed(inside.length));
    }
  };
  const open = () => {
    if (!focused) return;
    if (focused.entry === undefined) goUp();
    else if (focused.entry.kind === 'folder') openDir(focused.entry.path);
    else toggle();
  };
  return {
    listing, rows, current, filter, setFilter, message, setMessage,
    move: (delta) => moveTo(moveCursor(current, delta, rows.length)),
    moveTo, open, goUp, toggle,
    selectAll: () => selectBelow(dir),
  };
}

function rowKey(row: BrowserRow): string {
  return row.entry?.path ?? '..';
}
