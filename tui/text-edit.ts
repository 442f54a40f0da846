import type { Key } from 'ink';

export interface TextEdit {
  readonly value: string;
  /** Enter was pressed (also when it arrives at the end of pasted text). */
  readonly submitted: boolean;
}

/**
 * One keypress applied to a one-line text field: printable input is appended (pasted text in one
 * piece), Backspace deletes a character, Ctrl-U clears, Ctrl-W deletes the last word.
 */
export function editText(value: string, input: string, key: Key): TextEdit {
  if (key.return) return { value, submitted: true };
  if (key.backspace || key.delete) return { value: [...value].slice(0, -1).join(''), submitted: false };
  if (key.ctrl && input === 'u') return { value: '', submitted: false };
  if (key.ctrl && input === 'w') return { value: value.replace(/[^\s/]*[\s/]*$/, ''), submitted: false };
  if (key.ctrl || key.meta || key.escape || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return { value, submitted: false };
  const newline = input.search(/[\r\n]/);
  const typed = (newline >= 0 ? input.slice(0, newline) : input).replace(/[\u0000-\u001f\u007f]/g, '');
  return { value: value + typed, submitted: newline >= 0 };
}
