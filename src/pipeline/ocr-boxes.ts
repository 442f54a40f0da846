import { availableParallelism } from 'node:os';
import type { DicomFile } from '../dicom/read-file.js';
import type { Rectangle } from '../pixels/blank-spans.js';
import type { FrameCodecs } from '../pixels/codecs/codec-registry.js';
import { displayRgb } from '../pixels/display-frame.js';
import { displaySettingsOf } from '../pixels/display-settings.js';
import { frameSourceWith } from '../pixels/frame-source.js';
import { imagePixelsOf } from '../pixels/image-pixels.js';
import { ocrIdentifyingValues } from '../pixels/ocr-identifying.js';
import { matchWords, wordsToBlank, type BlankReason } from '../pixels/ocr-match.js';
import { createOcrPool, type OcrPool } from '../pixels/ocr-words.js';

/** Pixels added on every side of a word's box: OCR's boxes hug the ink, anti-aliased edges reach further. */
const PADDING = 4;

/** One frame as OCR read it: never the words themselves, which may be a patient's. */
export interface FrameReading {
  readonly words: number;
  /** Why each word to blank is blanked (one entry per word). */
  readonly reasons: readonly BlankReason[];
  readonly boxes: readonly Rectangle[];
}

/** OCR for one run: the tesseract workers start on first use and stop when the run is done. */
export class OcrReader {
  private pool: Promise<OcrPool> | undefined;

  constructor(
    private readonly codecs: FrameCodecs,
    private readonly workers = Math.min(2, availableParallelism()),
  ) {}

  /**
   * The boxes to blank in `file`: the words of every frame that match the file's own identifying
   * values or look like a name, a date or an ID (ocr-match.ts), padded, joined over the frames
   * (the same boxes are blanked in each).
   *
   * @throws OcrUnavailableError when the optional packages are missing; DicomError for pixels it cannot decode.
   */
  async boxesOf(file: DicomFile): Promise<Rectangle[]> {
    return (await this.readFrames(file)).flatMap((frame) => frame.boxes);
  }

  /** What OCR reads in each frame of `file`: how many words, which of them to blank and why, and their boxes. */
  async readFrames(file: DicomFile): Promise<FrameReading[]> {
    const pool = await (this.pool ??= createOcrPool(this.workers));
    const image = imagePixelsOf(file);
    const settings = displaySettingsOf(file, image);
    const source = frameSourceWith(this.codecs);
    const identifying = ocrIdentifyingValues(file);
    return Promise.all(
      Array.from({ length: image.frames }, async (_, index) => {
        const samples = displayRgb(image, source(file, image, index), settings);
        const words = await pool.recognise({ samples, width: image.columns, height: image.rows, channels: 3 });
        const reasons = matchWords(words, identifying).map((match) => match.reason);
        return { words: words.length, reasons, boxes: wordsToBlank(words, identifying, PADDING, { width: image.columns, height: image.rows }) };
      }),
    );
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool).close();
  }
}
