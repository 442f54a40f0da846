import { Box } from 'ink';
import { printableText } from '../src/index.js';
import { useMessages } from './contexts.js';
import { formatSize } from './format-size.js';
import type { DirEntry } from './list-directory.js';
import { Tint } from './Tint.js';
import { fit } from './truncate.js';

export interface BrowserRow {
  /** undefined for the ".." row. */
  readonly entry: DirEntry | undefined;
  readonly selected: boolean;
  readonly isOutput: boolean;
}

const SIZE_WIDTH = 9;
const KIND_WIDTH = 10;

/** One browser line: cursor, checkbox, name, size, and whether it is DICOM. */
export function FileRow({ row, focused, width }: { readonly row: BrowserRow; readonly focused: boolean; readonly width: number }) {
  const messages = useMessages();
  const { entry } = row;
  const nameWidth = Math.max(8, width - 2 - 4 - SIZE_WIDTH - KIND_WIDTH - 2);
  const name = entry === undefined ? messages.pick.up : printableText(entry.kind === 'folder' ? `${entry.name}/` : entry.name);
  const box = entry === undefined ? '    ' : row.selected ? '[x] ' : '[ ] ';
  const size = entry?.kind === 'file' ? formatSize(entry.size, messages.language) : '';
  const kind = entry === undefined ? '' : row.isOutput ? messages.pick.output : entry.kind === 'folder' ? messages.pick.folder : entry.dicom ? messages.pick.dicom : messages.pick.notDicom;
  const tone = entry?.kind === 'file' && entry.dicom ? 'ok' : undefined;
  return (
    <Box>
      <Tint bold={focused} {...(focused ? { tone: 'accent' as const } : {})}>
        {focused ? '› ' : '  '}
        {box}
        {fit(name, nameWidth)}
      </Tint>
      <Tint muted={!focused}> {fit(size, SIZE_WIDTH, 'right')} </Tint>
      <Tint {...(tone ? { tone } : {})} muted={!focused && tone === undefined}>
        {fit(kind, KIND_WIDTH)}
      </Tint>
    </Box>
  );
}
