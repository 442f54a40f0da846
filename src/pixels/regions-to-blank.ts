import { elementAt, valueAt } from '../dicom/element-access.js';
import type { DicomFile } from '../dicom/read-file.js';
import type { Tag } from '../dicom/tag.js';
import { spansOfRegions, spansOutside, type Corners, type Span } from './blank-spans.js';
import type { ImagePixels } from './image-pixels.js';
import type { OutlineBox } from './picture-outline.js';
import { firstMatchingEntry, type RegionList } from './region-list.js';

/** What cleaning an image's pixels would blank, as boxes to draw, and what names them. */
export interface RegionsToBlank {
  /** The region list entry that chose the boxes (its label, else where it is written); undefined: none matched. */
  readonly name: string | undefined;
  readonly boxes: readonly OutlineBox[];
}

/** How a preview learns what to outline; the pixel-cleaning plan will supply one. */
export type RegionsToBlankOf = (file: DicomFile, image: ImagePixels) => RegionsToBlank;

const SEQUENCE_OF_ULTRASOUND_REGIONS: Tag = 0x00186011;
const REGION_LOCATION_MIN_X0: Tag = 0x00186018;
const REGION_LOCATION_MIN_Y0: Tag = 0x0018601a;
const REGION_LOCATION_MAX_X1: Tag = 0x0018601c;
const REGION_LOCATION_MAX_Y1: Tag = 0x0018601e;

/**
 * The boxes of the first entry of `lists` that matches the file (negative x and y counted from the
 * right and bottom edges, as spansOfRegions reads them), and the file's ultrasound regions as boxes
 * that are kept.
 */
export function regionsFromLists(lists: readonly RegionList[]): RegionsToBlankOf {
  return (file, image) => {
    const choice = firstMatchingEntry(lists, file);
    const blank: OutlineBox[] = (choice?.entry.regions ?? []).map(([x, y, width, height]) => ({
      x: x < 0 ? image.columns + x : x,
      y: y < 0 ? image.rows + y : y,
      width,
      height,
      kind: 'blank',
    }));
    const keep: OutlineBox[] = ultrasoundRegions(file).map((corners) => ({ x: corners.minX, y: corners.minY, width: corners.maxX - corners.minX + 1, height: corners.maxY - corners.minY + 1, kind: 'keep' }));
    const entry = choice?.entry;
    return { name: entry === undefined ? undefined : entry.label !== '' ? entry.label : entry.where, boxes: [...blank, ...keep] };
  };
}

/** The Region Location corners of each item of the Sequence of Ultrasound Regions (PS3.3 C.8.5.5.1) that has all four. */
export function ultrasoundRegions(file: DicomFile): Corners[] {
  const items = elementAt(file, [], SEQUENCE_OF_ULTRASOUND_REGIONS)?.items ?? [];
  const regions: Corners[] = [];
  items.forEach((_, item) => {
    const path = [{ tag: SEQUENCE_OF_ULTRASOUND_REGIONS, item }];
    const corner = (tag: Tag): number | undefined => {
      const value = valueAt(file, path, tag);
      const first = value?.kind === 'numbers' ? value.values[0] : undefined;
      return first === undefined ? undefined : Number(first);
    };
    const [minX, minY, maxX, maxY] = [corner(REGION_LOCATION_MIN_X0), corner(REGION_LOCATION_MIN_Y0), corner(REGION_LOCATION_MAX_X1), corner(REGION_LOCATION_MAX_Y1)];
    if (minX !== undefined && minY !== undefined && maxX !== undefined && maxY !== undefined) regions.push({ minX, minY, maxX, maxY });
  });
  return regions;
}

/** The spans the boxes stand for: inside each `blank` box, and outside the union of the `keep` boxes (when there are any). */
export function spansOfBoxes(boxes: readonly OutlineBox[], rows: number, columns: number): Span[] {
  const blank = boxes.filter((box) => box.kind === 'blank').map((box) => [box.x, box.y, box.width, box.height] as const);
  const keep = boxes.filter((box) => box.kind === 'keep').map((box) => ({ minX: box.x, minY: box.y, maxX: box.x + box.width - 1, maxY: box.y + box.height - 1 }));
  // Resolved boxes are never negative; clamp so spansOfRegions does not count them from the far edge.
  const inside = spansOfRegions(blank.map(([x, y, width, height]) => [Math.max(0, x), Math.max(0, y), width + Math.min(0, x), height + Math.min(0, y)] as const), rows, columns);
  return keep.length === 0 ? inside : [...inside, ...spansOutside(keep, rows, columns)];
}
