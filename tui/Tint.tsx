import { Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from './contexts.js';
import type { Tone } from './theme.js';

export interface TintProps {
  readonly tone?: Tone;
  readonly bold?: boolean;
  readonly inverse?: boolean;
  /** Faint text for secondary information (off with NO_COLOR). */
  readonly muted?: boolean;
  /** Long lines are cut by default, so that rows never wrap and shift the screen. */
  readonly wrap?: 'wrap' | 'truncate-end';
  readonly children?: ReactNode;
}

/** Text in a role's colour, or plain when colour is off. */
export function Tint({ tone, bold = false, inverse = false, muted = false, wrap = 'truncate-end', children }: TintProps) {
  const theme = useTheme();
  const color = tone === undefined ? undefined : theme[tone];
  return (
    <Text wrap={wrap} bold={bold} inverse={inverse} dimColor={muted && theme.muted} {...(color === undefined ? {} : { color })}>
      {children}
    </Text>
  );
}
