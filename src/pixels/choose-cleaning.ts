import type { DicomFile } from '../dicom/read-file.js';
import { plural } from '../text/plural.js';
import { spansOfRegions, spansOutside, type Rectangle, type Span } from './blank-spans.js';
import { imagePixelsOf, type ImagePixels } from './image-pixels.js';
import { firstMatchingEntry, regionListLabel, type RegionEntry, type RegionList } from './region-list.js';
import { ultrasoundRegions } from './ultrasound-regions.js';

/** How an at-risk image's text is found: an entry of a region list, or the ultrasound regions the image declares. */
export type CleaningMethod =
  | { readonly kind: 'region-list'; readonly list: RegionList; readonly entry: RegionEntry }
  | { readonly kind: 'ultrasound-regions'; readonly regions: number }
  | { readonly kind: 'ocr'; readonly boxes: number };

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
  if (method.kind === 'region-list') return `${regionListLabel(method.list, 200)}, ${method.entry.where}${method.entry.label ? ` (${method.entry.label})` : ''}`;
  if (method.kind === 'ocr') return `OCR: ${plural(method.boxes, 'word box', 'word boxes')}`;
  return `outside the ${plural(method.regions, 'ultrasound region')}`;
}

/** Cleaning by the boxes OCR found (words that identify, padded), the same boxes in every frame. */
export function ocrCleaning(file: DicomFile, boxes: readonly Rectangle[]): PixelCleaning {
  const image = imagePixelsOf(file);
  return { method: { kind: 'ocr', boxes: boxes.length }, image, spans: spansOfRegions(boxes.map((box) => [box.x, box.y, box.width, box.height] as const), image.rows, image.columns) };
}
