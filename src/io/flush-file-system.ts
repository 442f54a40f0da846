import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

// Node has no syncfs(2). coreutils' `sync -f PATH` calls it for the file system holding PATH and
// exits non-zero when it fails (Linux reports write-back errors through syncfs since 5.8). Taken
// from fixed places, not from PATH, so nothing else can stand in for it.
const SYNC_PROGRAMS = ['/usr/bin/sync', '/bin/sync'];

let program: string | null | undefined;

function syncProgram(): string | null {
  if (program === undefined) program = process.platform === 'linux' ? (SYNC_PROGRAMS.find((candidate) => existsSync(candidate)) ?? null) : null;
  return program;
}

/**
 * Flushes everything written to the file system that holds `directory` (syncfs). Resolves true
 * once it is on disk, false when that cannot be done here (no `sync -f`, or it failed): the caller
 * then flushes its files one by one.
 */
export function flushFileSystem(directory: string): Promise<boolean> {
  const command = syncProgram();
  if (!command) return Promise.resolve(false);
  // Absolute, so a folder named like an option ("-x") is never read as one.
  const absolute = path.resolve(directory);
  // A line per request: a folder whose name holds a line break gets a process of its own.
  if (absolute.includes('\n')) return syncOnce(command, absolute);
  helper ??= new SyncHelper(command);
  return helper.flush(absolute);
}

function syncOnce(command: string, directory: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, ['-f', directory], { stdio: 'ignore' });
    child.on('error', () => {
      program = null;
      resolve(false);
    });
    child.on('exit', (code) => resolve(code === 0));
  });
}

/**
 * Reads a folder per line and answers 0 (flushed) or 1 (failed) per line, running `sync -f` for
 * each: the shell's fork of itself is cheap, where Node's spawn of `sync` costs the main thread
 * 15-20 ms (a daemon's burst of 5000 small files spawned one per group of 256).
 */
const HELPER_SCRIPT = 'while IFS= read -r dir; do if "$0" -f "$dir"; then echo 0; else echo 1; fi; done';

let helper: SyncHelper | undefined;

/**
 * One shell kept for the process's life, started on the first flush; it holds the process open
 * only while a flush is waiting. If it dies, the flushes waiting fail (their callers flush file
 * by file) and the next flush starts another.
 */
class SyncHelper {
  private child: ChildProcessByStdio<Writable, Readable, null> | undefined;
  private readonly waiting: ((flushed: boolean) => void)[] = [];
  private answers = '';

  constructor(private readonly command: string) {}

  flush(directory: string): Promise<boolean> {
    const child = this.started();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      holdOpen(child, true);
      child.stdin.write(`${directory}\n`);
    });
  }

  private started(): ChildProcessByStdio<Writable, Readable, null> {
    if (this.child !== undefined) return this.child;
    const child = spawn('/bin/sh', ['-c', HELPER_SCRIPT, this.command], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    child.unref();
    holdOpen(child, false);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.answered(chunk));
    // A write after the shell died: its exit below fails what waits.
    child.stdin.on('error', () => {});
    const gone = () => {
      if (this.child !== child) return;
      this.child = undefined;
      this.answers = '';
      for (const resolve of this.waiting.splice(0)) resolve(false);
    };
    child.on('error', gone);
    child.on('exit', gone);
    return child;
  }

  private answered(chunk: string): void {
    this.answers += chunk;
    for (let end = this.answers.indexOf('\n'); end >= 0; end = this.answers.indexOf('\n')) {
      const answer = this.answers.slice(0, end);
      this.answers = this.answers.slice(end + 1);
      this.waiting.shift()?.(answer === '0');
    }
    if (this.waiting.length === 0 && this.child !== undefined) holdOpen(this.child, false);
  }
}

/** Whether the helper's pipes keep the process running: only while a flush waits for its answer. */
function holdOpen(child: ChildProcessByStdio<Writable, Readable, null>, open: boolean): void {
  for (const stream of [child.stdin, child.stdout] as unknown as { ref?: () => void; unref?: () => void }[]) {
    if (open) stream.ref?.();
    else stream.unref?.();
  }
}
