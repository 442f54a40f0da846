import { useState } from 'react';
import type { TuiDeps } from './tui-deps.js';
import { useInterval } from './use-interval.js';

export const DAEMON_REFRESH_MS = 2000;

export interface DaemonStatusView {
  readonly lines: readonly string[];
  /** When the lines were read (ms since the epoch). */
  readonly at: number;
}

/** The daemon's status lines, read now and every 2 s. */
export function useDaemonStatus(deps: Pick<TuiDeps, 'daemonStatus' | 'now'>): DaemonStatusView {
  const read = () => ({ lines: deps.daemonStatus(), at: deps.now() });
  const [view, setView] = useState<DaemonStatusView>(read);
  useInterval(() => setView(read()), DAEMON_REFRESH_MS);
  return view;
}
