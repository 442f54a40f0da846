import { lstatSync, readdirSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { isTemporary } from '../src/index.js';

/** What the watch reports; a file is reported by its full path. */
export interface SourcesEvents {
  /** A file not seen before (at start: every file there); false: not to be looked at again (as unwatch). */
  readonly add: (file: string, seen: FileLook) => boolean;
  /** A file seen before was written to, or replaced by another. */
  readonly change: (file: string, seen: FileLook) => void;
  readonly unlink: (file: string) => void;
  /** A folder inside Sources cannot be read (told once until it can be again). */
  readonly unreadable: (folder: string, error: unknown) => void;
}

/** What a look at a file saw; -1 when it could not be looked at. */
export interface FileLook {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

export interface SourcesWatchOptions {
  /** How often every folder is read again, whatever the kernel told. */
  readonly pollMs: number;
  /** Paths never watched (our quarantine, when it sits inside Sources). */
  readonly ignored: (file: string) => boolean;
  /** Whether to ask the kernel for notes about folders (default true); without, only the poll finds changes. */
  readonly kernelNotes?: boolean;
  /** Files known without a look to be the daemon's own (its outputs): neither looked at nor reported. */
  readonly isOwn?: (file: string) => boolean;
}

/** A file's last look; `quiet`: no longer looked at (our outputs: the daemon sweeps them itself). */
interface Known {
  look: FileLook;
  quiet: boolean;
}

/** Files of one folder looked at again per poll, in turn: a bounded cost however many rest there. */
const LOOKS_PER_POLL = 64;
/** Folders given a kernel watch (inotify); more are only polled. */
const MAX_NOTED_FOLDERS = 1000;

/**
 * Watches the files in the Sources tree for the daemon, at a cost per new file, not per file held:
 * each poll reads every folder once (one readdir, no stat per file) and looks only at names it has
 * not seen (one lstat each), plus a few resting files in turn for a change. The kernel's notes
 * about a folder (fs.watch) name what came, went or was written, which is looked at at once, so an
 * upload is seen in milliseconds; the poll is what the daemon relies on, so notes lost or
 * unsupported (network file systems) only cost time. Hidden and temporary names, symbolic links and special files are never reported: the
 * daemon would leave them alone.
 */
export class SourcesWatch {
  private readonly folders = new Map<string, FolderWatch>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly options: SourcesWatchOptions,
    private readonly events: SourcesEvents,
  ) {}

  /** Reads the whole tree (what is there counts as added), then polls. */
  start(): void {
    this.readFolder(this.root);
    this.timer = setInterval(() => this.poll(), this.options.pollMs);
  }

  /** Stops looking at `file` for changes (it stays known: its name in a folder is no news). */
  unwatch(file: string): void {
    const known = this.folders.get(path.dirname(file))?.files.get(path.basename(file));
    if (known !== undefined) known.quiet = true;
  }

  /** Looks at `file` for changes again, from how it is now (one of our outputs replaced by an upload). */
  resume(file: string): void {
    const known = this.folders.get(path.dirname(file))?.files.get(path.basename(file));
    const look = lookAt(file);
    if (known === undefined || look === undefined) return;
    Object.assign(known, { look, quiet: false });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const folder of this.folders.values()) folder.note?.close();
    this.folders.clear();
  }

  private poll(): void {
    if (this.closed) return;
    this.readFolder(this.root);
    for (const [folder, state] of this.folders) if (state.files.size > 0) this.lookAgain(folder, state);
  }

  /** Reads a folder (and the folders in it) and reports what came and went since the last read. */
  private readFolder(folder: string, recurse = true): void {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      this.lost(folder, error);
      return;
    }
    let state = this.folders.get(folder);
    if (state === undefined) {
      state = { files: new Map(), folders: new Set(), unreadable: false, note: this.noteFolder(folder) };
      this.folders.set(folder, state);
    }
    // Readable again: the kernel watch it could not have while it was not.
    if (state.unreadable) state.note ??= this.noteFolder(folder);
    state.unreadable = false;
    const present = new Set<string>();
    const folders = new Set<string>();
    for (const entry of entries) {
      const { name } = entry;
      if (entry.isDirectory()) {
        const full = path.join(folder, name);
        if (this.options.ignored(full)) continue;
        folders.add(name);
        if (recurse || !state.folders.has(name)) this.readFolder(full);
        continue;
      }
      if (!entry.isFile() || isHiddenName(name)) continue;
      present.add(name);
      // A name already known costs nothing more: no path, no look.
      if (!state.files.has(name)) this.found(folder, state, name);
    }
    for (const name of state.files.keys()) {
      if (present.has(name)) continue;
      state.files.delete(name);
      this.events.unlink(path.join(folder, name));
    }
    for (const name of state.folders) if (!folders.has(name)) this.forgetFolder(path.join(folder, name));
    state.folders = folders;
  }

  /** A folder that cannot be read: gone (its files are reported gone), or unreadable (told once). */
  private lost(folder: string, error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      this.forgetFolder(folder);
      return;
    }
    const state = this.folders.get(folder);
    if (state?.unreadable === true) return;
    if (state !== undefined) state.unreadable = true;
    else this.folders.set(folder, { files: new Map(), folders: new Set(), unreadable: true, note: undefined });
    this.events.unreadable(folder, error);
  }

  private forgetFolder(folder: string): void {
    const state = this.folders.get(folder);
    if (state === undefined) return;
    this.folders.delete(folder);
    state.note?.close();
    for (const name of state.files.keys()) this.events.unlink(path.join(folder, name));
    for (const name of state.folders) this.forgetFolder(path.join(folder, name));
  }

  /**
   * Looks at up to LOOKS_PER_POLL of a folder's resting files for a change, going on where the last
   * poll stopped (as OutputSweep does); our outputs are passed over without a look.
   */
  private lookAgain(folder: string, state: FolderWatch): void {
    let looked = 0;
    for (let step = 0; step < state.files.size && looked < LOOKS_PER_POLL; step++) {
      let next = state.cursor?.next();
      if (next === undefined || next.done === true) {
        state.cursor = state.files.entries();
        next = state.cursor.next();
        if (next.done === true) return;
      }
      const [name, known] = next.value;
      if (known.quiet) continue;
      looked++;
      this.compare(path.join(folder, name), known);
    }
  }

  private compare(file: string, known: Known): void {
    const look = lookAt(file);
    // Gone, or no longer a file: the next read of its folder reports it.
    if (look !== undefined) this.compareWith(file, known, look);
  }

  private compareWith(file: string, known: Known, look: FileLook): void {
    if (look.size === known.look.size && look.mtimeMs === known.look.mtimeMs && look.ino === known.look.ino) return;
    known.look = look;
    this.events.change(file, look);
  }

  /** A kernel watch on the folder (onNote); undefined when the kernel will not (no watches left). */
  private noteFolder(folder: string): FSWatcher | undefined {
    if (this.options.kernelNotes === false || this.folders.size >= MAX_NOTED_FOLDERS) return undefined;
    try {
      const note = watch(folder, { persistent: false }, (kind, name) => this.onNote(folder, kind, name));
      // A watch that fails later (the folder removed) is closed; the poll carries on.
      note.on('error', () => note.close());
      return note;
    } catch {
      return undefined;
    }
  }

  /**
   * A kernel note names what changed in the folder: that one name is looked at (no read of the
   * whole folder, which a burst would make quadratic). A note without a name reads the folder.
   */
  private onNote(folder: string, kind: string, name: string | Buffer | null): void {
    const state = this.folders.get(folder);
    if (this.closed || state === undefined) return;
    if (typeof name !== 'string' || name === '') {
      this.readFolder(folder, false);
      return;
    }
    // Our temporary files and a hidden upload in progress: written to often, never reported.
    if (isHiddenName(name) && !state.folders.has(name)) {
      if (kind === 'rename') this.readHiddenFolder(folder, state, name);
      return;
    }
    const known = state.files.get(name);
    if (kind === 'change' && known !== undefined) {
      if (!known.quiet) this.compare(path.join(folder, name), known);
      return;
    }
    this.lookAtName(folder, state, name);
  }

  /** What is at one name of a folder now: a new file or folder is reported, a gone one forgotten. */
  private lookAtName(folder: string, state: FolderWatch, name: string): void {
    const full = path.join(folder, name);
    const known = state.files.get(name);
    if (known === undefined && this.isOwn(full)) {
      state.files.set(name, { look: UNSEEN, quiet: true });
      return;
    }
    const look = lookAtPath(full);
    const kind = look === undefined ? 'gone' : look === 'other' ? 'other' : look === 'folder' ? 'folder' : 'file';
    if (kind === 'file' && known !== undefined) {
      if (!known.quiet) this.compareWith(full, known, look as FileLook);
    } else if (kind === 'file' && !isHiddenName(name)) {
      this.report(full, state, name, look as FileLook);
    } else if (kind === 'folder' && !state.folders.has(name) && !this.options.ignored(full)) {
      state.folders.add(name);
      this.readFolder(full);
    }
    if (kind !== 'file' && known !== undefined) {
      state.files.delete(name);
      this.events.unlink(full);
    }
    if (kind !== 'folder' && state.folders.delete(name)) this.forgetFolder(full);
  }

  /** A hidden folder (an uploader's staging folder) is read like any other; a hidden file is not. */
  private readHiddenFolder(folder: string, state: FolderWatch, name: string): void {
    const full = path.join(folder, name);
    if (lookAtPath(full) === 'folder' && !this.options.ignored(full)) {
      state.folders.add(name);
      this.readFolder(full);
    }
  }

  /** A file name not seen before in the folder: looked at once and reported, unless it is not a regular file (or gone). */
  private found(folder: string, state: FolderWatch, name: string): void {
    const full = path.join(folder, name);
    if (this.isOwn(full)) {
      state.files.set(name, { look: UNSEEN, quiet: true });
      return;
    }
    const look = lookAt(full);
    if (look !== undefined) this.report(full, state, name, look);
  }

  private report(full: string, state: FolderWatch, name: string, look: FileLook): void {
    const known = { look, quiet: false };
    state.files.set(name, known);
    known.quiet = !this.events.add(full, look);
  }

  private isOwn(file: string): boolean {
    return this.options.isOwn?.(file) === true;
  }
}

