import { Box } from 'ink';
import { useMessages } from './contexts.js';
import { Tint } from './Tint.js';
import type { TuiDeps } from './tui-deps.js';
import { printable } from './truncate.js';
import { useDaemonStatus } from './use-daemon-status.js';
import { useKeys } from './use-keys.js';

export interface DaemonScreenProps {
  readonly deps: Pick<TuiDeps, 'daemonStatus' | 'now'>;
  readonly height: number;
  readonly active: boolean;
  readonly onClose: () => void;
}

/** The watch daemon's status (running, folder, queue, today's count, last error), refreshed every 2 s. */
export function DaemonScreen({ deps, height, active, onClose }: DaemonScreenProps) {
  const messages = useMessages();
  const { lines, at } = useDaemonStatus(deps);
  useKeys(
    (_input, key) => {
      if (key.escape) onClose();
    },
    { active },
  );
  const time = new Date(at).toTimeString().slice(0, 8);
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold tone="accent">
        {messages.daemon.title}
      </Tint>
      <Box flexDirection="column" marginY={1}>
        {lines.map((line, index) => (
          <Tint key={index} wrap="wrap" {...(line.startsWith('Last error:') && !line.endsWith('none') ? { tone: 'error' as const } : {})}>
            {printable(line)}
          </Tint>
        ))}
      </Box>
      <Tint muted>{messages.daemon.refreshed(time)}</Tint>
    </Box>
  );
}
