import { useEffect, useRef, useState } from 'react';
import type { AnonymizeSummary, DeidOptions, FileResult } from '../src/index.js';
import type { RunSession } from './run-session.js';
import { useInterval } from './use-interval.js';

export type RunPhase = 'running' | 'cancelling' | 'done' | 'cancelled' | 'error';

export interface RunState {
  readonly phase: RunPhase;
  readonly done: number;
  readonly total: number;
  /** Failed files, in the order they failed. */
  readonly failures: readonly FileResult[];
  readonly startedAt: number;
  readonly finishedAt: number | undefined;
  readonly summary: AnonymizeSummary | undefined;
  readonly error: string | undefined;
}

export interface RunInput {
  readonly files: readonly string[];
  readonly outDir: string;
  readonly options: DeidOptions;
}

/** How often progress reaches the screen: a big batch does not re-render per file. */
const FLUSH_MS = 100;

/**
 * Runs the anonymizer once, on mount. Progress is collected as files finish and shown every
 * 100 ms; `cancel()` stops new files from starting (files in flight finish, their writes atomic).
 * Unmounting (quitting) cancels too.
 */
export function useAnonymizeRun(session: RunSession, input: RunInput, now: () => number): { state: RunState; cancel: () => void } {
  const controller = useRef(new AbortController());
  const progress = useRef({ done: 0, total: input.files.length, failures: [] as FileResult[] });
  const [state, setState] = useState<RunState>(() => ({
    phase: 'running', done: 0, total: input.files.length, failures: [], startedAt: now(), finishedAt: undefined, summary: undefined, error: undefined,
  }));
  const flush = () => setState((previous) => ({ ...previous, done: progress.current.done, total: progress.current.total, failures: [...progress.current.failures] }));

  useEffect(() => {
    const { signal } = controller.current;
    let mounted = true;
    session
      .run({
        ...input,
        signal,
        onResult: (result, { done, total }) => {
          progress.current.done = done;
          progress.current.total = total;
          if (result.status === 'failed') progress.current.failures.push(result);
        },
      })
      .then(
        (summary) => mounted && setState((previous) => ({ ...previous, ...snapshot(progress.current), phase: summary.cancelled ? 'cancelled' : 'done', finishedAt: now(), summary })),
        (error: unknown) => mounted && setState((previous) => ({ ...previous, phase: 'error', finishedAt: now(), error: error instanceof Error ? error.message : String(error) })),
      );
    return () => {
      mounted = false;
      controller.current.abort();
    };
    // Runs once per mount: a new run is a new screen.
  }, []);

  useInterval(flush, FLUSH_MS, state.phase === 'running' || state.phase === 'cancelling');

  const cancel = () => {
    if (state.phase !== 'running') return;
    controller.current.abort();
    setState((previous) => ({ ...previous, phase: 'cancelling' }));
  };
  return { state, cancel };
}

function snapshot(progress: { done: number; total: number; failures: FileResult[] }) {
  return { done: progress.done, total: progress.total, failures: [...progress.failures] };
}
