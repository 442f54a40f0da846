import type { DicomFile } from '../dicom/read-file.js';
import { valueAt } from '../dicom/element-access.js';
import type { Tag } from '../dicom/tag.js';
import { spansOfRegions, spansOutside, type Corners, type Span } from './blank-spans.js';
import { imagePixelsOf, type ImagePixels } from './image-pixels.js';
import { firstMatchingEntry, regionListLabel, type RegionEntry, type RegionList } from './region-list.js';

/** How an at-risk image's text is found: an entry of a region list, or the ultrasound regions the image declares. */
export type CleaningMethod =
  | { readonly kind: 'region-list'; readonly list: RegionList; readonly entry: RegionEntry }
  | { readonly kind: 'ultrasound-regions'; readonly regions: number };

/** What cleaning one image blanks: the same spans in every frame. */
export interface PixelCleaning {
  readonly method: CleaningMethod;
  readonly image: ImagePixels;
  readonly spans: readonly Span[];
}

const SEQUENCE_OF_ULTRASOUND_REGIONS: Tag = 0x00186011;
const REGION_LOCATION_MIN_X0: Tag = 0x00186018;
const REGION_LOCATION_MIN_Y0: Tag = 0x0018601a;
const REGION_LOCATION_MAX_X1: Tag = 0x0018601c;
const REGION_LOCATION_MAX_Y1: Tag = 0x0018601e;

/**
 * What cleans an at-risk image, in the order of PS3.15's Clean Pixel Data as we apply it: the first
 * matching entry of the region lists (the site's before the shipped one), else the ultrasound
 * regions the image declares (everything outside them is blanked: the machine writes its text
 * there). Undefined when neither applies; OCR, when asked for, comes after.
 */
export function chooseCleaning(file: DicomFile, lists: readonly RegionList[]): PixelCleaning | undefined {
  const image = imagePixelsOf(file);
  const choice = firstMatchingEntry(lists, file);
  if (choice !== undefined) {
    return { method: { kind: 'region-list', ...choice }, image, spans: spansOfRegions(choice.entry.regions, image.rows, image.columns) };
  }
  const regions = ultrasoundRegions(file);
  if (regions.length > 0) return { method: { kind: 'ultrasound-regions', regions: regions.length }, image, spans: spansOutside(regions, image.rows, image.columns) };
  return undefined;
}

/** How the mapping and the outputs name a method: the list and entry, with no value of the file. */
export function describeCleaning(method: CleaningMethod): string {
  return method.kind === 'region-list' ? `${regionListLabel(method.list, 200)}, ${method.entry.where}${method.entry.label ? ` (${method.entry.label})` : ''}` : `outside the ${method.regions} ultrasound region${method.regions === 1 ? '' : 's'}`;
}

/**
 * The regions of SequenceOfUltrasoundRegions (PS3.3 C.8.5.5) with all four corners; an item
 * without them says nothing about where the image data is, so it is left out.
 */
function ultrasoundRegions(file: DicomFile): Corners[] {
  const items = file.dataSet.find((element) => element.tag === SEQUENCE_OF_ULTRASOUND_REGIONS)?.items ?? [];
  const regions: Corners[] = [];
  items.forEach((_, item) => {
    const corner = (tag: Tag): number | undefined => {
      const value = valueAt(file, [{ tag: SEQUENCE_OF_ULTRASOUND_REGIONS, item }], tag);
      const first = value?.kind === 'numbers' ? Number(value.values[0]) : undefined;
      return first !== undefined && Number.isInteger(first) ? first : undefined;
    };
    const [minX, minY, maxX, maxY] = [corner(REGION_LOCATION_MIN_X0), corner(REGION_LOCATION_MIN_Y0), corner(REGION_LOCATION_MAX_X1), corner(REGION_LOCATION_MAX_Y1)];
    if (minX !== undefined && minY !== undefined && maxX !== undefined && maxY !== undefined && maxX >= minX && maxY >= minY) regions.push({ minX, minY, maxX, maxY });
  });
  return regions;
}
