import { Box } from 'ink';
import { appliedStandardOptions, STANDARD_OPTION_NAMES, STANDARD_OPTIONS, type DeidOptions } from '../src/index.js';
import { useMessages } from './contexts.js';
import { listWindow } from './list-window.js';
import { chosenOptions, profileChoice } from './profile-choice.js';
import { optionText, profileName } from './standard-option-text.js';
import { Tint } from './Tint.js';

export interface StandardOptionsPanelProps {
  readonly options: DeidOptions;
  readonly cursor: number;
  /** Why the last change was refused, if it was. */
  readonly notice: string | undefined;
  readonly height: number;
}

/** Lines around the list: title, two blank lines, the focused option's description, the notice. */
const CHROME_LINES = 5;

/** How many options the panel shows at once in `height` lines. */
export function panelRows(height: number): number {
  return Math.max(1, height - CHROME_LINES);
}

/**
 * The PS3.15 options, one a line with checkbox and CID 7050 code: `[x]` chosen, `[+]` applied
 * anyway by one of the six options, `[ ]` off. Scrolls when the terminal is too short for all.
 */
export function StandardOptionsPanel({ options, cursor, notice, height }: StandardOptionsPanelProps) {
  const messages = useMessages();
  const chosen = chosenOptions(options);
  const applied = appliedStandardOptions(options);
  const rows = panelRows(height);
  const { start, end } = listWindow(STANDARD_OPTION_NAMES.length, cursor, rows);
  const scrolled = end - start < STANDARD_OPTION_NAMES.length;
  const focused = STANDARD_OPTION_NAMES[cursor];
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold>
        {messages.advanced.title(profileName(messages, profileChoice(options)))}
        {scrolled ? `  ${messages.pick.position(start + 1, end, STANDARD_OPTION_NAMES.length)}` : ''}
      </Tint>
      <Box flexDirection="column" marginY={1}>
        {STANDARD_OPTION_NAMES.slice(start, end).map((option, index) => {
          const isFocused = start + index === cursor;
          const isChosen = chosen.includes(option);
          const implied = !isChosen && applied.includes(option);
          return (
            <Tint key={option} {...(isFocused ? ({ tone: 'accent', bold: true } as const) : {})}>
              {isFocused ? '› ' : '  '}
              {isChosen ? '[x] ' : implied ? '[+] ' : '[ ] '}
              {`${STANDARD_OPTIONS[option].code} ${optionText(messages, option).label}`}
              {implied ? ` ${messages.advanced.implied}` : ''}
            </Tint>
          );
        })}
      </Box>
      <Tint muted>{focused === undefined ? ' ' : `      ${optionText(messages, focused).description}`}</Tint>
      <Tint tone="warning">{notice ?? ' '}</Tint>
    </Box>
  );
}
