import { valueAt } from '../dicom/element-access.js';
import { UnsupportedDicomError } from '../dicom/errors.js';
import type { DicomFile } from '../dicom/read-file.js';
import type { Tag } from '../dicom/tag.js';

/** How an image's pixels are laid out (PS3.3 C.7.6.3, the Image Pixel module), as far as blanking needs. */
export interface ImagePixels {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: 8 | 16 | 32;
  readonly bitsStored: number;
  /** 1: two's complement. */
  readonly signed: boolean;
  /** 1: each sample in a plane of its own (R…R G…G B…B), 0: interleaved (RGB RGB …). */
  readonly planar: boolean;
  readonly frames: number;
  readonly photometric: string;
  /** Pixel Padding Value (0028,0120), when present. */
  readonly paddingValue: number | undefined;
}

const ROWS: Tag = 0x00280010;
const COLUMNS: Tag = 0x00280011;
const SAMPLES_PER_PIXEL: Tag = 0x00280002;
const BITS_ALLOCATED: Tag = 0x00280100;
const BITS_STORED: Tag = 0x00280101;
const PIXEL_REPRESENTATION: Tag = 0x00280103;
const PLANAR_CONFIGURATION: Tag = 0x00280006;
const NUMBER_OF_FRAMES: Tag = 0x00280008;
const PHOTOMETRIC_INTERPRETATION: Tag = 0x00280004;
const PIXEL_PADDING_VALUE: Tag = 0x00280120;

/**
 * The pixel layout of an image, from its top-level attributes.
 *
 * @throws UnsupportedDicomError when an attribute blanking needs is missing or out of range (named by tag, never by value).
 */
export function imagePixelsOf(file: DicomFile): ImagePixels {
  const number = (tag: Tag): number | undefined => {
    const value = valueAt(file, [], tag);
    const first = value?.kind === 'numbers' ? value.values[0] : value?.kind === 'text' ? value.values[0]?.trim() : undefined;
    const parsed = first === undefined || first === '' ? undefined : Number(first);
    return parsed !== undefined && Number.isInteger(parsed) ? parsed : undefined;
  };
  const required = (tag: Tag, name: string, valid: (value: number) => boolean): number => {
    const value = number(tag);
    if (value === undefined || !valid(value)) throw new UnsupportedDicomError(`the image's ${name} is missing or out of range, so its pixels cannot be blanked`, { tag });
    return value;
  };
  const rows = required(ROWS, 'Rows', (value) => value > 0);
  const columns = required(COLUMNS, 'Columns', (value) => value > 0);
  const samplesPerPixel = required(SAMPLES_PER_PIXEL, 'Samples per Pixel', (value) => value === 1 || value === 3);
  const bitsAllocated = required(BITS_ALLOCATED, 'Bits Allocated', (value) => value === 8 || value === 16 || value === 32) as 8 | 16 | 32;
  const bitsStored = number(BITS_STORED) ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) throw new UnsupportedDicomError("the image's Bits Stored is out of range, so its pixels cannot be blanked", { tag: BITS_STORED });
  const photometricValue = valueAt(file, [], PHOTOMETRIC_INTERPRETATION);
  const photometric = photometricValue?.kind === 'text' ? (photometricValue.values[0] ?? '').trim().toUpperCase() : '';
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    signed: number(PIXEL_REPRESENTATION) === 1,
    planar: samplesPerPixel > 1 && number(PLANAR_CONFIGURATION) === 1,
    frames: Math.max(1, number(NUMBER_OF_FRAMES) ?? 1),
    photometric,
    paddingValue: number(PIXEL_PADDING_VALUE),
  };
}

/** Bytes of one native (uncompressed) frame. */
export function nativeFrameBytes(image: ImagePixels): number {
  return image.rows * image.columns * image.samplesPerPixel * (image.bitsAllocated / 8);
}
