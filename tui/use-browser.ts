import path from 'node:path';
import { useLayoutEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { useMessages } from './contexts.js';
import type { DirEntry } from './list-directory.js';
import type { Messages } from './messages.js';
import type { BrowserRow } from './FileRow.js';
import { moveCursor } from './list-window.js';
import { addFiles, EMPTY_SELECTION, removeFiles, selectedUnder, toggleFile, type PickedFile, type Selection } from './selection.js';
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
  /** A line about the last action ("Selected 3 DICOM files."), true of the selection as it is now. */
  readonly message: string;
  readonly setMessage: (message: string) => void;
  readonly move: (delta: number) => void;
  readonly moveTo: (index: number) => void;
  /** Enter: opens the focused folder (or goes up on ".."), or selects the focused file. */
  readonly open: () => void;
  readonly goUp: () => void;
  /** Space: a file in or out; a folder's DICOM files in, or, when some are selected, all of them out. */
  readonly toggle: () => void;
  /** Every DICOM file below the current folder (never the output folder's); with a filter, only below the rows it shows. */
  readonly selectAll: () => void;
  /** Empties the selection; a search still running then selects nothing. */
  readonly clear: () => void;
}

/** What the message line says: a text, or what the last search selected (counted against the selection). */
type Note = string | { readonly found: number; readonly fresh: number };

/** The folder browser's state: listing, filter, focus (kept by path, so it survives re-listing) and selection actions. */
export function useBrowser({ deps, dir, onDir, selection, onSelection, outDir }: BrowserOptions): Browser {
  const messages = useMessages();
  const listing = useDirectory(dir, deps.listDirectory);
  const [focus, setFocus] = useState<string | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [note, setNote] = useState<Note>('');
  const search = useFolderSearch({ deps, outDir, selection, onSelection, setNote, messages });

  const parent = path.dirname(dir);
  const { entries, rows } = browserRows(listing, filter, parent === dir, selection, outDir);
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
    setNote('');
  };
  const goUp = () => {
    if (parent !== dir) openDir(parent, dir);
  };
  /** The rows the filter shows: a file found below `dir` counts when its top-level entry is one. */
  const shown = (file: PickedFile) => {
    const top = path.relative(dir, file.path).split(path.sep)[0] ?? '';
    return entries.some((entry) => entry.name === top);
  };
  const toggle = () => {
    const entry = focused?.entry;
    if (!entry || entry.path === outDir) return;
    if (entry.kind === 'file') {
      onSelection((previous) => toggleFile(previous, entry));
      setNote('');
      return;
    }
    const inside = selectedUnder(selection, entry.path);
    if (inside.length === 0) search.selectBelow(entry.path);
    else {
      onSelection((previous) => removeFiles(previous, inside));
      setNote(messages.pick.removed(inside.length));
    }
  };
  const open = () => {
    if (!focused) return;
    if (focused.entry === undefined) goUp();
    else if (focused.entry.kind === 'folder') openDir(focused.entry.path);
    else toggle();
  };
  const message = typeof note === 'string' ? note : messages.pick.added(note.found, note.fresh, selection.size);
  return {
    listing, rows, current, filter, setFilter, message, setMessage: setNote,
    move: (delta) => moveTo(moveCursor(current, delta, rows.length)),
    moveTo, open, goUp, toggle,
    selectAll: () => (filter === '' ? search.selectBelow(dir) : search.selectBelow(dir, shown, messages.pick.noneMatching(filter))),
    clear: () => {
      search.cancel();
      onSelection(EMPTY_SELECTION);
      setNote('');
    },
  };
}

/** The entries the filter keeps, and the rows: ".." (unless `atRoot`), then those entries, each marked selected and output or not. */
function browserRows(listing: DirectoryState, filter: string, atRoot: boolean, selection: Selection, outDir: string): { readonly entries: readonly DirEntry[]; readonly rows: BrowserRow[] } {
  const wanted = filter.toLowerCase();
  const entries = listing.status === 'ready' ? listing.entries.filter((entry) => entry.name.toLowerCase().includes(wanted)) : [];
  const rows: BrowserRow[] = [
    ...(atRoot ? [] : [{ entry: undefined, selected: false, isOutput: false }]),
    ...entries.map((entry) => ({
      entry,
      selected: entry.kind === 'folder' ? selectedUnder(selection, entry.path).length > 0 : selection.has(entry.path),
      isOutput: entry.path === outDir,
    })),
  ];
  return { entries, rows };
}

interface FolderSearchOptions extends Pick<BrowserOptions, 'selection' | 'onSelection' | 'outDir'> {
  readonly deps: Pick<TuiDeps, 'findDicomFiles'>;
  readonly setNote: (note: Note) => void;
  readonly messages: Messages;
}

interface FolderSearch {
  /** Selects the DICOM files below `folder` that `keep` accepts; `none` is the note when there are none. */
  readonly selectBelow: (folder: string, keep?: (file: PickedFile) => boolean, none?: string) => void;
  /** A search still running then selects nothing. */
  readonly cancel: () => void;
}

/** Searches below a folder for DICOM files (never the output folder's) and adds what it finds to the selection. */
function useFolderSearch({ deps, outDir, selection, onSelection, setNote, messages }: FolderSearchOptions): FolderSearch {
  // The selection as last rendered, and changes since: a search that ends adds to what is selected
  // then, and counts how many of its files were new.
  const latest = useRef(selection);
  useLayoutEffect(() => {
    latest.current = selection;
  }, [selection]);
  // Bumped by cancel(): a search started before it selects nothing.
  const searches = useRef(0);
  const selectBelow = (folder: string, keep: (file: PickedFile) => boolean = () => true, none = messages.pick.noneFound) => {
    setNote(messages.pick.scanning);
    const search = searches.current;
    deps.findDicomFiles(folder, [outDir]).then(
      (found) => {
        if (search !== searches.current) return;
        const files = found.filter(keep);
        if (files.length === 0) {
          setNote(none);
          return;
        }
        const next = addFiles(latest.current, files);
        setNote({ found: files.length, fresh: next.size - latest.current.size });
        latest.current = next;
        onSelection(next);
      },
      () => search === searches.current && setNote(none),
    );
  };
  return {
    selectBelow,
    cancel: () => {
      searches.current++;
    },
  };
}

function rowKey(row: BrowserRow): string {
  return row.entry?.path ?? '..';
}
