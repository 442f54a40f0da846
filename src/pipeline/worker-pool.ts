import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BatchOutcome, BatchSettings, DeidentifyTask, WorkerReply } from './deidentify-task.js';
import { internalErrorReason } from './internal-error.js';
import type { Pseudonymizer } from '../deid/pseudonyms.js';

export type OnOutcome = (index: number, outcome: BatchOutcome) => void;

/** De-identifies the inputs of a batch (read, plan, write a temporary file), in worker threads when the batch is large enough to pay for them. */
export interface WorkerPool {
  /**
   * De-identifies `tasks`, calling `onOutcome` as each is ready; stops taking new ones once `signal`
   * aborts. `threads`: use at most this many of the pool's workers.
   */
  run(tasks: readonly DeidentifyTask[], onOutcome: OnOutcome, signal?: AbortSignal, threads?: number): Promise<void>;
  close(): Promise<void>;
}

/** Smaller batches are de-identified on the calling thread: starting workers would cost more. */
const WORKER_THRESHOLD_FILES = 32;
const WORKER_THRESHOLD_BYTES = 64 << 20;

/**
 * The worker thread's script: compiled JavaScript beside this module. Node cannot start a worker
 * from TypeScript, so tests that reach the worker threads load the engine from dist/.
 */
const WORKER_SCRIPT = new URL('./deidentify-worker.js', import.meta.url);

export function createWorkerPool(settings: BatchSettings, keys: Pseudonymizer, inputs: readonly string[]): WorkerPool {
  const workers = workerThreadsFor(inputs);
  if (workers === 0) return new CallingThreadPool(settings, keys);
  const script = fileURLToPath(WORKER_SCRIPT);
  if (!existsSync(script)) throw new Error(`the worker thread's script ${script} is missing: build the package (npm run build)`);
  return new WorkerThreadPool(workers, settings, keys.secretBytes());
}

/** How many worker threads de-identify a batch of `inputs`; 0: the calling thread does. */
export function workerThreadsFor(inputs: readonly string[]): number {
  const sizes = sampleSizes(inputs);
  // Even one worker is worth it for a large batch: the event loop (the TUI) stays free while it copies.
  if (inputs.length < WORKER_THRESHOLD_FILES && sizes.total < WORKER_THRESHOLD_BYTES) return 0;
  return threadsForFiles(sizes.average, inputs.length);
}

/**
 * Large files are mostly copying in the kernel, which threads share well: a worker per core (up to
 * four, never more than files). Small files are mostly JavaScript and directory updates, which two
 * threads share badly: one worker (the README has the measurements).
 */
export function threadsForFiles(averageBytes: number, files: number): number {
  return averageBytes >= SMALL_FILE_BYTES ? Math.max(1, Math.min(MAX_THREADS, files)) : 1;
}

const MAX_THREADS = Math.min(availableParallelism(), 4);

/**
 * The watch daemon's pool: started once, kept for every group of uploads, as many workers as a
 * large batch gets (each group uses what threadsForFiles says). Without the compiled worker script
 * (the daemon's modules loaded from TypeScript, in tests) it de-identifies on the calling thread.
 */
export function createUploadPool(settings: BatchSettings, keys: Pseudonymizer): WorkerPool {
  if (!existsSync(fileURLToPath(WORKER_SCRIPT))) return new CallingThreadPool(settings, keys);
  return new WorkerThreadPool(MAX_THREADS, settings, keys.secretBytes());
}

/** Below this average size a batch is one of small files (see createWorkerPool). */
const SMALL_FILE_BYTES = 64 << 10;

/** Inputs sized to choose the threads of a batch: all of a small one, a spread of a large one. */
const SIZE_SAMPLE = 16;

/**
 * The size of a batch and the average size of its files, exact up to SIZE_SAMPLE files, else from
 * SIZE_SAMPLE of them spread over the batch: sizing every file of a large batch would cost a
 * system call each for a choice that a sample makes as well.
 */
