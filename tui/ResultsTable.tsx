import { Box } from 'ink';
import type { FileResult } from '../src/index.js';
import { useMessages } from './contexts.js';
import { listWindow } from './list-window.js';
import { headerLine, resultLine, reviewColumns } from './review-columns.js';
import { Tint } from './Tint.js';

export interface ResultsTableProps {
  readonly results: readonly FileResult[];
  readonly cursor: number;
  readonly width: number;
  readonly height: number;
}

/** The review table: original and anonymized name, status, pseudonym, tags and UIDs changed. */
export function ResultsTable({ results, cursor, width, height }: ResultsTableProps) {
  const messages = useMessages();
  const columns = reviewColumns(width, messages);
  const window = listWindow(results.length, cursor, Math.max(1, height - 1));
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold>{headerLine(columns, messages)}</Tint>
      {results.length === 0 ? <Tint muted>{messages.review.empty}</Tint> : null}
      {results.slice(window.start, window.end).map((result, index) => {
        const focused = window.start + index === cursor;
        const tone = result.status === 'failed' ? 'error' : result.status === 'skipped' ? 'warning' : undefined;
        return (
          <Tint key={result.input} bold={focused} {...(focused ? { tone: 'accent' as const } : tone ? { tone } : {})}>
            {focused ? '› ' : '  '}
            {resultLine(result, columns, messages)}
          </Tint>
        );
      })}
    </Box>
  );
}
