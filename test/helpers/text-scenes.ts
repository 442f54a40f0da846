// The two typical scenes with burned-in patient text: an ultrasound frame with a header band, and a
// CT-like secondary capture with a name and date in a corner. Content under the text is seeded
// noise and gradients, so every run draws the same pixels.
import { seededRandom } from './broken-files.js';
import { drawTextImage, type TextImage } from './text-image.js';

/** The patient values the scenes burn in, as the file's own attributes would hold them. */
export const SCENE_PATIENT = { name: 'DOE^JANE', id: '12345678', birthDate: '19640312', studyDate: '20240312' } as const;

/**
 * An ultrasound-like RGB frame, 720 rows × 960 columns (or `rows` × `columns`): a dark header band
 * with the patient's name, ID and birth date (22 px), a second line with a labelled name and a
 * dated exam, scanner settings that are not identifying, and a speckled fan below.
 */
export function ultrasoundScene(options: { rows?: number; columns?: number; seed?: number } = {}): TextImage {
  const rows = options.rows ?? 720;
  const columns = options.columns ?? 960;
  const random = seededRandom(options.seed ?? 7);
  const scale = columns / 960;
  const band = Math.round(70 * scale);
  const size = Math.max(14, Math.round(22 * scale));
  const at = (fraction: number): number => Math.round(columns * fraction);
  return drawTextImage({
    width: columns,
    height: rows,
    channels: 3,
    lines: [
      { text: 'DOE^JANE', x: at(0.02), y: 8, size },
      { text: 'ID 12345678', x: at(0.34), y: 8, size },
      { text: 'DOB 19640312', x: at(0.66), y: 8, size },
      { text: 'Name: Jane Doe', x: at(0.02), y: 8 + size + 8, size: size - 2 },
      { text: 'Exam 2024-03-12', x: at(0.34), y: 8 + size + 8, size: size - 2 },
      { text: 'MI 1.2 TIS 0.4', x: at(0.66), y: 8 + size + 8, size: size - 2 },
    ],
    background: (x, y) => {
      if (y < band) return [12, 12, 16];
      // A fan of speckle brightening with depth, black outside it.
      const dx = x - columns / 2;
      const depth = y - band;
      if (Math.abs(dx) > depth * 0.7 + columns * 0.05) return [0, 0, 0];
      const grey = Math.min(255, 40 + (depth / rows) * 120 + random() * 70);
      return [grey, grey, Math.min(255, grey + 6)];
    },
    foreground: [235, 235, 200],
  });
}

/**
 * A CT-like secondary capture, 512 × 512, 16 bits allocated (12 stored), MONOCHROME2: a noisy disc
 * of tissue on air, the name and a birth date in the top-left corner and the ID bottom-right (18 px).
 */
export function ctScene(options: { seed?: number } = {}): TextImage {
  const random = seededRandom(options.seed ?? 11);
  return drawTextImage({
    width: 512,
    height: 512,
    bitsAllocated: 16,
    lines: [
      { text: 'DOE^JANE', x: 8, y: 6, size: 18 },
      { text: '12.03.1964', x: 8, y: 30, size: 18 },
      { text: 'ID 12345678', x: 380, y: 484, size: 18 },
    ],
    background: (x, y) => {
      const r = Math.hypot(x - 256, y - 270);
      if (r > 200) return Math.round(random() * 20);
      return Math.round(900 + (200 - r) * 2 + random() * 120);
    },
    foreground: 4095,
  });
}
