import { Box } from 'ink';
import { dateModeOf, type DeidOptions } from '../src/index.js';
import { useMessages } from './contexts.js';
import type { CheckboxOption } from './messages.js';
import { DATE_MODES } from './option-list.js';
import { Tint } from './Tint.js';

export interface OptionRowProps {
  readonly option: CheckboxOption | 'dates';
  readonly options: DeidOptions;
  readonly focused: boolean;
  readonly describe: boolean;
}

/** One option: checkbox (or the three date modes), label with the product's German name, description. */
export function OptionRow({ option, options, focused, describe }: OptionRowProps) {
  const messages = useMessages();
  const text = messages.options[option];
  const name = text.label === text.product ? text.label : `${text.label} · ${text.product}`;
  const focus = focused ? ({ tone: 'accent', bold: true } as const) : {};
  return (
    <Box flexDirection="column">
      {option === 'dates' ? (
        <Box>
          <Tint {...focus}>
            {focused ? '› ' : '  '}
            {'    '}
            {name}:
          </Tint>
          {DATE_MODES.map((mode) => (
            <Box key={mode} marginLeft={1}>
              <Tint {...(mode === options.dates ? { bold: true, tone: 'ok' as const } : { muted: true })}>{mode === options.dates ? `[${messages.dateModes[mode]}]` : ` ${messages.dateModes[mode]} `}</Tint>
            </Box>
          ))}
          {/* Clear here, yet a chosen Full or Modified Dates option keeps or shifts them: say so on the row. */}
          {dateModeOf(options) === options.dates ? null : (
            <Box marginLeft={1}>
              <Tint tone="accent">{messages.advanced.datesBy(messages.dateModes[dateModeOf(options)])}</Tint>
            </Box>
          )}
        </Box>
      ) : (
        <Tint {...focus}>
          {focused ? '› ' : '  '}
          {options[option] ? '[x] ' : '[ ] '}
          {name}
        </Tint>
      )}
      {describe ? <Tint muted>{`      ${text.description}`}</Tint> : null}
    </Box>
  );
}
