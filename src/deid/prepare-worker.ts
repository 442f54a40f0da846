// A worker thread of the batch: prepares outputs (read, de-identify, write to a temporary file)
// so that both cores work; the main thread names, commits and records them.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareOutput, type PrepareSettings } from './prepare-output.js';
import { Pseudonymizer } from './pseudonyms.js';

interface Data {
  readonly settings: PrepareSettings;
  readonly secret: Uint8Array;
}

const { settings, secret } = workerData as Data;
const keys = new Pseudonymizer(secret);

parentPort?.on('message', (task: { readonly id: number; readonly input: string; readonly named: boolean }) => {
  void prepareOutput(task.input, task.named, settings, keys).then((outcome) => parentPort?.postMessage({ id: task.id, outcome }));
});
