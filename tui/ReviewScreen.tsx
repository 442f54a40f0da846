import path from 'node:path';
import { Box } from 'ink';
import { useState } from 'react';
import { printableText, type AnonymizeSummary, type FileResult } from '../src/index.js';
import type { PictureTarget } from './app-state.js';
import { CompareView } from './CompareView.js';
import { useMessages } from './contexts.js';
import { DownloadPanel } from './DownloadPanel.js';
import { failureText } from './failure-text.js';
import { moveCursor } from './list-window.js';
import { ResultsTable } from './ResultsTable.js';
import type { RunSession } from './run-session.js';
import { Tint } from './Tint.js';
import type { TuiDeps } from './tui-deps.js';
import { useDownload } from './use-download.js';
import { useKeys } from './use-keys.js';

export interface ReviewScreenProps {
  readonly deps: Pick<TuiDeps, 'readDump' | 'pathExists'>;
  readonly session: RunSession;
  readonly summary: AnonymizeSummary;
  readonly outDir: string;
  readonly cwd: string;
  /** The file shown before/after, if any (the App knows, for its key hints). */
  readonly comparing: FileResult | undefined;
  readonly onCompare: (result: FileResult | undefined) => void;
  /** p: the picture of a file, the anonymized copy's as "after". */
  readonly onPicture: (target: PictureTarget) => void;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onBack: () => void;
}

/** Lines below the table: detail line, two export lines, prompt (two lines), reminder (two lines). */
const PANEL_HEIGHT = 8;

/** Step 4: the results table, before/after per file, and the ZIP and mapping CSV exports. */
export function ReviewScreen({ deps, session, summary, outDir, cwd, comparing, onCompare, onPicture, width, height, active, onBack }: ReviewScreenProps) {
  const messages = useMessages();
  const [cursor, setCursor] = useState(0);
  const download = useDownload({ session, summary, outDir, cwd, pathExists: deps.pathExists });
  const { results } = summary;
  const focused = results[cursor];
  const busy = download.mode.name === 'prompt' || download.mode.name === 'writing';
  useKeys(
    (input, key) => {
      if (download.mode.name === 'confirm') {
        if (messages.download.yes.includes(input)) download.answer(true);
        else if (input === 'n' || key.escape) download.answer(false);
      } else if (key.upArrow || input === 'k') setCursor(moveCursor(cursor, -1, results.length));
      else if (key.downArrow || input === 'j') setCursor(moveCursor(cursor, 1, results.length));
      else if (key.pageUp || key.pageDown) setCursor(moveCursor(cursor, (key.pageUp ? -1 : 1) * (height - PANEL_HEIGHT), results.length));
      else if (key.home || key.end) setCursor(key.home ? 0 : Math.max(0, results.length - 1));
      else if (key.return && focused?.output !== undefined) onCompare(focused);
      else if (input === 'p' && focused !== undefined) onPicture(pictureOf(focused));
      else if (input === 'z') download.start('zip');
      else if (input === 'm') download.start('mapping');
      else if (key.escape || (key.tab && key.shift)) onBack();
    },
    { active: active && comparing === undefined && !busy },
  );
  if (comparing) return <CompareView readDump={deps.readDump} result={comparing} width={width} height={height} active={active} onBack={() => onCompare(undefined)} onPicture={() => onPicture(pictureOf(comparing))} />;
  const detail = focused === undefined ? '' : focused.status === 'anonymized' ? `${printableText(focused.input)} → ${path.basename(focused.output ?? '')}` : messages.review.reason(failureText(focused));
  return (
    <Box flexDirection="column" height={height}>
      <ResultsTable results={results} cursor={cursor} width={width} height={Math.max(3, height - PANEL_HEIGHT)} />
      <Tint muted wrap="wrap">
        {detail}
      </Tint>
      <DownloadPanel download={download} width={width} />
    </Box>
  );
}

/** A result's picture: the original, and the anonymized copy (when there is one) as "after". */
function pictureOf(result: FileResult): PictureTarget {
  return { file: result.input, output: result.output };
}
