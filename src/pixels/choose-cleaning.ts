import type { DicomFile } from '../dicom/read-file.js';
import { spansOfRegions, spansOutside, type Span } from './blank-spans.js';
import { imagePixelsOf, type ImagePixels } from './image-pixels.js';
import { firstMatchingEntry, regionListLabel, type RegionEntry, type RegionList } from './region-list.js';
import { ultrasoundRegions } from './ultrasound-regions.js';

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
