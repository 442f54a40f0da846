import { setTimeout as sleep } from 'node:timers/promises';
import { MappingStoreError } from '../src/index.js';
import type { Logger } from './logger.js';

/** While the store stays away, the waiting is logged again at most this often. */
const REMIND_MS = 60_000;

export interface StoreWait {
  /** Time between attempts, in ms (DICOM_WATCH_RETRY_MS). */
  readonly retryMs: number;
  readonly log: Logger;
  /** Ends the wait (the daemon is stopping): the promise then resolves to undefined. */
  readonly signal: AbortSignal;
  /** Which store failures are waited out; the others reject. @default every MappingStoreError */
  readonly waitFor?: (error: MappingStoreError) => boolean;
}

/**
 * Runs `attempt` until the mapping store lets it succeed, waiting `retryMs` between attempts; says
 * so in the log when the store fails (then once a minute) and when it answers again. `failed`: the
 * failure that made the caller wait, so that the first attempt comes after a pause. Resolves to
 * the attempt's value, or undefined when stopped first.
 */
export async function waitForStore<T>(attempt: () => Promise<T>, wait: StoreWait, failed?: MappingStoreError): Promise<T | undefined> {
  const started = Date.now();
  let failure = failed;
  let remindAt = 0;
  for (;;) {
    if (failure !== undefined) {
      if (Date.now() >= remindAt) {
        const level = failure.unreachable ? 'warn' : 'error';
        const waited = remindAt === 0 ? '' : ` (still, after ${seconds(Date.now() - started)})`;
        wait.log[level]('store-unreachable', `${failure.message}${waited}; waiting for the mapping store: no file is taken and no original removed until it answers; trying again every ${seconds(wait.retryMs)}`);
        remindAt = Date.now() + REMIND_MS;
      }
      const stopped = await sleep(wait.retryMs, false, { signal: wait.signal }).catch(() => true);
      if (stopped || wait.signal.aborted) return undefined;
    } else if (wait.signal.aborted) {
      return undefined;
    }
    try {
      const value = await attempt();
      if (failure !== undefined) wait.log.info('store-back', `the mapping store answers again after ${seconds(Date.now() - started)}; carrying on`);
      return value;
    } catch (error) {
      if (!(error instanceof MappingStoreError) || !(wait.waitFor?.(error) ?? true)) throw error;
      failure = error;
    }
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
