import path from 'node:path';
import { Box } from 'ink';
import { useCallback, useMemo, useState } from 'react';
import { printableText, terminalPicture, type ColourSupport, type RegionList } from '../src/index.js';
import type { PictureTarget } from './app-state.js';
import { useMessages } from './contexts.js';
import type { PictureFacts, PictureSide } from './messages.js';
import { pictureProblem, type OpenedPicture } from './open-picture.js';
import { Tint } from './Tint.js';
import type { TuiDeps } from './tui-deps.js';
import { truncateMiddle } from './truncate.js';
import { useKeys } from './use-keys.js';
import { useOpenedPicture } from './use-opened-picture.js';

export interface PictureViewProps {
  readonly deps: Pick<TuiDeps, 'openPicture' | 'pictureColours'>;
  readonly target: PictureTarget;
  /** The site's region list (DICOM_PIXEL_REGIONS), searched before the shipped one. */
  readonly siteRegions: RegionList | undefined;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onClose: () => void;
}

/** Lines besides the picture: the heading above it, the caption under it. */
const TEXT_LINES = 2;

type Drawn = { readonly lines: readonly string[]; readonly caption: string } | { readonly problem: string };

/**
 * A file's picture in half blocks, its regions outlined (yellow: blanked, cyan: ultrasound regions
 * kept), with a caption that names no attribute's value. `a` shows it as cleaning leaves it, or, in
 * the review, the anonymized copy's picture.
 */
export function PictureView({ deps, target, siteRegions, width, height, active, onClose }: PictureViewProps) {
  const messages = useMessages();
  const [frame, setFrame] = useState(0);
  const [after, setAfter] = useState(false);
  const side: PictureSide = target.output === undefined ? 'file' : after ? 'after' : 'before';
  const shown = side === 'after' ? (target.output ?? target.file) : target.file;
  const open = useCallback((file: string) => deps.openPicture(file, siteRegions), [deps, siteRegions]);
  const opened = useOpenedPicture(shown, open);
  const frames = opened.status === 'ready' ? opened.picture.frames : 1;
  const current = Math.min(frame, frames - 1);
  const drawn = useMemo(
    () => (opened.status === 'ready' ? draw(opened.picture, shown, current, side === 'file' && after, width, Math.max(1, height - TEXT_LINES), deps.pictureColours, messages.picture.caption) : undefined),
    [opened, shown, current, side, after, width, height, deps.pictureColours, messages],
  );
  useKeys(
    (input, key) => {
      if (key.leftArrow || input === '[') setFrame(Math.max(0, current - 1));
      else if (key.rightArrow || input === ']') setFrame(Math.min(frames - 1, current + 1));
      else if (key.home || key.end) setFrame(key.home ? 0 : frames - 1);
      else if (input === 'a') setAfter(!after);
      else if (key.escape || key.backspace || key.delete || input === 'p') onClose();
    },
    { active },
  );
  const name = printableText(path.basename(shown));
  const heading = messages.picture.heading(side);
  const problem = opened.status === 'error' ? opened.problem : drawn !== undefined && 'problem' in drawn ? drawn.problem : undefined;
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold tone="accent">{`${heading}${truncateMiddle(name, width - [...heading].length)}`}</Tint>
      {opened.status === 'loading' ? <Tint muted>{messages.picture.loading}</Tint> : null}
      {/* Wrapped rather than cut: the end of the problem is what says what is wrong. */}
      {problem !== undefined ? <Tint tone="error" wrap="wrap">{messages.picture.failed(name, printableText(problem))}</Tint> : null}
      {drawn !== undefined && 'lines' in drawn ? (
        <>
          {drawn.lines.map((line, index) => (
            <Tint key={index}>{line}</Tint>
          ))}
          <Tint muted>{drawn.caption}</Tint>
        </>
      ) : null}
    </Box>
  );
}

/** Frame `frame` of the opened file as terminal lines within `columns` × `rows`, and its caption; or why it cannot be drawn. */
function draw(opened: OpenedPicture, file: string, frame: number, after: boolean, columns: number, rows: number, colours: ColourSupport, caption: (facts: PictureFacts) => string): Drawn {
  try {
    const picture = opened.draw(frame, after);
    const lines = terminalPicture(picture.rgb, picture.width, picture.height, { columns, rows, colours, outline: picture.outline });
    return { lines, caption: printableText(caption(picture)) };
  } catch (error) {
    return { problem: pictureProblem(error, file) };
  }
}
