// The daemon's burst row of `npm run bench -- --only=burst`: a whole folder of a workload renamed
// into a running watch daemon's Sources at once, as a modality or PACS that pushes a study into a
// spool folder and renames it into place (issue 21).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { samplePeakRss, type Contender, type Run } from './measure-run.js';

export interface DaemonBurstOptions {
  readonly label: string;
  /** dist/bin/dicom-tools.js */
  readonly cli: string;
  /** The workload's folder, copied afresh for every round (the daemon consumes its originals). */
  readonly inputDir: string;
  /** Where each round's Sources, staging copy, data folder and quarantine are made. */
  readonly root: string;
  readonly stableMs: number;
  /** The environment of a round's daemon, given the round's data folder: a new, empty mapping store, its tables made. */
  readonly storeEnv: (dataDir: string) => Promise<NodeJS.ProcessEnv>;
  readonly store: (env: NodeJS.ProcessEnv) => { dataDir: string; mappingUrl: string | undefined };
  readonly versus?: string;
}

/** A round's daemon, started by `prepare` and stopped by `run`. */
interface RoundDaemon {
  readonly child: ChildProcess;
  readonly sources: string;
  readonly staging: string;
  /** Lines logged so far: `anonymized …` ones are counted. */
  readonly log: { stdout: string; stderr: string };
}

/**
 * The daemon as a contender: `prepare` (untimed) copies the workload into a staging folder beside
 * Sources on the same file system, and starts a daemon on an empty Sources and a new store; `run`
 * renames the staging folder into Sources and times until the daemon has logged every file
 * `anonymized`, which it does only once the output is flushed and in place, the mapping committed,
 * the original removed (its folder flushed) and its journal entry finished. The log is counted, not
 * the folder polled, so that the benchmark takes no CPU from the daemon while it runs. Then it
 * checks that no original is left, stops the daemon (SIGTERM) and moves the folder of outputs to
 * `out` for the benchmark's verification.
 */
export function daemonBurstContender(options: DaemonBurstOptions): Contender {
  const names = readdirSync(options.inputDir);
  const folder = path.basename(options.inputDir);
  let current: RoundDaemon | undefined;
  return {
    label: options.label,
    ...(options.versus !== undefined && { versus: options.versus }),
    store: options.store,
    prepare: async (round) => {
      const base = path.join(options.root, 'burst', `${folder}-${options.label.replace(/\W+/g, '-')}-${round}`);
      const sources = path.join(base, 'Sources');
      const staging = path.join(base, 'staging', folder);
      mkdirSync(sources, { recursive: true });
      mkdirSync(path.dirname(staging), { recursive: true });
      const copied = await exited(spawn('cp', ['-r', options.inputDir, staging], { stdio: 'ignore' }));
      if (copied !== 0) throw new Error(`${options.label}: cp -r of the workload into the staging folder exited ${copied}`);
      const env = await options.storeEnv(path.join(base, 'data'));
      current = await startDaemon(options, sources, staging, { ...env, DICOM_QUARANTINE_DIR: path.join(base, 'quarantine') });
      return env;
    },
    run: async (out) => {
      const daemon = current;
      if (daemon === undefined) throw new Error(`${options.label}: run before prepare`);
      current = undefined;
      const peak = samplePeakRss(daemon.child.pid);
      const arrived = path.join(daemon.sources, folder);
      try {
        const started = process.hrtime.bigint();
        renameSync(daemon.staging, arrived);
        await allAnonymized(daemon, names.length);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const left = readdirSync(arrived).filter((name) => names.includes(name)).length;
        if (left > 0) throw new Error(`${options.label}: ${left} originals left in Sources after ${names.length} files were logged anonymized`);
        daemon.child.kill('SIGTERM');
        const code = await exited(daemon.child);
        renameSync(arrived, out);
        return { seconds, peakRssMiB: peak(), code, stderr: daemon.log.stderr } satisfies Run;
      } finally {
        peak();
        if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
      }
    },
  };
}

async function startDaemon(options: DaemonBurstOptions, sources: string, staging: string, env: NodeJS.ProcessEnv): Promise<RoundDaemon> {
  const child = spawn(process.execPath, [options.cli, 'watch', sources], {
    env: { ...process.env, ...env, DICOM_ANONYMIZE_ON_UPLOAD: 'true', DICOM_WATCH_STABLE_MS: String(options.stableMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (log.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log.stderr += chunk.toString()));
  const daemon = { child, sources, staging, log };
  await until(daemon, () => log.stdout.includes('watching'), 60_000, 'start');
  return daemon;
}

/** Resolves once `files` lines say `anonymized`; fails when the daemon exits, quarantines a file, or takes ten minutes. */
async function allAnonymized(daemon: RoundDaemon, files: number): Promise<void> {
  let counted = 0;
  let from = 0;
  await until(
    daemon,
    () => {
      const end = daemon.log.stdout.lastIndexOf('\n') + 1;
      counted += daemon.log.stdout.slice(from, end).match(/^anonymized /gm)?.length ?? 0;
      from = end;
      if (daemon.log.stderr.includes('quarantined')) throw new Error(`the daemon quarantined a file: ${daemon.log.stderr.split('\n')[0]}`);
      return counted >= files;
    },
    600_000,
    'anonymize the burst',
  );
}

async function until(daemon: RoundDaemon, done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (daemon.child.exitCode !== null) throw new Error(`the daemon exited ${daemon.child.exitCode} before it could ${what}: ${daemon.log.stderr.trim()}`);
    if (Date.now() - started > timeoutMs) throw new Error(`the daemon did not ${what} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}
