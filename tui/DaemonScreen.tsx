import { Box } from 'ink';
import { useMessages } from './contexts.js';
import { fitLines } from './fit-lines.js';
import { Tint } from './Tint.js';
import type { TuiDeps } from './tui-deps.js';
import { printable } from './truncate.js';
import { useDaemonStatus } from './use-daemon-status.js';
import { useKeys } from './use-keys.js';

export interface DaemonScreenProps {
  readonly deps: Pick<TuiDeps, 'daemonStatus' | 'now'>;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onClose: () => void;
}

/** Rows around the status lines: title, the gaps above and below them, the refresh line. */
const FRAME_ROWS = 4;

/**
 * The watch daemon's status (running, waiting for its store, its store, folder, queue, today's
 * count, last error), refreshed every 2 s; long lines wrap as far as the screen has rows.
 */
export function DaemonScreen({ deps, width, height, active, onClose }: DaemonScreenProps) {
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
        {fitLines(lines.map(printable), width, height - FRAME_ROWS).flatMap((rows, index) => {
          const tone = isProblem(lines[index] ?? '') ? { tone: 'error' as const } : {};
          return rows.map((row, part) => (
            <Tint key={`${index}.${part}`} {...tone}>
              {row}
            </Tint>
          ));
        })}
      </Box>
      <Tint muted>{messages.daemon.refreshed(time)}</Tint>
    </Box>
  );
}

/** The line of a last error (not "Last error: none"), shown in the error colour. */
function isProblem(line: string): boolean {
  return line.startsWith('Last error:') && !line.endsWith('none');
}