function sampleSizes(inputs: readonly string[]): { readonly total: number; readonly average: number } {
  const step = Math.max(1, inputs.length / SIZE_SAMPLE);
  let sampled = 0;
  let bytes = 0;
  for (let position = 0; position < inputs.length; position += step) {
    bytes += statSync(inputs[Math.floor(position)] as string, { throwIfNoEntry: false })?.size ?? 0;
    sampled++;
  }
  const average = sampled === 0 ? 0 : bytes / sampled;
  return { total: average * inputs.length, average };
}

/** De-identifies on the calling thread, yielding to the event loop between files so a UI stays live. */
class CallingThreadPool implements WorkerPool {
  constructor(
    private readonly settings: BatchSettings,
    private readonly keys: Pseudonymizer,
  ) {}

  async run(tasks: readonly DeidentifyTask[], onOutcome: OnOutcome, signal?: AbortSignal): Promise<void> {
    // Loaded here: with workers, the main thread never needs the reader, planner and writer.
    const { deidentifyTask } = await import('./deidentify-task.js');
    for (const task of tasks) {
      if (signal?.aborted) return;
      onOutcome(task.index, deidentifyTask(task, this.settings, this.keys));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {}
}

/**
 * Worker threads, each given chunks of files (one message per chunk, not per file) and kept several
 * chunks ahead, so it never waits while the main thread commits and records (a SQLite transaction
 * of thousands of rows can take a good part of a second in a large store).
 */
class WorkerThreadPool implements WorkerPool {
  private readonly workers: Worker[];
  /** Set to 1 to cancel: workers look at it before each file, even in the middle of a chunk. */
  private readonly cancelled = new Int32Array(new SharedArrayBuffer(4));

  constructor(count: number, settings: BatchSettings, secret: Uint8Array) {
    this.workers = Array.from({ length: count }, () => new Worker(WORKER_SCRIPT, { workerData: { settings, secret, cancelled: this.cancelled } }));
  }

  run(tasks: readonly DeidentifyTask[], onOutcome: OnOutcome, signal?: AbortSignal, threads = this.workers.length): Promise<void> {
    signal?.addEventListener('abort', () => Atomics.store(this.cancelled, 0, 1), { once: true });
    const workers = this.workers.slice(0, Math.max(1, threads));
    return new Promise((resolve) => {
      let next = 0;
      let running = workers.length;
      const stopped = () => signal?.aborted === true || next >= tasks.length;
      const finishWorker = (worker: Worker) => {
        worker.removeAllListeners('message');
        worker.removeAllListeners('error');
        if (--running > 0) return;
        // Every worker failed: what was never handed out fails too rather than vanishing.
        while (!stopped()) {
          const task = tasks[next++] as DeidentifyTask;
          onOutcome(task.index, { kind: 'not-written', result: { input: task.input, status: 'failed', code: 'BUG', reason: internalErrorReason(task.input, new Error('no worker thread left')) } });
        }
        resolve();
      };
      for (const worker of workers) {
        const unfinished = new Map<number, DeidentifyTask>();
        let chunks = 0;
        const dispatch = () => {
          if (stopped()) return;
          // Smaller chunks towards the end keep every worker busy to the last file.
          const size = Math.max(1, Math.min(CHUNK_FILES, Math.ceil((tasks.length - next) / (workers.length * 4))));
          const chunk = tasks.slice(next, next + size);
          next += chunk.length;
          for (const task of chunk) unfinished.set(task.index, task);
          chunks++;
          worker.postMessage(chunk);
        };
        worker.on('message', (message: WorkerReply) => {
          for (const { index, outcome } of message.outcomes) {
            unfinished.delete(index);
            onOutcome(index, outcome);
          }
          if (!message.last) return;
          chunks--;
          dispatch();
          if (chunks === 0) finishWorker(worker);
        });
        worker.on('error', (error) => {
          // A bug, not a bad file (those become results): its files fail loudly, the others go on.
          for (const task of unfinished.values()) onOutcome(task.index, { kind: 'not-written', result: { input: task.input, status: 'failed', code: 'BUG', reason: internalErrorReason(task.input, error) } });
          finishWorker(worker);
        });
        for (let queued = 0; queued < CHUNKS_AHEAD; queued++) dispatch();
        if (chunks === 0) finishWorker(worker);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** Files per message to a worker, and messages waiting in each worker's queue. */
const CHUNK_FILES = 32;
const CHUNKS_AHEAD = 4;
