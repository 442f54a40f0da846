import { Box } from 'ink';
import { useMessages } from './contexts.js';
import type { Step } from './messages.js';
import { Tint } from './Tint.js';

const STEPS: readonly Step[] = ['pick', 'configure', 'anonymize', 'review'];

/** The title and the four steps, the current one in brackets. */
export function StepBar({ step }: { readonly step: Step }) {
  const messages = useMessages();
  return (
    <Box>
      <Tint bold tone="accent">
        {messages.title}
      </Tint>
      {STEPS.map((name) => (
        <Box key={name} marginLeft={2}>
          {name === step ? (
            <Tint bold tone="accent">
              [{messages.steps[name]}]
            </Tint>
          ) : (
            <Tint muted>{messages.steps[name]}</Tint>
          )}
        </Box>
      ))}
    </Box>
  );
}
