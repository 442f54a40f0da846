import { textsAt } from '../dicom/element-access.js';
import type { DicomFile } from '../dicom/read-file.js';
import { isPixelDataTag, SOP_CLASS_UID, type Tag } from '../dicom/tag.js';
import type { UnsupportedDicomError } from '../dicom/errors.js';
import { DicomToolsError } from '../errors/dicom-tools-error.js';

/**
 * Why an image may carry text burned into its pixels (PS3.15 E.3.1, "Clean Pixel Data"): the
 * signs CTP's BurnedInPixelsFilter and pydicom/deid's default filter look for, and the kinds of
 * image that carry text by nature (../shared/reference/pixel-regions.md).
 */
export type BurnedInSign =
  | 'burned-in-annotation'
  | 'screen-save'
  | 'report-data'
  | 'secondary-capture-device'
  | 'secondary-capture'
  | 'ultrasound'
  | 'video';

/** What a message says for each sign: `may carry burned-in text (ultrasound)`. */
export const BURNED_IN_SIGN_LABELS: Readonly<Record<BurnedInSign, string>> = {
  'burned-in-annotation': 'Burned In Annotation is YES',
  'screen-save': 'a saved screen',
  'report-data': 'report or demographic data',
  'secondary-capture-device': 'made by a secondary capture device',
  'secondary-capture': 'a secondary capture',
  ultrasound: 'ultrasound',
  video: 'video',
};

const BURNED_IN_ANNOTATION: Tag = 0x00280301;
const IMAGE_TYPE: Tag = 0x00080008;
const MODALITY: Tag = 0x00080060;
const SERIES_DESCRIPTION: Tag = 0x0008103e;
/** Date, Device ID, Manufacturer and Software Versions of the secondary capture device. */
const SECONDARY_CAPTURE_DEVICE: readonly Tag[] = [0x00181012, 0x00181016, 0x00181018, 0x00181019];

const STORAGE_ROOT = '1.2.840.10008.5.1.4.1.1.';
const underRoot = (suffixes: readonly string[]): ReadonlySet<string> => new Set(suffixes.map((suffix) => `${STORAGE_ROOT}${suffix}`));
/** Secondary Capture, single and multi-frame (screen captures by definition). */
const SECONDARY_CAPTURE_CLASSES = underRoot(['7', '7.1', '7.2', '7.3', '7.4']);
/** Ultrasound: single and multi-frame (with their retired forms), enhanced US volume, photoacoustic. */
const ULTRASOUND_CLASSES = underRoot(['6', '6.1', '3', '3.1', '6.2', '6.3']);
/** Video endoscopic, microscopic and photographic: camera images. */
const VIDEO_CLASSES = underRoot(['77.1.1.1', '77.1.2.1', '77.1.4.1']);

/** The top-level attributes the signs look at, each read once, upper-case and trimmed. */
interface ImageFacts {
  readonly burnedInAnnotation: readonly string[];
  readonly imageType: readonly string[];
  readonly seriesDescription: readonly string[];
  readonly modality: readonly string[];
  readonly secondaryCaptureDevice: boolean;
  readonly sopClass: string;
}

const has = (values: readonly string[], word: string): boolean => values.some((value) => value.includes(word));

/** Each sign and its test, in the order a message names them. */
const SIGNS: readonly (readonly [BurnedInSign, (image: ImageFacts) => boolean])[] = [
  ['burned-in-annotation', (image) => image.burnedInAnnotation.includes('YES')],
  ['screen-save', (image) => has(image.imageType, 'SAVE') || has(image.seriesDescription, 'SAVE')],
  ['report-data', (image) => has(image.imageType, 'REPORTDATA') || has(image.imageType, 'DEMOGRAPHICDATA') || (image.imageType.includes('SECONDARY') && image.modality.includes('OT'))],
  ['secondary-capture-device', (image) => image.secondaryCaptureDevice],
  ['secondary-capture', (image) => SECONDARY_CAPTURE_CLASSES.has(image.sopClass)],
  ['ultrasound', (image) => ULTRASOUND_CLASSES.has(image.sopClass) || image.modality.includes('US')],
  ['video', (image) => VIDEO_CLASSES.has(image.sopClass)],
];

