import type { ElementEdit } from '../dicom/edits.js';
import { UnsupportedDicomError } from '../dicom/errors.js';
import type { DicomFile } from '../dicom/read-file.js';
import { PIXEL_DATA, type Tag } from '../dicom/tag.js';
import { nativeBlankPatches } from '../pixels/blank-native.js';
import type { Rectangle } from '../pixels/blank-spans.js';
import { BurnedInPixelsError, burnedInSigns, OcrNeededError, refusalDetail } from '../pixels/burned-in-risk.js';
import { chooseCleaning, describeCleaning, ocrCleaning, type PixelCleaning } from '../pixels/choose-cleaning.js';
import { nativeFrameBytes } from '../pixels/image-pixels.js';
import { regionListLabel, type RegionList } from '../pixels/region-list.js';
import { SHIPPED_REGION_LIST } from '../pixels/shipped-regions.generated.js';
import type { DeidOptions } from './options.js';

/** What happens to one image's pixels: nothing (not at risk), passed as they are (--burned-in accept), or cleaned. */
export type PixelStep =
  | { readonly kind: 'untouched' }
  | { readonly kind: 'accepted' }
  | { readonly kind: 'cleaned'; readonly cleaning: PixelCleaning; readonly edits: ReadonlyMap<Tag, ElementEdit>; readonly note: string };

const UNTOUCHED: PixelStep = { kind: 'untouched' };
const ACCEPTED: PixelStep = { kind: 'accepted' };
const BURNED_IN_ANNOTATION: Tag = 0x00280301;

/** Whether Clean Pixel Data was asked for (directly or by the research preset). */
export function cleansPixels(options: DeidOptions): boolean {
  return options.standardOptions?.includes('clean-pixel-data') ?? false;
}

/** The region lists Clean Pixel Data searches, the site's first. */
export function regionListsOf(options: DeidOptions): readonly RegionList[] {
  return options.pixelRegions ? [options.pixelRegions, SHIPPED_REGION_LIST] : [SHIPPED_REGION_LIST];
}

/**
 * The pixel step of an image's plan. An image that is not at risk is never looked at again, so its
 * Pixel Data is copied byte for byte. An at-risk one is cleaned with Clean Pixel Data when something
 * says where its text is, passed as it is with --burned-in accept, and refused otherwise.
 *
 * @throws BurnedInPixelsError naming the signs and why the image is refused.
 */
export function pixelStep(file: DicomFile, options: DeidOptions, ocrBoxes?: readonly Rectangle[]): PixelStep {
  const cleans = cleansPixels(options);
  const signs = burnedInSigns(file);
  if (signs.length === 0) return UNTOUCHED;
  if (!cleans) {
    if (options.burnedIn === 'accept') return ACCEPTED;
    throw new BurnedInPixelsError(signs);
  }
  const refuse = (refusal: ConstructorParameters<typeof BurnedInPixelsError>[1]): PixelStep => {
    if (options.burnedIn === 'accept') return ACCEPTED;
    throw new BurnedInPixelsError(signs, refusal);
  };
  if (signs.includes('video')) return refuse({ reason: 'cannot-clean', detail: 'video' });
  let cleaning: PixelCleaning | undefined;
  try {
    cleaning = chooseCleaning(file, regionListsOf(options));
  } catch (error) {
    if (error instanceof UnsupportedDicomError) return refuse({ reason: 'cannot-clean', detail: refusalDetail(error) });
    throw error;
  }
  // OCR comes last: what a list or the image itself says is known; what OCR reads is a guess.
  if (cleaning === undefined && options.ocr === true) {
    if (ocrBoxes === undefined) throw new OcrNeededError();
    cleaning = ocrCleaning(file, ocrBoxes);
  }
  if (cleaning === undefined) return refuse({ reason: 'no-region' });
  const blanked = blankedPixelData(file, cleaning);
  if (typeof blanked === 'string') return refuse({ reason: 'cannot-clean', detail: blanked });
  const edits = new Map<Tag, ElementEdit>([[BURNED_IN_ANNOTATION, { op: 'set', value: 'NO' }]]);
  if (blanked !== undefined) edits.set(PIXEL_DATA, blanked);
  return { kind: 'cleaned', cleaning, edits, note: pixelNote(cleaning) };
}

/** What De-identification Method (0012,0063) adds for a cleaned image: the list, or the ultrasound regions (LO, 64 characters). */
function pixelNote(cleaning: PixelCleaning): string {
  const prefix = 'pixels: ';
  if (cleaning.method.kind === 'region-list') return `${prefix}${regionListLabel(cleaning.method.list, 64 - prefix.length)}`;
  return cleaning.method.kind === 'ocr' ? `${prefix}words found by OCR` : `${prefix}outside the ultrasound regions`;
}

/** Whether a De-identification Method value is a note `pixelStep` writes. */
export function isPixelNote(note: string): boolean {
  return note.startsWith('pixels: ');
}

/** The mapping's words for a step: which list entry or method cleaned the image, or that it was passed uncleaned. */
export function pixelStepRecord(step: PixelStep): string {
  return step.kind === 'cleaned' ? describeCleaning(step.cleaning.method) : step.kind === 'accepted' ? 'accepted as it is' : '';
}

/**
 * The edit of native Pixel Data: patches over the regions in every frame. Undefined for
 * encapsulated pixel data, which the pipeline decodes, blanks and encodes (it reads the pixels);
 * a reason when the pixel data cannot be blanked.
 */
function blankedPixelData(file: DicomFile, cleaning: PixelCleaning): ElementEdit | undefined | string {
  const element = file.dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  if (element === undefined) return 'no integer Pixel Data';
  if (file.transferSyntax.encapsulated) return undefined;
  if (element.valueLength < nativeFrameBytes(cleaning.image) * cleaning.image.frames) return 'Pixel Data is shorter than its frames';
  return { op: 'patch', patches: nativeBlankPatches(cleaning.image, cleaning.spans, file.encoding.littleEndian) };
}

const withoutCleaning = new WeakMap<DeidOptions, DeidOptions>();

/**
 * The options an image's markers claim: an at-risk image passed as it is under Clean Pixel Data
 * (--burned-in accept, nothing said where its text is) must not claim the option. One object per
 * options, as the markers are built once per options object.
 */
export function markerOptionsFor(step: PixelStep, options: DeidOptions): DeidOptions {
  if (step.kind !== 'accepted' || !cleansPixels(options)) return options;
  let without = withoutCleaning.get(options);
  if (without === undefined) {
    without = { ...options, standardOptions: (options.standardOptions ?? []).filter((option) => option !== 'clean-pixel-data') };
    withoutCleaning.set(options, without);
  }
  return without;
}
