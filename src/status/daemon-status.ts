import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeSmallFileAtomically } from '../io/atomic-file.js';
import { printableText } from '../io/printable-text.js';
import { plural } from '../text/plural.js';

/** The watch daemon's status record (a small JSON file in the data folder), shown by `dicom-tools status` and the TUI. */
export interface DaemonStatus {
  readonly pid: number;
  /** ISO 8601 time the daemon started. */
  readonly runningSince: string;
  readonly watchedFolder: string;
  /** Files seen and waiting or in progress. */
  readonly queueLength: number;
  /** Files anonymized since local midnight. */
  readonly doneToday: number;
  /** Files quarantined since the daemon started. */
  readonly quarantined: number;
  /** The mapping store the daemon records into (`SQLite <file>` or `PostgreSQL <url without password>`); absent in records of older versions. */
  readonly mappingStore?: string;
  /** ISO 8601 time since which the daemon has waited for its mapping store (it takes no file meanwhile), or null. */
  readonly storeWaitingSince?: string | null;
  /** ISO 8601 time since which the watched folder has been missing (removed; it is watched again once there), or null. */
  readonly sourcesMissingSince?: string | null;
  /** The last problem: a message naming a file, never a value. */
  readonly lastError: { readonly at: string; readonly message: string } | null;
  /** 'running', 'stopping', or 'stopped' once it exited cleanly. */
  readonly state: 'running' | 'stopping' | 'stopped';
  /** ISO 8601 time of this record; the daemon refreshes it at least every few seconds. */
  readonly updatedAt: string;
}

export const DAEMON_STATUS_FILENAME = 'daemon-status.json';

/** Writes the record atomically (readers never see half a file); a write that fails (a full disk) leaves no temporary file. */
export function writeDaemonStatus(dataDir: string, status: DaemonStatus): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Rewritten every few seconds: not flushed to disk each time.
  writeSmallFileAtomically(path.join(dataDir, DAEMON_STATUS_FILENAME), `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600, durable: false });
}

/** The last record, or undefined when no daemon has run with this data folder. */
export function readDaemonStatus(dataDir: string): DaemonStatus | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, DAEMON_STATUS_FILENAME), 'utf8')) as DaemonStatus;
  } catch {
    return undefined;
  }
}

/** Whether the recorded daemon process is alive (a record left by a killed daemon says 'running' but is not). */
export function isDaemonAlive(status: DaemonStatus): boolean {
  return status.state !== 'stopped' && isProcessAlive(status.pid);
}

/** Whether a process with this pid runs (one we may not signal, EPERM, runs too). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One line per fact, for `dicom-tools status` and the TUI. */
export function describeDaemonStatus(status: DaemonStatus | undefined, now: Date = new Date()): string[] {
  if (!status) return ['Watch daemon: has not run with this data folder.'];
  const alive = isDaemonAlive(status);
  const lines = [
    `Watch daemon: ${alive ? (status.state === 'stopping' ? 'stopping' : 'running') : 'not running'}${alive ? ` (pid ${status.pid}) since ${status.runningSince}` : ''}`,
    `Watched folder: ${status.watchedFolder}`,
    `Queue: ${plural(alive ? status.queueLength : 0, 'file')}`,
    `Anonymized today: ${sameLocalDay(status.updatedAt, now) ? status.doneToday : 0}`,
    `Quarantined since start: ${status.quarantined}`,
    `Last error: ${status.lastError ? `${status.lastError.at} ${status.lastError.message}` : 'none'}`,
  ];
  if (alive && status.storeWaitingSince) lines.splice(1, 0, `Waiting for its mapping store since ${status.storeWaitingSince}: no file is taken meanwhile`);
  if (alive && status.sourcesMissingSince) lines.splice(1, 0, `Watched folder missing since ${status.sourcesMissingSince}: it is watched again once it is there`);
  if (status.mappingStore !== undefined) lines.splice(2, 0, `Daemon's mapping store: ${status.mappingStore}`);
  return lines.map(printableText);
}

function sameLocalDay(iso: string, now: Date): boolean {
  const then = new Date(iso);
  return then.getFullYear() === now.getFullYear() && then.getMonth() === now.getMonth() && then.getDate() === now.getDate();
}
