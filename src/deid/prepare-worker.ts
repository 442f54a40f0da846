// A worker thread of the batch: prepares outputs (read, de-identify, write to a temporary file)
// so that every core works; the main thread names, commits and records them.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareOutput, type PrepareSettings } from './prepare-output.js';
import type { PreparedMessage, PrepareTask } from './preparer.js';
import { Pseudonymizer } from './pseudonyms.js';

interface Data {
  readonly settings: PrepareSettings;
  readonly secret: Uint8Array;
  /** 1 once the batch is cancelled. */
  readonly cancelled: Int32Array;
}

const { settings, secret, cancelled } = workerData as Data;
const keys = new Pseudonymizer(secret);

/** Outcomes of large files are sent on at least this often, so progress moves while a chunk runs. */
const REPORT_EVERY_MS = 100;

parentPort?.on('message', (chunk: readonly PrepareTask[]) => {
  let outcomes: PreparedMessage['outcomes'][number][] = [];
  let reported = Date.now();
  chunk.forEach((task, position) => {
    const stop = Atomics.load(cancelled, 0) === 1;
    if (!stop) outcomes.push({ index: task.index, outcome: prepareOutput(task.input, task.named, settings, keys) });
    const last = position === chunk.length - 1;
    if (last || (!stop && Date.now() - reported >= REPORT_EVERY_MS)) {
      parentPort?.postMessage({ outcomes, last } satisfies PreparedMessage);
      outcomes = [];
      reported = Date.now();
    }
  });
});
