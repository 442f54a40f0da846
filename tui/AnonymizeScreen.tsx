import { Box } from 'ink';
import { useLayoutEffect } from 'react';
import { printableText, type AnonymizeSummary } from '../src/index.js';
import { useMessages } from './contexts.js';
import { failureText } from './failure-text.js';
import { formatDecimal } from './format-size.js';
import { ProgressPanel } from './ProgressPanel.js';
import type { RunSession } from './run-session.js';
import { Tint } from './Tint.js';
import { truncateStart } from './truncate.js';
import { useAnonymizeRun, type RunInput, type RunPhase } from './use-anonymize-run.js';
import { useKeys } from './use-keys.js';

export interface AnonymizeScreenProps {
  readonly session: RunSession;
  readonly run: RunInput;
  readonly now: () => number;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onReview: (summary: AnonymizeSummary) => void;
  readonly onBack: () => void;
  /** Told each phase the run enters (the App's key hint follows it). */
  readonly onPhase: (phase: RunPhase) => void;
}

/** Step 3: runs the batch with a progress bar; failures appear as they happen; Esc cancels. */
export function AnonymizeScreen({ session, run, now, width, height, active, onReview, onBack, onPhase }: AnonymizeScreenProps) {
  const messages = useMessages();
  const { state, cancel } = useAnonymizeRun(session, run, now);
  useLayoutEffect(() => onPhase(state.phase), [state.phase, onPhase]);
  useKeys(
    (_input, key) => {
      if (state.phase === 'running' && key.escape) cancel();
      else if ((state.phase === 'done' || state.phase === 'cancelled') && key.return && state.summary) onReview(state.summary);
      else if (state.phase === 'error' && (key.return || key.escape)) onBack();
    },
    { active: active },
  );
  const seconds = formatDecimal(((state.finishedAt ?? now()) - state.startedAt) / 1000, messages.language);
  const status =
    state.phase === 'cancelling' ? { text: messages.anonymize.cancelling, tone: 'warning' as const }
    : state.phase === 'cancelled' ? { text: messages.anonymize.cancelled(state.done, state.total), tone: 'warning' as const }
    : state.phase === 'error' ? { text: messages.anonymize.error(printableText(state.error ?? '')), tone: 'error' as const }
    : state.phase === 'done' && state.summary ? { text: messages.anonymize.finished(state.summary.anonymized, state.summary.failed, state.summary.skipped, seconds), tone: 'ok' as const }
    : undefined;
  const room = Math.max(1, height - 7);
  const shown = state.failures.slice(-room);
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold>{messages.anonymize.heading(state.total, truncateStart(printableText(run.outDir), Math.max(10, width - 30)))}</Tint>
      <Box marginY={1}>
        <ProgressPanel done={state.done} total={state.total} startedAt={state.startedAt} now={state.finishedAt ?? now()} width={width} />
      </Box>
      {status ? (
        <Tint bold tone={status.tone} wrap="wrap">
          {status.text}
        </Tint>
      ) : null}
      {state.failures.length > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          <Tint tone="error">{messages.anonymize.failures(state.failures.length)}</Tint>
          {shown.map((failure) => (
            <Tint key={failure.input}>  {failureText(failure)}</Tint>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
