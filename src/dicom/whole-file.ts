import { textAt, valueAt } from './element-access.js';
import type { DicomFile } from './read-file.js';
import { isImageSopClass } from './image-sop-classes.js';
import { DOUBLE_FLOAT_PIXEL_DATA, FLOAT_PIXEL_DATA, PIXEL_DATA, SOP_CLASS_UID, type Tag } from './tag.js';

const SAMPLES_PER_PIXEL = 0x00280002;
const NUMBER_OF_FRAMES = 0x00280008;
const ROWS = 0x00280010;
const COLUMNS = 0x00280011;
const BITS_ALLOCATED = 0x00280100;

/**
 * Why `file` cannot be all its writer meant it to be, or undefined when it can: for a reader that
 * takes files as they arrive (the watch daemon), since a copy that pauses on an element boundary
 * parses cleanly. An image (an image SOP Class, or Rows and Columns of the Image Pixel module)
 * without Pixel Data, or one with
 * native Pixel Data shorter than Rows × Columns × Samples per Pixel × Number of Frames × Bits
 * Allocated. A file cut inside an element, or encapsulated Pixel Data without its Sequence
 * Delimitation Item, does not read at all (TruncatedDicomError). Names no value of the file.
 */
export function whyNotWhole(file: DicomFile): string | undefined {
  const rows = firstNumber(file, ROWS);
  const columns = firstNumber(file, COLUMNS);
  const imageClass = isImageSopClass(textAt(file, [], SOP_CLASS_UID)[0] ?? '');
  if (!imageClass && (rows === undefined || columns === undefined)) return undefined;
  const pixels = file.dataSet.find((element) => element.tag === PIXEL_DATA || element.tag === FLOAT_PIXEL_DATA || element.tag === DOUBLE_FLOAT_PIXEL_DATA);
  if (pixels === undefined) return `it is an image (${imageClass ? 'its SOP Class' : 'Rows, Columns'}) but holds no Pixel Data`;
  const bitsAllocated = firstNumber(file, BITS_ALLOCATED);
  if (pixels.fragments !== undefined || rows === undefined || columns === undefined || bitsAllocated === undefined) return undefined;
  const samples = firstNumber(file, SAMPLES_PER_PIXEL) ?? 1;
  const frames = Number.parseInt(textAt(file, [], NUMBER_OF_FRAMES)[0] ?? '1', 10);
  const needed = Math.ceil((rows * columns * samples * (Number.isSafeInteger(frames) && frames > 0 ? frames : 1) * bitsAllocated) / 8);
  if (pixels.valueLength < needed) return `${describe(pixels.tag)} holds ${pixels.valueLength} bytes, fewer than the ${needed} its image attributes call for`;
  return undefined;
}

function firstNumber(file: DicomFile, tag: Tag): number | undefined {
  const value = valueAt(file, [], tag);
  const first = value?.kind === 'numbers' ? value.values[0] : undefined;
  return first === undefined ? undefined : Number(first);
}

function describe(tag: Tag): string {
  return tag === PIXEL_DATA ? 'its Pixel Data' : tag === FLOAT_PIXEL_DATA ? 'its Float Pixel Data' : 'its Double Float Pixel Data';
}
