// The real anonymizer, one file at a time, each started only when the test says so: lets a test
// look at the progress screen between files, move the clock, and cancel at a known point.
import { anonymizeFiles, type AnonymizeRequest, type AnonymizeSummary } from '../../src/pipeline/anonymize-files.js';
import type { FileResult } from '../../src/pipeline/file-result.js';

export interface PacedRun {
  readonly anonymize: (request: AnonymizeRequest) => Promise<AnonymizeSummary>;
  /** Lets the next file start; resolves when it has finished (and been reported). */
  readonly release: () => Promise<void>;
  /** Lets every waiting and future file start at once. */
  readonly releaseAll: () => void;
}

const runs: PacedRun[] = [];

/** Lets every paced run finish, so that no test leaves one waiting. For afterEach, before cleanupApps. */
export function releasePacedRuns(): void {
  for (const run of runs.splice(0)) run.releaseAll();
}

export function pacedRun(): PacedRun {
  let all = false;
  let permits = 0;
  let waiting: (() => void) | undefined;
  let finished: (() => void) | undefined;
  /** Waits for a release (a cancelled run, too: it stops when released; cleanup releases all). */
  const gate = (): Promise<void> => {
    if (all) return Promise.resolve();
    if (permits > 0) {
      permits--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => (waiting = resolve));
  };
  const run: PacedRun = {
    anonymize: async (request) => {
      const results: FileResult[] = [];
      const total = request.inputs.length;
      for (const input of request.inputs) {
        await gate();
        if (request.signal?.aborted) {
          finished?.();
          break;
        }
        const { onResult: _report, ...rest } = request;
        const single = await anonymizeFiles({ ...rest, inputs: [input] });
        for (const result of single.results) {
          results.push(result);
          request.onResult?.(result, { done: results.length, total });
        }
        finished?.();
      }
      const count = (status: FileResult['status']) => results.filter((result) => result.status === status).length;
      return { batchId: request.batchId, results, anonymized: count('anonymized'), failed: count('failed'), skipped: count('skipped'), alreadyAnonymized: results.filter((result) => result.code === 'OWN_OUTPUT').length, cancelled: results.length < total, missing: [] };
    },
    release: () =>
      new Promise<void>((resolve) => {
        finished = resolve;
        const next = waiting;
        waiting = undefined;
        if (next) next();
        else permits++; // the run has not reached its gate yet: let it through once
      }),
    releaseAll: () => {
      all = true;
      waiting?.();
    },
  };
  runs.push(run);
  return run;
}
