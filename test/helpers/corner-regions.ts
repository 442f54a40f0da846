import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RegionList } from '../../src/pixels/region-list.js';

// A site region list with one entry for every image: its top-left 8 × 8 pixels. For tests about the
// header that run clean-pixel-data (the research preset) on images at risk of burned-in text, which
// would otherwise be refused, or accepted without the option's claim.

const SCRIPT = '{ !Modality.equals("NO SUCH MODALITY") }\n  (0,0,8,8)\n';

/** The list as `--pixel-regions` would read it from `writeCornerScript`'s file. */
export const CORNER_REGIONS: RegionList = {
  name: 'corner.script',
  entries: [{ where: 'line 1', label: '', match: { not: { tag: 0x00080060, test: 'equals', value: 'NO SUCH MODALITY' } }, regions: [[0, 0, 8, 8]] }],
};

/** Writes the list as a CTP script into `dir`; its path, for --pixel-regions or DICOM_PIXEL_REGIONS. */
export function writeCornerScript(dir: string): string {
  const file = path.join(dir, 'corner.script');
  writeFileSync(file, SCRIPT);
  return file;
}