/**
 * The signs that the image in `file` may carry burned-in text; empty when it is not at risk (no
 * sign, or no pixel data at all: a report or structured document has no pixels to burn text into).
 * Runs for every file a batch plans: each attribute is read once.
 */
export function burnedInSigns(file: DicomFile): readonly BurnedInSign[] {
  if (!file.dataSet.some((element) => isPixelDataTag(element.tag))) return [];
  const texts = textsAt(file, []);
  const upper = (tag: Tag): readonly string[] => texts(tag).map((value) => value.trim().toUpperCase());
  const image: ImageFacts = {
    burnedInAnnotation: upper(BURNED_IN_ANNOTATION),
    imageType: upper(IMAGE_TYPE),
    seriesDescription: upper(SERIES_DESCRIPTION),
    modality: upper(MODALITY),
    secondaryCaptureDevice: SECONDARY_CAPTURE_DEVICE.some((tag) => texts(tag).some((value) => value.trim() !== '')),
    sopClass: texts(SOP_CLASS_UID)[0]?.trim() ?? '',
  };
  return SIGNS.filter(([, test]) => test(image)).map(([sign]) => sign);
}

/** `may carry burned-in text (ultrasound, a secondary capture)`. */
export function describeBurnedInSigns(signs: readonly BurnedInSign[]): string {
  return `may carry burned-in text (${signs.map((sign) => BURNED_IN_SIGN_LABELS[sign]).join(', ')})`;
}

/** What a run with --burned-in accept says once, in the CLI's output and the daemon's log. */
export const BURNED_IN_ACCEPTED_WARNING =
  '--burned-in accept: images that may carry burned-in text (ultrasound, screen captures, ...) are written with their pixels as they are; look at them before they are shared';

/**
 * Why an at-risk image is refused: Clean Pixel Data was not asked for; it was, and no region list
 * entry nor ultrasound region says where its text is; or its pixels cannot be cleaned (video, a
 * layout we cannot blank), the detail naming what.
 */
export type BurnedInRefusal = { readonly reason: 'not-asked' } | { readonly reason: 'no-region' } | { readonly reason: 'cannot-clean'; readonly detail: string };

const REFUSAL_TEXT: { readonly [Reason in BurnedInRefusal['reason']]: (refusal: Extract<BurnedInRefusal, { reason: Reason }>) => string } = {
  'not-asked': () => 'refused; add --option clean-pixel-data to blank its text, or --burned-in accept to pass it as it is',
  'no-region': () => 'refused, as no known region matches this device and size (a site list can add one: --pixel-regions); --burned-in accept passes it as it is',
  'cannot-clean': (refusal) => `refused, as its pixels cannot be cleaned (${refusal.detail}); --burned-in accept passes it as it is`,
};

/**
 * An image refused because it may carry burned-in text: it fails (named or found in a folder),
 * and the daemon quarantines it. The message names the signs and what to do, never a value.
 */
export class BurnedInPixelsError extends DicomToolsError {
  readonly code = 'BURNED_IN';
  readonly kind = 'abort';

  constructor(
    readonly signs: readonly BurnedInSign[],
    readonly refusal: BurnedInRefusal = { reason: 'not-asked' },
  ) {
    super(`${describeBurnedInSigns(signs)}: ${(REFUSAL_TEXT[refusal.reason] as (refusal: BurnedInRefusal) => string)(refusal)}`);
  }
}

/**
 * An at-risk image that only OCR can clean, planned before OCR has read it: the run reads its text
 * (asynchronously, outside the synchronous pipeline) and plans it again with the boxes found.
 */
export class OcrNeededError extends DicomToolsError {
  readonly code = 'NEEDS_OCR';
  readonly kind = 'abort';

  constructor() {
    super('its text must be read by OCR before it is cleaned');
  }
}

/** The problem without the error class's "Unsupported DICOM: " heading: inside the refusal's "cannot be cleaned (…)" it says nothing. */
export function refusalDetail(error: UnsupportedDicomError): string {
  return error.problem.replace(/^Unsupported DICOM: /, '');
}
