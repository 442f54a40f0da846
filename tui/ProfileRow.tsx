import { Box } from 'ink';
import { appliedStandardOptions, PROFILE_NAMES, type DeidOptions } from '../src/index.js';
import { useMessages } from './contexts.js';
import { chosenOptions, profileChoice, type ProfileChoice } from './profile-choice.js';
import { profileName } from './standard-option-text.js';
import { Tint } from './Tint.js';

export interface ProfileRowProps {
  readonly options: DeidOptions;
  /** Whether a custom set exists to step to (the current one, or one made before). */
  readonly hasCustom: boolean;
  readonly focused: boolean;
  readonly describe: boolean;
}

/** The PS3.15 preset, chosen like the dates mode: Basic, Research, and Custom once there is one. */
export function ProfileRow({ options, hasCustom, focused, describe }: ProfileRowProps) {
  const messages = useMessages();
  const current = profileChoice(options);
  const choices: readonly ProfileChoice[] = hasCustom || current === 'custom' ? [...PROFILE_NAMES, 'custom'] : PROFILE_NAMES;
  return (
    <Box flexDirection="column">
      <Box>
        <Tint {...(focused ? ({ tone: 'accent', bold: true } as const) : {})}>
          {focused ? '› ' : '  '}
          {'    '}
          {messages.profiles.label}:
        </Tint>
        {choices.map((choice) => (
          <Box key={choice} marginLeft={1}>
            <Tint {...(choice === current ? { bold: true, tone: 'ok' as const } : { muted: true })}>{choice === current ? `[${profileName(messages, choice)}]` : ` ${profileName(messages, choice)} `}</Tint>
          </Box>
        ))}
      </Box>
      {describe ? <Tint muted>{`      ${messages.profiles.description(current, chosenOptions(options).length)}`}</Tint> : null}
    </Box>
  );
}

/** The row that opens the panel of standard options, with how many apply. */
export function AdvancedRow({ options, focused }: { readonly options: DeidOptions; readonly focused: boolean }) {
  const messages = useMessages();
  return (
    <Tint {...(focused ? ({ tone: 'accent', bold: true } as const) : {})}>
      {focused ? '› ' : '  '}
      {'    '}
      {messages.advanced.row(appliedStandardOptions(options).length)}
    </Tint>
  );
}
