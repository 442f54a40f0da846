import type { DicomFile } from '../dicom/read-file.js';
import { spansOfRegions, spansOutside, type Span } from './blank-spans.js';
import type { ImagePixels } from './image-pixels.js';
import type { OutlineBox } from './picture-outline.js';
import { chooseCleaning } from './choose-cleaning.js';
import type { RegionList } from './region-list.js';
import { ultrasoundRegions } from './ultrasound-regions.js';

/** What cleaning an image's pixels would blank, as boxes to draw, and what names them. */
export interface RegionsToBlank {
  /** The region list entry that chose the boxes (its label, else where it is written); undefined: none matched. */
  readonly name: string | undefined;
  readonly boxes: readonly OutlineBox[];
}

/** How a preview learns what to outline; the pixel-cleaning plan will supply one. */
export type RegionsToBlankOf = (file: DicomFile, image: ImagePixels) => RegionsToBlank;

/**
 * What clean-pixel-data would blank, as boxes: the first entry of `lists` that matches the file
 * (negative x and y counted from the right and bottom edges, as spansOfRegions reads them), else the
 * file's ultrasound regions as boxes that are kept (everything outside them is blanked).
 */
export function regionsFromLists(lists: readonly RegionList[]): RegionsToBlankOf {
  return (file, image) => {
    // What cleaning would do: a region list entry wins; else the ultrasound regions are kept.
    const cleaning = chooseCleaning(file, lists);
    // OCR is never chosen here: only the lists and the ultrasound regions say where text is beforehand.
    if (cleaning === undefined || cleaning.method.kind === 'ocr') return { name: undefined, boxes: [] };
    if (cleaning.method.kind === 'ultrasound-regions') return { name: 'ultrasound regions', boxes: ultrasoundRegions(file).map((corners) => ({ x: corners.minX, y: corners.minY, width: corners.maxX - corners.minX + 1, height: corners.maxY - corners.minY + 1, kind: 'keep' })) };
    const { entry } = cleaning.method;
    const blank: OutlineBox[] = entry.regions.map(([x, y, width, height]) => ({
      x: x < 0 ? image.columns + x : x,
      y: y < 0 ? image.rows + y : y,
      width,
      height,
      kind: 'blank',
    }));
    return { name: entry.label !== '' ? entry.label : entry.where, boxes: blank };
  };
}

/** The spans the boxes stand for: inside each `blank` box, and outside the union of the `keep` boxes (when there are any). */
export function spansOfBoxes(boxes: readonly OutlineBox[], rows: number, columns: number): Span[] {
  const blank = boxes.filter((box) => box.kind === 'blank').map((box) => [box.x, box.y, box.width, box.height] as const);
  const keep = boxes.filter((box) => box.kind === 'keep').map((box) => ({ minX: box.x, minY: box.y, maxX: box.x + box.width - 1, maxY: box.y + box.height - 1 }));
  // Resolved boxes are never negative; clamp so spansOfRegions does not count them from the far edge.
  const inside = spansOfRegions(blank.map(([x, y, width, height]) => [Math.max(0, x), Math.max(0, y), width + Math.min(0, x), height + Math.min(0, y)] as const), rows, columns);
  return keep.length === 0 ? inside : [...inside, ...spansOutside(keep, rows, columns)];
}