/** The look of a file known without looking (the daemon's own output). */
const UNSEEN: FileLook = { size: -1, mtimeMs: -1, ctimeMs: -1, ino: -1 };

/** Hidden and temporary names (ours, an uploader's file in progress): the daemon leaves them alone. */
function isHiddenName(name: string): boolean {
  return name.startsWith('.') || isTemporary(name);
}

/** What is at a path, without following a link: a regular file's look, a folder, something else, or nothing (undefined). */
function lookAtPath(file: string): FileLook | 'folder' | 'other' | undefined {
  let stat;
  try {
    stat = lstatSync(file, { throwIfNoEntry: false });
  } catch {
    return 'other';
  }
  if (stat === undefined) return undefined;
  if (stat.isDirectory()) return 'folder';
  return stat.isFile() ? { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino } : 'other';
}

interface FolderWatch {
  readonly files: Map<string, Known>;
  /** Names of the folders in it, as last read. */
  folders: Set<string>;
  unreadable: boolean;
  /** The kernel watch, once one could be had (an unreadable folder gets one when it is read). */
  note: FSWatcher | undefined;
  /** Where the next look at resting files goes on. */
  cursor?: Iterator<[string, Known]>;
}

/** A look at a regular file; undefined when it is gone or not a regular file. */
function lookAt(file: string): FileLook | undefined {
  const look = lookAtPath(file);
  return typeof look === 'object' ? look : undefined;
}
