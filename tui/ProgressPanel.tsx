import { Box } from 'ink';
import { useMessages } from './contexts.js';
import { formatDecimal } from './format-size.js';
import { formatDuration } from './format-duration.js';
import { progressBar, progressStats } from './progress-stats.js';
import { Tint } from './Tint.js';

export interface ProgressPanelProps {
  readonly done: number;
  readonly total: number;
  readonly startedAt: number;
  /** The clock's time now, or when the run ended. */
  readonly now: number;
  readonly width: number;
}

/** The progress bar with files done/total and percentage, then rate, elapsed time and time left. */
export function ProgressPanel({ done, total, startedAt, now, width }: ProgressPanelProps) {
  const messages = useMessages();
  const stats = progressStats(done, total, startedAt, now);
  // Fixed widths, so that the bar does not jump as the numbers grow.
  const countsWidth = messages.anonymize.counts(total, total).length;
  const counts = messages.anonymize.counts(done, total).padStart(countsWidth);
  const percent = `${total === 0 ? 100 : Math.floor((done / total) * 100)}%`.padStart(4);
  const bar = progressBar(done, total, Math.max(10, width - countsWidth - 4 - 2));
  const rate = stats.filesPerSecond === undefined ? '-' : formatDecimal(stats.filesPerSecond, messages.language);
  const left = stats.secondsLeft === undefined ? '-' : formatDuration(stats.secondsLeft, 'up');
  return (
    <Box flexDirection="column">
      <Tint>
        <Tint tone="ok">{bar}</Tint> {counts} {percent}
      </Tint>
      <Tint muted>
        {messages.anonymize.rate(rate)} · {messages.anonymize.elapsed(formatDuration(stats.elapsedSeconds))} · {messages.anonymize.left(left)}
      </Tint>
    </Box>
  );
}
