import { UnsupportedDicomError } from '../dicom/errors.js';
import type { DecodedFrame } from './codecs/frame-codec.js';
import type { ImagePixels } from './image-pixels.js';

/** How stored samples become what a person sees: read from the file by displaySettingsOf (display-settings.ts). */
export interface DisplaySettings {
  /** Window Center/Width (0028,1050/1051), first values, in rescaled units; undefined: the frame's minimum to maximum. */
  readonly window: { readonly center: number; readonly width: number } | undefined;
  /** Rescale Slope/Intercept (0028,1053/1052), applied before the window; 1 and 0 when absent. */
  readonly rescale: { readonly slope: number; readonly intercept: number };
  /** PALETTE COLOR: the three lookup tables. */
  readonly palette: PaletteLut | undefined;
}

/** A palette's tables as 8-bit display values, and the stored value the first entry maps (PS3.3 C.7.6.3.1.5). */
export interface PaletteLut {
  readonly firstMapped: number;
  readonly red: Uint8Array;
  readonly green: Uint8Array;
  readonly blue: Uint8Array;
}

export const NO_DISPLAY_SETTINGS: DisplaySettings = { window: undefined, rescale: { slope: 1, intercept: 0 }, palette: undefined };

/**
 * One decoded frame as 8-bit RGB (3 bytes a pixel, rows top to bottom), as a viewer shows it:
 * MONOCHROME1/2 through rescale and window (MONOCHROME1 inverted), RGB scaled to 8 bits, YBR
 * converted to RGB, PALETTE COLOR through its tables.
 *
 * @throws UnsupportedDicomError for a colour space it does not know (named, it is not patient data).
 */
export function displayRgb(image: ImagePixels, frame: DecodedFrame, settings: DisplaySettings): Uint8Array {
  const pixels = image.rows * image.columns;
  const samplesPerPixel = frame.photometric.startsWith('MONOCHROME') || frame.photometric === 'PALETTE COLOR' ? 1 : 3;
  if (samplesPerPixel !== image.samplesPerPixel) throw new UnsupportedDicomError(`the photometric interpretation does not fit the image's Samples per Pixel`, { tag: 0x00280004 });
  const read = sampleReader(image, frame.samples, pixels * samplesPerPixel);
  const out = new Uint8Array(pixels * 3);
  switch (frame.photometric) {
    case 'MONOCHROME1':
    case 'MONOCHROME2':
      grey(read, pixels, settings, frame.photometric === 'MONOCHROME1', out);
      return out;
    case 'PALETTE COLOR':
      if (settings.palette === undefined) throw new UnsupportedDicomError('the PALETTE COLOR image has no usable palette lookup tables', { tag: 0x00281101 });
      palette(read, pixels, settings.palette, out);
      return out;
    case 'RGB':
      colour(read, pixels, image.bitsStored, (r, g, b) => [r, g, b], out);
      return out;
    case 'YBR_FULL':
    case 'YBR_FULL_422':
    case 'YBR_ICT':
      colour(read, pixels, image.bitsStored, fromYbr(2 ** (image.bitsStored - 1)), out);
      return out;
    case 'YBR_RCT':
      colour(read, pixels, image.bitsStored, fromRct(2 ** (image.bitsStored - 1)), out);
      return out;
    default:
      throw new UnsupportedDicomError('pixels in this photometric interpretation cannot be displayed', { tag: 0x00280004 });
  }
}

/** Sample `index` as a number: bitsStored low bits of the bitsAllocated-wide little-endian word, sign-extended when signed. */
function sampleReader(image: ImagePixels, samples: Uint8Array, count: number): (index: number) => number {
  const width = image.bitsAllocated / 8;
  if (samples.length < count * width) throw new UnsupportedDicomError('the decoded frame is shorter than the image needs');
  const view = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
  const range = 2 ** image.bitsStored;
  const half = range / 2;
  const word = width === 1 ? (index: number) => samples[index] ?? 0 : width === 2 ? (index: number) => view.getUint16(index * 2, true) : (index: number) => view.getUint32(index * 4, true);
  const masked = image.bitsStored === 32 ? word : (index: number) => word(index) % range;
  return image.signed ? (index) => {
    const value = masked(index);
    return value >= half ? value - range : value;
  } : masked;
}

function grey(read: (index: number) => number, pixels: number, settings: DisplaySettings, inverted: boolean, out: Uint8Array): void {
  const { slope, intercept } = settings.rescale;
  const values = new Float64Array(pixels);
  let lowest = Infinity;
  let highest = -Infinity;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const value = read(pixel) * slope + intercept;
    values[pixel] = value;
    if (value < lowest) lowest = value;
    if (value > highest) highest = value;
  }
  // Without a window, the frame's range fills the display, as DCMTK's min-max window computes it.
  const { center, width } = settings.window ?? { center: (lowest + highest + 1) / 2, width: highest - lowest + 1 };
  const toDisplay = linearWindow(center, width);
  for (let pixel = 0; pixel < pixels; pixel++) {
    const shade = toDisplay(values[pixel] ?? 0);
    const shown = inverted ? 255 - shade : shade;
    out[pixel * 3] = shown;
    out[pixel * 3 + 1] = shown;
    out[pixel * 3 + 2] = shown;
  }
}

/** The LINEAR VOI function of PS3.3 C.11.2.1.2.1, to 0…255. */
function linearWindow(center: number, width: number): (value: number) => number {
  const bottom = center - 0.5 - (width - 1) / 2;
  const top = center - 0.5 + (width - 1) / 2;
  return (value) => {
    if (value <= bottom) return 0;
    if (value > top) return 255;
    return Math.round(((value - (center - 0.5)) / (width - 1) + 0.5) * 255);
  };
}

function palette(read: (index: number) => number, pixels: number, lut: PaletteLut, out: Uint8Array): void {
  const last = lut.red.length - 1;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const entry = Math.min(last, Math.max(0, read(pixel) - lut.firstMapped));
    out[pixel * 3] = lut.red[entry] ?? 0;
    out[pixel * 3 + 1] = lut.green[Math.min(entry, lut.green.length - 1)] ?? 0;
    out[pixel * 3 + 2] = lut.blue[Math.min(entry, lut.blue.length - 1)] ?? 0;
  }
}

type ToRgb = (a: number, b: number, c: number) => readonly [number, number, number];

/** Three samples a pixel to RGB in the samples' range, then clamped and scaled to 8 bits. */
function colour(read: (index: number) => number, pixels: number, bitsStored: number, toRgb: ToRgb, out: Uint8Array): void {
  const highest = 2 ** bitsStored - 1;
  const scale = 255 / highest;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const rgb = toRgb(read(pixel * 3), read(pixel * 3 + 1), read(pixel * 3 + 2));
    for (let channel = 0; channel < 3; channel++) out[pixel * 3 + channel] = Math.round(Math.min(highest, Math.max(0, rgb[channel] ?? 0)) * scale);
  }
}

/** YBR_FULL (and the irreversible transform, the same equations): PS3.3 C.7.6.3.1.2. */
function fromYbr(middle: number): ToRgb {
  return (y, cb, cr) => [y + 1.402 * (cr - middle), y - 0.344136 * (cb - middle) - 0.714136 * (cr - middle), y + 1.772 * (cb - middle)];
}

/** The reversible colour transform of JPEG 2000 undone (ISO 15444-1 G.2), chroma stored with the DC offset. */
function fromRct(middle: number): ToRgb {
  return (y, cb, cr) => {
    const green = y - Math.floor((cb - middle + (cr - middle)) / 4);
    return [cr - middle + green, green, cb - middle + green];
  };
}
