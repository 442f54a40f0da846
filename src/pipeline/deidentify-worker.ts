// A worker thread of the batch: de-identifies inputs (read, plan, write to a temporary file) so
// that every core works; the main thread names, commits and records the outputs.
import { parentPort, workerData } from 'node:worker_threads';
import { deidentifyTask, type BatchSettings, type DeidentifyTask, type WorkerReply } from './deidentify-task.js';
import { Pseudonymizer } from '../deid/pseudonyms.js';
import { preparePixelCodecs } from './pixel-codecs.js';

interface Data {
  readonly settings: BatchSettings;
  readonly secret: Uint8Array;
  /** 1 once the batch is cancelled. */
  readonly cancelled: Int32Array;
}

const { settings, secret, cancelled } = workerData as Data;
const keys = new Pseudonymizer(secret);
// Before the first chunk is taken (messages wait in the port until the listener below is added).
await preparePixelCodecs(settings.run.options);

/** Outcomes of large files are sent on at least this often, so progress moves while a chunk runs. */
const REPORT_EVERY_MS = 100;

parentPort?.on('message', (chunk: readonly DeidentifyTask[]) => {
  let outcomes: WorkerReply['outcomes'][number][] = [];
  let reported = Date.now();
  chunk.forEach((task, position) => {
    const stop = Atomics.load(cancelled, 0) === 1;
    if (!stop) outcomes.push({ index: task.index, outcome: deidentifyTask(task, settings, keys) });
    const last = position === chunk.length - 1;
    if (last || (!stop && Date.now() - reported >= REPORT_EVERY_MS)) {
      parentPort?.postMessage({ outcomes, last } satisfies WorkerReply);
      outcomes = [];
      reported = Date.now();
    }
  });
});
