import path from 'node:path';
import { Box } from 'ink';
import { useEffect, useState } from 'react';
import { printableText, type FileResult } from '../src/index.js';
import { compareDumps, type Change, type CompareRow } from './compare-dumps.js';
import { useMessages } from './contexts.js';
import { Tint } from './Tint.js';
import type { TuiDeps } from './tui-deps.js';
import { fit } from './truncate.js';
import { useKeys } from './use-keys.js';

export interface CompareViewProps {
  readonly readDump: TuiDeps['readDump'];
  readonly result: FileResult;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onBack: () => void;
  /** p: the pictures of this file. */
  readonly onPicture: () => void;
}

type Loaded = { readonly rows: readonly CompareRow[] } | { readonly error: string } | undefined;

const MARK: Readonly<Record<Change, string>> = { same: ' ', changed: '*', removed: '-', added: '+' };

/** The attributes of the original and the anonymized copy side by side, aligned by tag. */
export function CompareView({ readDump, result, width, height, active, onBack, onPicture }: CompareViewProps) {
  const messages = useMessages();
  const [loaded, setLoaded] = useState<Loaded>(undefined);
  const [top, setTop] = useState(0);
  const [onlyChanges, setOnlyChanges] = useState(false);
  useEffect(() => {
    // After the first frame, so that "Reading both files…" shows while big headers are read.
    const timer = setImmediate(() => {
      try {
        setLoaded({ rows: compareDumps(readDump(result.input), readDump(result.output ?? '')) });
      } catch (error) {
        setLoaded({ error: error instanceof Error ? error.message : String(error) });
      }
    });
    return () => clearImmediate(timer);
  }, [readDump, result]);
  const all = loaded && 'rows' in loaded ? loaded.rows : [];
  const rows = onlyChanges ? all.filter((row) => row.change !== 'same') : all;
  const page = Math.max(1, height - 4);
  const maxTop = Math.max(0, rows.length - page);
  const scroll = (delta: number) => setTop(Math.min(maxTop, Math.max(0, top + delta)));
  useKeys(
    (input, key) => {
      if (key.upArrow || input === 'k') scroll(-1);
      else if (key.downArrow || input === 'j') scroll(1);
      else if (key.pageUp) scroll(-page);
      else if (key.pageDown || input === ' ') scroll(page);
      else if (key.home || key.end) setTop(key.home ? 0 : maxTop);
      else if (input === 'c') {
        setOnlyChanges(!onlyChanges);
        setTop(0);
      } else if (input === 'p') onPicture();
      else if (key.escape || key.backspace || key.delete) onBack();
    },
    { active: active },
  );
  const keyword = Math.min(28, Math.floor(width * 0.3));
  const value = Math.max(8, Math.floor((width - keyword - 4) / 2));
  const start = Math.min(top, maxTop);
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold tone="accent">
        {messages.compare.title(printableText(path.basename(result.input)))}
      </Tint>
      <Tint bold>{`  ${fit('', keyword)} ${fit(messages.compare.before, value)} ${fit(messages.compare.after, value)}`}</Tint>
      {loaded === undefined ? <Tint muted>{messages.compare.loading}</Tint> : null}
      {loaded && 'error' in loaded ? <Tint tone="error" wrap="wrap">{messages.compare.failed(printableText(loaded.error))}</Tint> : null}
      <Box flexDirection="column" height={page}>
        {rows.slice(start, start + page).map((row) => (
          <Tint key={row.key} {...(row.change === 'same' ? {} : { tone: row.change === 'added' ? ('ok' as const) : ('warning' as const) })}>
            {`${MARK[row.change]} ${fit(`${'  '.repeat(row.depth)}${row.keyword}`, keyword)} ${fit(row.before ?? '', value)} ${fit(row.after ?? '', value)}`}
          </Tint>
        ))}
      </Box>
      <Tint muted>{`${messages.compare.legend} · ${rows.length === 0 ? 0 : start + 1}-${Math.min(rows.length, start + page)}/${rows.length}`}</Tint>
    </Box>
  );
}
