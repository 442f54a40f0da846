import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prepareOutput, type PrepareOutcome, type PrepareSettings } from './prepare-output.js';
import type { Pseudonymizer } from './pseudonyms.js';

/** Prepares outputs, in worker threads when the batch is large enough to pay for them. */
export interface Preparer {
  prepare(input: string, named: boolean): Promise<PrepareOutcome>;
  close(): Promise<void>;
}

/** Batches smaller than this are prepared on the main thread: starting workers costs more. */
const WORKER_THRESHOLD = 64;

const WORKER_SCRIPT = new URL('./prepare-worker.js', import.meta.url);

export function createPreparer(settings: PrepareSettings, keys: Pseudonymizer, files: number): Preparer {
  const workers = Math.min(availableParallelism(), 4);
  // The worker script is compiled JavaScript; run from TypeScript sources there is none, and the
  // main thread prepares everything itself.
  if (files < WORKER_THRESHOLD || workers < 2 || !existsSync(fileURLToPath(WORKER_SCRIPT))) {
    return { prepare: (input, named) => prepareOutput(input, named, settings, keys), close: async () => undefined };
  }
  return new WorkerPool(workers, settings, keys.secretBytes());
}

class WorkerPool implements Preparer {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, (outcome: PrepareOutcome) => void>();
  private nextId = 0;

  constructor(count: number, settings: PrepareSettings, secret: Uint8Array) {
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(WORKER_SCRIPT, { workerData: { settings, secret } });
      worker.on('message', (message: { id: number; outcome: PrepareOutcome }) => {
        this.waiting.get(message.id)?.(message.outcome);
        this.waiting.delete(message.id);
      });
      worker.on('error', (error) => {
        for (const [id, resolve] of this.waiting) {
          resolve({ kind: 'done', result: { input: '', status: 'failed', code: 'BUG', reason: `internal error in a worker (please report): ${error.message}` } });
          this.waiting.delete(id);
        }
      });
      return worker;
    });
  }

  prepare(input: string, named: boolean): Promise<PrepareOutcome> {
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length];
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      worker?.postMessage({ id, input, named });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
