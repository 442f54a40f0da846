import { Box } from 'ink';
import { useMessages } from './contexts.js';
import { editText } from './text-edit.js';
import { Tint } from './Tint.js';
import { truncateStart } from './truncate.js';
import { useKeys } from './use-keys.js';

export interface TextPromptProps {
  readonly label: string;
  readonly value: string;
  readonly width: number;
  readonly onChange: (value: string) => void;
  readonly onSubmit: (value: string) => void;
  readonly onCancel: () => void;
  /** Show the key hint after the field. */
  readonly hint?: boolean;
}

/** A one-line text field: typing, Backspace, Ctrl-U, Ctrl-W; Enter submits, Esc cancels. */
export function TextPrompt({ label, value, width, onChange, onSubmit, onCancel, hint = true }: TextPromptProps) {
  const messages = useMessages();
  useKeys(
    (input, key) => {
      if (key.escape) {
        onCancel();
        return;
      }
      const edit = editText(value, input, key);
      if (edit.value !== value) onChange(edit.value);
      if (edit.submitted) onSubmit(edit.value);
    },
    { capture: true },
  );
  const room = Math.max(8, width - label.length - 1);
  return (
    <Box flexDirection="column">
      <Tint bold>
        {label}
        {truncateStart(value, room)}▌
      </Tint>
      {hint ? <Tint muted>{messages.prompt.hint}</Tint> : null}
    </Box>
  );
}
