import { appendFileSync, chmodSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileClockAgrees, SettleTracker } from '../daemon/settle-tracker.js';
import { SourcesWatch, type FileLook } from '../daemon/sources-watch.js';
import { waitUntil } from './helpers/daemon-process.js';

// The daemon's own watch of Sources (issue 21): one readdir per folder and poll, an lstat only for
// names not seen before, kernel notes to see uploads at once; and the settle rule it feeds.

const watches: SourcesWatch[] = [];
afterEach(() => {
  for (const watch of watches.splice(0)) watch.close();
});

function sources(): string {
  return mkdtempSync(path.join(tmpdir(), 'sources-watch-'));
}

interface Told {
  readonly added: string[];
  readonly changed: string[];
  readonly gone: string[];
  readonly unreadable: string[];
}

function startWatch(root: string, options: { pollMs: number; kernelNotes?: boolean; ignored?: (file: string) => boolean; keep?: (file: string) => boolean }): { watch: SourcesWatch; told: Told } {
  const told: Told = { added: [], changed: [], gone: [], unreadable: [] };
  const watch = new SourcesWatch(
    root,
    { pollMs: options.pollMs, ignored: options.ignored ?? (() => false), ...(options.kernelNotes !== undefined && { kernelNotes: options.kernelNotes }) },
    {
      add: (file) => {
        told.added.push(path.relative(root, file));
        return options.keep?.(file) ?? true;
      },
      change: (file) => void told.changed.push(path.relative(root, file)),
      unlink: (file) => void told.gone.push(path.relative(root, file)),
      unreadable: (folder) => void told.unreadable.push(path.relative(root, folder)),
    },
  );
  watches.push(watch);
  watch.start();
  return { watch, told };
}

