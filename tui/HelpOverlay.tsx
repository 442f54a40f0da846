import { Box } from 'ink';
import { useMessages } from './contexts.js';
import type { KeyHelp, Screen } from './messages.js';
import { Tint } from './Tint.js';
import { fit } from './truncate.js';
import { useKeys } from './use-keys.js';

export interface HelpOverlayProps {
  readonly screen: Screen;
  readonly height: number;
  readonly active: boolean;
  readonly onClose: () => void;
}

/** The keys of the current screen and the global ones; any key closes it. */
export function HelpOverlay({ screen, height, active, onClose }: HelpOverlayProps) {
  const messages = useMessages();
  useKeys(() => onClose(), { active });
  const section = (title: string, keys: KeyHelp) => (
    <Box flexDirection="column" marginBottom={1}>
      <Tint bold>{title}</Tint>
      {keys.map(([key, what]) => (
        <Tint key={key}>{`  ${fit(key, 14)}${what}`}</Tint>
      ))}
    </Box>
  );
  const title =
    screen === 'compare' ? messages.compare.title('').replace(/: $/, '')
    : screen === 'advanced' ? messages.advanced.name
    : screen === 'picture' ? messages.picture.name
    : messages.steps[screen];
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold tone="accent">
        {messages.help.title}
      </Tint>
      {section(title, messages.keys[screen])}
      {section(messages.help.global, messages.keys.global)}
      <Tint muted>{messages.help.close}</Tint>
    </Box>
  );
}
