import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

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
  return new Promise((resolve) => {
    // Absolute, so a folder named like an option ("-x") is never read as one.
    const child = spawn(command, ['-f', path.resolve(directory)], { stdio: 'ignore' });
    child.on('error', () => {
      program = null;
      resolve(false);
    });
    child.on('exit', (code) => resolve(code === 0));
  });
}
