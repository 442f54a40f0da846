import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ElementEdit } from '../../src/dicom/edits.js';
import { readDicomFile } from '../../src/dicom/read-file.js';
import type { Tag } from '../../src/dicom/tag.js';
import { writeDicomFile } from '../../src/dicom/write-dicom-file.js';
import type { RecordedFile } from '../../src/store/mapping-record.js';
import { SqliteMappingStore } from '../../src/store/sqlite-mapping-store.js';
import { LOCK_FILENAME } from '../../daemon/instance-lock.js';
import { CLI } from './run-cli.js';

/** A real `dicom-tools watch` process and what it printed. */
export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Starts the daemon; `cwd` is where it looks for `.env`. A variable set to undefined in `env` is left out. */
export function startDaemon(sources: string, env: NodeJS.ProcessEnv, args: readonly string[] = [], cwd?: string): DaemonProcess {
  const child = spawn(process.execPath, [CLI, 'watch', sources, ...args], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** A test daemon's folders under `base` (Sources made) and its environment: quick settling and retries. */
export function daemonCase(base: string, secret: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const sources = path.join(base, 'sources');
  const quarantine = path.join(base, 'quarantine');
  const data = path.join(base, 'data');
  mkdirSync(sources, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    DICOM_ANONYMIZE_ON_UPLOAD: 'true',
    DICOM_DATA_DIR: data,
    DICOM_QUARANTINE_DIR: quarantine,
    DICOM_ANON_SECRET: secret,
    DICOM_WATCH_STABLE_MS: '300',
    DICOM_WATCH_RETRY_MS: '100',
    ...extraEnv,
  };
  return { base, sources, quarantine, data, env };
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. Waits on state, not on time. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every file below `folder`, relative, sorted; the daemon's own lock file is left out. */
export function filesBelow(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && entry.name !== LOCK_FILENAME)
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Writes `count` distinct DICOM instances made from a corpus file (new SOP Instance UID and Patient
 * ID each) into `folder`, named `IM<n>` without extension. Returns their SOP Instance UIDs.
 */
export async function makeInstances(base: string, folder: string, count: number, prefix = 'IM'): Promise<string[]> {
  mkdirSync(folder, { recursive: true });
  const file = readDicomFile(base);
  const uids: string[] = [];
  for (let index = 0; index < count; index++) {
    const uid = `1.2.826.0.1.3680043.10.777.${prefix.length}.${index + 1}`;
    uids.push(uid);
    const edits = new Map<Tag, ElementEdit>([
      [0x00080018, { op: 'set', value: uid }],
      [0x00100020, { op: 'set', value: `PATIENT-${index % 7}` }],
    ]);
    await writeDicomFile(file, edits, path.join(folder, `${prefix}${index + 1}`));
  }
  return uids;
}

/** Kills (SIGKILL) every daemon a test left running, and waits for each to exit: for afterEach. */
export async function killLeftRunning(running: DaemonProcess[]): Promise<void> {
  for (const daemon of running.splice(0)) {
    if (daemon.child.exitCode === null && daemon.child.signalCode === null) {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
  }
}

/** The files recorded in the SQLite store of a data folder (opened and closed again). */
export function recordsIn(dataDir: string): RecordedFile[] {
  const store = SqliteMappingStore.open(dataDir);
  try {
    return store.records();
  } finally {
    store.close();
  }
}
