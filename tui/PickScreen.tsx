import { Box } from 'ink';
import { useState } from 'react';
import { printableText } from '../src/index.js';
import type { PictureTarget } from './app-state.js';
import { useMessages } from './contexts.js';
import { FileRow } from './FileRow.js';
import { formatSize } from './format-size.js';
import { listWindow } from './list-window.js';
import { totalSize } from './selection.js';
import { TextPrompt } from './TextPrompt.js';
import { Tint } from './Tint.js';
import { truncateStart } from './truncate.js';
import { useBrowser, type Browser, type BrowserOptions } from './use-browser.js';
import { useKeys } from './use-keys.js';

export interface PickScreenProps extends BrowserOptions {
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onContinue: () => void;
  /** p on a file: its picture. */
  readonly onPicture: (target: PictureTarget) => void;
}

/** Step 1: a folder browser with DICOM detection, selection and a name filter. */
export function PickScreen({ width, height, active, onContinue, onPicture, ...options }: PickScreenProps) {
  const messages = useMessages();
  const browser = useBrowser(options);
  const { selection } = options;
  const [typing, setTyping] = useState(false);
  const listHeight = Math.max(1, height - 4);
  useKeys(
    (input, key) => {
      if (key.upArrow || input === 'k') browser.move(-1);
      else if (key.downArrow || input === 'j') browser.move(1);
      else if (key.pageUp || key.pageDown) browser.move(key.pageUp ? -listHeight : listHeight);
      else if (key.home || key.end) browser.moveTo(key.home ? 0 : browser.rows.length - 1);
      else if (key.return) browser.open();
      else if (key.backspace || key.delete) browser.goUp();
      else if (input === ' ') browser.toggle();
      else if (input === 'a') browser.selectAll();
      else if (input === '/') setTyping(true);
      else if (input === 'c') browser.clear();
      else if (input === 'p') {
        const entry = browser.rows[browser.current]?.entry;
        if (entry?.kind === 'file') onPicture({ file: entry.path });
        else browser.setMessage(messages.picture.notAFile);
      }
      else if (key.escape) browser.setFilter('');
      else if (key.tab && !key.shift) {
        if (selection.size === 0) browser.setMessage(messages.pick.selectFirst);
        else onContinue();
      }
    },
    { active: active && !typing },
  );
  const window = listWindow(browser.rows.length, browser.current, listHeight);
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold tone="accent">
        {truncateStart(printableText(options.dir), width)}
      </Tint>
      <Box flexDirection="column" height={listHeight}>
        {browser.rows.slice(window.start, window.end).map((row, index) => (
          <FileRow key={row.entry?.path ?? '..'} row={row} focused={window.start + index === browser.current} width={width} />
        ))}
      </Box>
      <ListInfo browser={browser} window={window} typing={typing} />
      <Tint bold>{messages.pick.selection(selection.size, formatSize(totalSize(selection), messages.language))}</Tint>
      {typing ? (
        <TextPrompt label={messages.pick.filterPrompt} value={browser.filter} width={width} hint={false} onChange={browser.setFilter} onSubmit={() => setTyping(false)}
          onCancel={() => {
            browser.setFilter('');
            setTyping(false);
          }}
        />
      ) : (
        <Tint tone="accent">{browser.message}</Tint>
      )}
    </Box>
  );
}

/** Where the list is ("1-17 of 41") and the filter, or why there is no list. */
function ListInfo({ browser, window, typing }: { readonly browser: Browser; readonly window: { start: number; end: number }; readonly typing: boolean }) {
  const messages = useMessages();
  const { listing, filter, rows } = browser;
  const entries = rows.filter((row) => row.entry !== undefined).length;
  const text =
    listing.status === 'loading' ? messages.pick.loading
    : listing.status === 'error' ? messages.pick.cannotOpen(printableText(listing.reason))
    : entries === 0 ? (filter === '' ? messages.pick.empty : messages.pick.noMatch(filter))
    : `${messages.pick.position(window.start + 1, window.end, rows.length)}${filter === '' || typing ? '' : ` · ${messages.pick.filterActive(filter)}`}`;
  return (
    <Tint muted {...(listing.status === 'error' ? { tone: 'error' as const } : {})}>
      {text}
    </Tint>
  );
}
