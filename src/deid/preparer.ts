import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { internalErrorReason } from './internal-error.js';
import type { PrepareOutcome, PrepareSettings } from './prepare-output.js';
import type { Pseudonymizer } from './pseudonyms.js';

/** One input to prepare; `index` is its place in the batch. */
export interface PrepareTask {
  readonly index: number;
  readonly input: string;
  readonly named: boolean;
}

/** What a worker sends back: outcomes of part of a chunk, `last` on the chunk's final message. */
export interface PreparedMessage {
  readonly outcomes: readonly { readonly index: number; readonly outcome: PrepareOutcome }[];
  readonly last: boolean;
}

export type OnOutcome = (index: number, outcome: PrepareOutcome) => void;

/** Prepares outputs (read, de-identify, write a temporary file), in worker threads when the batch is large enough to pay for them. */
export interface Preparer {
  /** Prepares `tasks`, calling `onOutcome` as each is ready; stops taking new ones once `signal` aborts. */
  run(tasks: readonly PrepareTask[], onOutcome: OnOutcome, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Smaller batches are prepared on the main thread: starting workers would cost more. */
const WORKER_THRESHOLD_FILES = 32;
const WORKER_THRESHOLD_BYTES = 64 << 20;

const WORKER_SCRIPT = new URL('./prepare-worker.js', import.meta.url);

export function createPreparer(settings: PrepareSettings, keys: Pseudonymizer, inputs: readonly string[]): Preparer {
  // A worker per core (the main thread's share, naming, renaming and recording, is small), and no
  // more workers than files: an idle worker still costs its start-up and its memory. On the 2-core
  // test machine two workers beat one for 5000 small files (3.2 s against 3.7-4.3 s), where each
  // file waits in the kernel to be created; one was 10-15 % faster for 2000 large ones.
  const workers = Math.min(availableParallelism(), 4, inputs.length);
  const large = inputs.length >= WORKER_THRESHOLD_FILES || bytesOf(inputs) >= WORKER_THRESHOLD_BYTES;
  // The worker script is compiled JavaScript; run from TypeScript sources there is none, and the
  // main thread prepares everything itself.
  // Even one worker is worth it for a large batch: the event loop (the TUI) stays free while it copies.
  if (!large || !existsSync(fileURLToPath(WORKER_SCRIPT))) return new InProcessPreparer(settings, keys);
  return new WorkerPool(workers, settings, keys.secretBytes());
}

/** Total size of a few files (only small batches are sized: a large one uses workers anyway). */
function bytesOf(inputs: readonly string[]): number {
  return inputs.reduce((sum, input) => sum + (statSync(input, { throwIfNoEntry: false })?.size ?? 0), 0);
}

/** Prepares on the calling thread, yielding to the event loop between files so a UI stays live. */
class InProcessPreparer implements Preparer {
  constructor(
    private readonly settings: PrepareSettings,
    private readonly keys: Pseudonymizer,
  ) {}

  async run(tasks: readonly PrepareTask[], onOutcome: OnOutcome, signal?: AbortSignal): Promise<void> {
    // Loaded here: with workers, the main thread never needs the reader, planner and writer.
    const { prepareOutput } = await import('./prepare-output.js');
    for (const task of tasks) {
      if (signal?.aborted) return;
      onOutcome(task.index, prepareOutput(task.input, task.named, this.settings, this.keys));
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
class WorkerPool implements Preparer {
  private readonly workers: Worker[];
  /** Set to 1 to cancel: workers look at it before each file, even in the middle of a chunk. */
  private readonly cancelled = new Int32Array(new SharedArrayBuffer(4));

  constructor(count: number, settings: PrepareSettings, secret: Uint8Array) {
    this.workers = Array.from({ length: count }, () => new Worker(WORKER_SCRIPT, { workerData: { settings, secret, cancelled: this.cancelled } }));
  }

  run(tasks: readonly PrepareTask[], onOutcome: OnOutcome, signal?: AbortSignal): Promise<void> {
    signal?.addEventListener('abort', () => Atomics.store(this.cancelled, 0, 1), { once: true });
    return new Promise((resolve) => {
      let next = 0;
      let running = this.workers.length;
      const stopped = () => signal?.aborted === true || next >= tasks.length;
      const finishWorker = (worker: Worker) => {
        worker.removeAllListeners('message');
        worker.removeAllListeners('error');
        if (--running > 0) return;
        // Every worker failed: what was never handed out fails too rather than vanishing.
        while (!stopped()) {
          const task = tasks[next++] as PrepareTask;
          onOutcome(task.index, { kind: 'done', result: { input: task.input, status: 'failed', code: 'BUG', reason: internalErrorReason(task.input, new Error('no worker thread left')) } });
        }
        resolve();
      };
      for (const worker of this.workers) {
        const unfinished = new Map<number, PrepareTask>();
        let chunks = 0;
        const dispatch = () => {
          if (stopped()) return;
          // Smaller chunks towards the end keep every worker busy to the last file.
          const size = Math.max(1, Math.min(CHUNK_FILES, Math.ceil((tasks.length - next) / (this.workers.length * 4))));
          const chunk = tasks.slice(next, next + size);
          next += chunk.length;
          for (const task of chunk) unfinished.set(task.index, task);
          chunks++;
          worker.postMessage(chunk);
        };
        worker.on('message', (message: PreparedMessage) => {
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
          for (const task of unfinished.values()) onOutcome(task.index, { kind: 'done', result: { input: task.input, status: 'failed', code: 'BUG', reason: internalErrorReason(task.input, error) } });
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
