/** Rate and time left of a run, from files done and the clock. */
export interface ProgressStats {
  readonly elapsedSeconds: number;
  /** Files per second; undefined before the first file is done. */
  readonly filesPerSecond: number | undefined;
  /** Seconds; undefined until a rate is known. */
  readonly secondsLeft: number | undefined;
}

export function progressStats(done: number, total: number, startedAt: number, now: number): ProgressStats {
  const elapsedSeconds = Math.max(0, (now - startedAt) / 1000);
  if (done === 0 || elapsedSeconds === 0) return { elapsedSeconds, filesPerSecond: undefined, secondsLeft: undefined };
  const filesPerSecond = done / elapsedSeconds;
  return { elapsedSeconds, filesPerSecond, secondsLeft: (total - done) / filesPerSecond };
}

/** A bar of `width` cells, "█" for done and "░" for the rest. */
export function progressBar(done: number, total: number, width: number): string {
  const cells = Math.max(1, width);
  const filled = total === 0 ? cells : Math.min(cells, Math.floor((done / total) * cells));
  return `${'█'.repeat(filled)}${'░'.repeat(cells - filled)}`;
}