describe('the watch of Sources', () => {
  it('reports every regular file there at start, in every folder, but no hidden, temporary, linked or ignored one', () => {
    const root = sources();
    mkdirSync(path.join(root, 'study', 'series'), { recursive: true });
    mkdirSync(path.join(root, 'quarantine'));
    for (const name of ['a.dcm', 'study/b', 'study/series/c.dcm', '.hidden.dcm', 'study/.x.dcm.1a2b3c.tmp', 'quarantine/q.dcm']) writeFileSync(path.join(root, name), 'x');
    symlinkSync(path.join(root, 'a.dcm'), path.join(root, 'link.dcm'));
    const { told } = startWatch(root, { pollMs: 60_000, ignored: (file) => file === path.join(root, 'quarantine') });
    expect(told.added.sort()).toEqual(['a.dcm', 'study/b', 'study/series/c.dcm']);
  });

  it('sees a new upload, in a new folder too, through the kernel long before the next poll', async () => {
    const root = sources();
    const { told } = startWatch(root, { pollMs: 60_000 });
    writeFileSync(path.join(root, 'one.dcm'), 'x');
    await waitUntil(() => told.added.includes('one.dcm'), 'the new file to be reported', 5_000);
    const staged = mkdtempSync(path.join(tmpdir(), 'staged-'));
    mkdirSync(path.join(staged, 'inner'));
    writeFileSync(path.join(staged, 'inner', 'two.dcm'), 'x');
    renameSync(staged, path.join(root, 'study'));
    await waitUntil(() => told.added.includes('study/inner/two.dcm'), 'the renamed-in folder to be read', 5_000);
  });

  it('without kernel notes, finds new, changed and removed files by polling', async () => {
    const root = sources();
    writeFileSync(path.join(root, 'resting.dcm'), 'x');
    mkdirSync(path.join(root, 'study'));
    writeFileSync(path.join(root, 'study', 'inner.dcm'), 'x');
    const { told } = startWatch(root, { pollMs: 30, kernelNotes: false });
    writeFileSync(path.join(root, 'new.dcm'), 'x');
    await waitUntil(() => told.added.includes('new.dcm'), 'the new file to be polled', 5_000);
    appendFileSync(path.join(root, 'resting.dcm'), 'more');
    await waitUntil(() => told.changed.includes('resting.dcm'), 'the change to be polled', 5_000);
    rmSync(path.join(root, 'study'), { recursive: true });
    rmSync(path.join(root, 'new.dcm'));
    await waitUntil(() => told.gone.length === 2, 'both removals to be polled', 5_000);
    expect(told.gone.sort()).toEqual(['new.dcm', 'study/inner.dcm']);
  });

  it('looks no more at a file it was told to leave (an output), until told to look again', async () => {
    const root = sources();
    writeFileSync(path.join(root, 'output.dcm'), 'x');
    writeFileSync(path.join(root, 'upload.dcm'), 'x');
    writeFileSync(path.join(root, 'unwatched.dcm'), 'x');
    const { watch, told } = startWatch(root, { pollMs: 30, keep: (file) => !file.endsWith('output.dcm') });
    watch.unwatch(path.join(root, 'unwatched.dcm'));
    appendFileSync(path.join(root, 'output.dcm'), 'copied over');
    appendFileSync(path.join(root, 'unwatched.dcm'), 'copied over');
    appendFileSync(path.join(root, 'upload.dcm'), 'grown');
    await waitUntil(() => told.changed.includes('upload.dcm'), 'the upload change to be seen', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(told.changed).not.toContain('output.dcm');
    expect(told.changed).not.toContain('unwatched.dcm');
    watch.resume(path.join(root, 'output.dcm'));
    appendFileSync(path.join(root, 'output.dcm'), 'again');
    await waitUntil(() => told.changed.includes('output.dcm'), 'the resumed file change to be seen', 5_000);
    // A replaced file (a new inode under the name) is a change too.
    const other = path.join(root, '.incoming');
    writeFileSync(other, 'x');
    renameSync(other, path.join(root, 'upload.dcm'));
    await waitUntil(() => told.changed.filter((name) => name === 'upload.dcm').length === 2, 'the replacement to be seen', 5_000);
  });

  it.skipIf(process.getuid?.() === 0)('tells once about a folder it cannot read, and reads it once it can', async () => {
    const root = sources();
    mkdirSync(path.join(root, 'closed'));
    writeFileSync(path.join(root, 'closed', 'inside.dcm'), 'x');
    chmodSync(path.join(root, 'closed'), 0o000);
    const { told } = startWatch(root, { pollMs: 20, kernelNotes: false });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(told.unreadable).toEqual(['closed']);
    chmodSync(path.join(root, 'closed'), 0o700);
    await waitUntil(() => told.added.includes('closed/inside.dcm'), 'the opened folder to be read', 5_000);
  });
});

const look = (ctimeMs: number): FileLook => ({ size: 10, mtimeMs: 1, ctimeMs, ino: 1 });

describe('the settle rule', () => {
  it('hands on a file only after it stayed unchanged for the stable time', () => {
    const root = sources();
    const file = path.join(root, 'upload.dcm');
    writeFileSync(file, 'x');
    let now = 1_000_000;
    const settle = new SettleTracker(500, () => now);
    settle.touch(file);
    expect(settle.settled()).toEqual([]);
    now += 500;
    // First look: no size known yet, so it waits another stable time.
    expect(settle.settled()).toEqual([]);
    now += 499;
    expect(settle.settled()).toEqual([]);
    now += 1;
    expect(settle.settled()).toEqual([file]);
  });

  it('takes a file whose ctime is already the stable time old at once, only where ctimes are trusted', () => {
    const root = sources();
    const file = path.join(root, 'old.dcm');
    writeFileSync(file, '0123456789');
    const { mtimeMs, ctimeMs, size, ino } = statOf(file);
    const now = () => ctimeMs + 10_000;
    const trusted = new SettleTracker(500, now, true);
    trusted.touch(file, { size, mtimeMs, ctimeMs, ino });
    expect(trusted.settled()).toEqual([file]);
    const untrusted = new SettleTracker(500, now, false);
    untrusted.touch(file, { size, mtimeMs, ctimeMs, ino });
    expect(untrusted.settled()).toEqual([]);
    // A fresh ctime proves nothing.
    const fresh = new SettleTracker(500, () => ctimeMs + 50, true);
    fresh.touch(file, { size, mtimeMs, ctimeMs, ino });
    expect(fresh.settled()).toEqual([]);
    // A change seen later starts the wait again, whatever the ctime.
    const changed = new SettleTracker(500, now, true);
    changed.touch(file, { size, mtimeMs, ctimeMs, ino });
    changed.touch(file, look(ctimeMs));
    expect(changed.settled()).toEqual([]);
  });

  it('trusts ctimes on a local file system, whose clock is ours', () => {
    expect(fileClockAgrees(sources())).toBe(true);
    expect(fileClockAgrees(path.join(sources(), 'missing'))).toBe(false);
  });
});

function statOf(file: string): FileLook {
  const { size, mtimeMs, ctimeMs, ino } = lstatSync(file);
  return { size, mtimeMs, ctimeMs, ino };
}
