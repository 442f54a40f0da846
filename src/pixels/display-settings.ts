import { byteOrderOf } from '../dicom/byte-order.js';
import { elementAt, valueAt, valueBytes } from '../dicom/element-access.js';
import { UnsupportedDicomError } from '../dicom/errors.js';
import type { DicomFile } from '../dicom/read-file.js';
import type { Tag } from '../dicom/tag.js';
import type { DisplaySettings, PaletteLut } from './display-frame.js';
import type { ImagePixels } from './image-pixels.js';

const WINDOW_CENTER: Tag = 0x00281050;
const WINDOW_WIDTH: Tag = 0x00281051;
const RESCALE_INTERCEPT: Tag = 0x00281052;
const RESCALE_SLOPE: Tag = 0x00281053;
/** Red, green, blue: descriptor (entries, first mapped value, bits per entry) and data. */
const PALETTE_TABLES = [
  [0x00281101, 0x00281201],
  [0x00281102, 0x00281202],
  [0x00281103, 0x00281203],
] as const;

/** The file's window, rescale and (PALETTE COLOR) lookup tables, as displayRgb needs them. */
export function displaySettingsOf(file: DicomFile, image: ImagePixels): DisplaySettings {
  const center = firstNumber(file, WINDOW_CENTER);
  const width = firstNumber(file, WINDOW_WIDTH);
  return {
    window: center !== undefined && width !== undefined && width >= 1 ? { center, width } : undefined,
    rescale: { slope: firstNumber(file, RESCALE_SLOPE) ?? 1, intercept: firstNumber(file, RESCALE_INTERCEPT) ?? 0 },
    palette: image.photometric === 'PALETTE COLOR' ? paletteOf(file) : undefined,
  };
}

function firstNumber(file: DicomFile, tag: Tag): number | undefined {
  const value = valueAt(file, [], tag);
  const first = value?.kind === 'text' ? value.values[0]?.trim() : value?.kind === 'numbers' ? value.values[0] : undefined;
  if (first === undefined || first === '') return undefined;
  const number = Number(first);
  return Number.isFinite(number) ? number : undefined;
}

function paletteOf(file: DicomFile): PaletteLut {
  const [red, green, blue] = PALETTE_TABLES.map(([descriptorTag, dataTag]) => table(file, descriptorTag, dataTag));
  if (!red || !green || !blue) throw new UnsupportedDicomError('the PALETTE COLOR image has no usable palette lookup tables');
  return { firstMapped: red.firstMapped, red: red.values, green: green.values, blue: blue.values };
}

/** One table as 8-bit values (16-bit entries: their high byte). */
function table(file: DicomFile, descriptorTag: Tag, dataTag: Tag): { firstMapped: number; values: Uint8Array } {
  const descriptor = valueAt(file, [], descriptorTag);
  const numbers = descriptor?.kind === 'numbers' ? descriptor.values.map(Number) : [];
  const [declared, firstMapped, bits] = numbers;
  if (declared === undefined || firstMapped === undefined || (bits !== 8 && bits !== 16)) {
    throw new UnsupportedDicomError('the palette lookup table descriptor is missing or not 8 or 16 bits (segmented palettes are not shown)', { tag: descriptorTag });
  }
  // 0 entries means 2^16 (PS3.3 C.7.6.3.1.5).
  const entries = declared === 0 ? 65536 : declared;
  const element = elementAt(file, [], dataTag);
  const bytes = element && valueBytes(file, element);
  if (!bytes) throw new UnsupportedDicomError('the palette lookup table data is missing', { tag: dataTag });
  const order = byteOrderOf(file.encoding.littleEndian);
  const values = new Uint8Array(entries);
  if (bits === 8 && bytes.length >= entries && bytes.length < entries * 2) {
    for (let entry = 0; entry < entries; entry++) values[entry] = bytes[entry] ?? 0;
  } else {
    if (bytes.length < entries * 2) throw new UnsupportedDicomError('the palette lookup table data is shorter than its descriptor says', { tag: dataTag });
    const words = Array.from({ length: entries }, (_, entry) => order.uint16(bytes, entry * 2));
    // 8-bit entries one to a 16-bit word, as some writers store them: the value is the word (or its high byte).
    const shift = bits === 16 || words.some((word) => word > 255) ? 8 : 0;
    words.forEach((word, entry) => (values[entry] = word >> shift));
  }
  return { firstMapped, values };
}
