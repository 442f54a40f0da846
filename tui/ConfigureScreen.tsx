import { Box } from 'ink';
import { useState } from 'react';
import { PROFILE_EDITION, type DeidOptions } from '../src/index.js';
import { useMessages } from './contexts.js';
import { changeOption, OPTION_ORDER } from './option-list.js';
import { OptionRow } from './OptionRow.js';
import { TextPrompt } from './TextPrompt.js';
import { Tint } from './Tint.js';
import { moveCursor } from './list-window.js';
import { truncateStart } from './truncate.js';
import { useKeys } from './use-keys.js';

export interface ConfigureScreenProps {
  readonly options: DeidOptions;
  readonly onOptions: (options: DeidOptions) => void;
  readonly outDir: string;
  readonly onOutDir: (typed: string) => void;
  /** "Options for 3 files (1.2 MB)". */
  readonly heading: string;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onStart: () => void;
  readonly onBack: () => void;
}

/** Lines of the screen with every description shown; below that, only the focused one has it. */
const FULL_HEIGHT = 18;

/** Step 2: the six options as checkboxes, the output folder, and the profile. */
export function ConfigureScreen({ options, onOptions, outDir, onOutDir, heading, width, height, active, onStart, onBack }: ConfigureScreenProps) {
  const messages = useMessages();
  const [cursor, setCursor] = useState(0);
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const focused = OPTION_ORDER[cursor] ?? 'regenerateUids';
  useKeys(
    (input, key) => {
      if (key.upArrow || input === 'k') setCursor(moveCursor(cursor, -1, OPTION_ORDER.length));
      else if (key.downArrow || input === 'j') setCursor(moveCursor(cursor, 1, OPTION_ORDER.length));
      else if (key.home || key.end) setCursor(key.home ? 0 : OPTION_ORDER.length - 1);
      else if (input === ' ') onOptions(changeOption(options, focused));
      else if (focused === 'dates' && (key.leftArrow || key.rightArrow)) onOptions(changeOption(options, 'dates', key.leftArrow ? -1 : 1));
      else if (input === 'o') setEditing(outDir);
      else if (key.return) onStart();
      else if (key.escape || (key.tab && key.shift)) onBack();
    },
    { active: active && editing === undefined },
  );
  const full = height >= FULL_HEIGHT;
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold>{heading}</Tint>
      <Box flexDirection="column" marginY={1}>
        {OPTION_ORDER.map((option, index) => (
          <OptionRow key={option} option={option} options={options} focused={index === cursor} describe={full || index === cursor} />
        ))}
      </Box>
      {editing === undefined ? (
        <Tint>{messages.configure.outDir(truncateStart(outDir, Math.max(10, width - 20)))}</Tint>
      ) : (
        <TextPrompt
          label={messages.configure.outPrompt}
          value={editing}
          width={width}
          onChange={setEditing}
          onSubmit={(value) => {
            if (value.trim() !== '') onOutDir(value.trim());
            setEditing(undefined);
          }}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <Tint muted>{messages.configure.profile(PROFILE_EDITION)}</Tint>
    </Box>
  );
}
