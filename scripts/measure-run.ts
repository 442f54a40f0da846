// How the benchmark times one command: wall time and peak resident memory (scripts/bench.ts and
// the daemon's burst row, scripts/daemon-burst.ts).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Run {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly code: number | null;
  readonly stderr: string;
}

/** One row of a workload's table: a command timed in every round. */
export interface Contender {
  readonly label: string;
  /** Untimed, before the disk is settled: the environment of this round's run (a new mapping store, its tables made). */
  readonly prepare?: (round: number) => Promise<NodeJS.ProcessEnv>;
  readonly run: (out: string, env: NodeJS.ProcessEnv) => Promise<Run>;
  /** For dicom-tools' rows: the mapping store a run recorded into, to count its records afterwards. */
  readonly store?: (env: NodeJS.ProcessEnv) => { dataDir: string; mappingUrl: string | undefined };
  /** Another row's label: this row's per-round ratio to it is printed too (the daemon against the batch). */
  readonly versus?: string;
}

/** Samples a process's peak resident set (VmHWM) from /proc every 20 ms until `stop` is called; `stop` returns it in MiB. */
export function samplePeakRss(pid: number | undefined): () => number {
  let peak = 0;
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peak = Math.max(peak, Number(match[1]) / 1024);
    } catch {
      // the process has just exited
    }
  };
  const timer = setInterval(sample, 20);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/** Runs a command, sampling its peak resident set while it runs. */
export function measure(command: string, commandArgs: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, commandArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const peak = samplePeakRss(child.pid);
    child.on('error', reject);
    child.on('exit', (code) => resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMiB: peak(), code, stderr }));
  });
}
