// Images with text drawn in a real font (DejaVu Sans, rasterised by pureimage), for the OCR and
// pixel-cleaning tests: burned-in patient text as a scanner would write it, with the ink box of
// every word drawn so a test knows where each planted word is.
import * as PImage from 'pureimage';

export const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** One sample (grey) or one pixel's samples (RGB). */
export type Colour = number | readonly number[];

export interface TextLine {
  readonly text: string;
  /** Left edge of the first glyph's advance box, in pixels. */
  readonly x: number;
  /** Top of the line: the font's ascent above the baseline starts here. */
  readonly y: number;
  /** Font size in pixels (em height). */
  readonly size: number;
}

export interface TextImageOptions {
  readonly width: number;
  readonly height: number;
  /** 1 (grey) or 3 (RGB). @default 1 */
  readonly channels?: 1 | 3;
  /** @default 8 */
  readonly bitsAllocated?: 8 | 16;
  readonly lines: readonly TextLine[];
  /** A colour, or the colour at each pixel (image content under the text). @default 0 */
  readonly background?: Colour | ((x: number, y: number) => Colour);
  /** @default the highest sample value */
  readonly foreground?: Colour;
}

/** Where one drawn word's ink is (pixels with at least a third of full coverage). */
export interface PlantedWord {
  readonly text: string;
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

export interface TextImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly bitsAllocated: 8 | 16;
  /** Interleaved by pixel, rows top to bottom: Uint8Array for 8 bits, Uint16Array for 16. */
  readonly samples: Uint8Array | Uint16Array;
  readonly words: readonly PlantedWord[];
}

const FAMILY = 'DejaVu Sans';
let fontLoaded = false;

function loadFont(): void {
  if (fontLoaded) return;
  PImage.registerFont(DEJAVU_SANS, FAMILY).loadSync();
  fontLoaded = true;
}

function coloursOf(colour: Colour, channels: number): readonly number[] {
  return typeof colour === 'number' ? Array.from({ length: channels }, () => colour) : colour;
}

/** Draws `lines` word by word in DejaVu Sans (anti-aliased) over the background, blending by ink coverage. */
export function drawTextImage(options: TextImageOptions): TextImage {
  loadFont();
  const { width, height, lines } = options;
  const channels = options.channels ?? 1;
  const bitsAllocated = options.bitsAllocated ?? 8;
  const top = 2 ** bitsAllocated - 1;
  // White text on black: the red channel is the coverage of each pixel.
  const canvas = PImage.make(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#000000';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#ffffff';
  const drawn: { text: string; left: number; right: number; top: number; bottom: number }[] = [];
  for (const line of lines) {
    context.font = `${line.size}px '${FAMILY}'`;
    const ascent = context.measureText('Hg').emHeightAscent;
    const baseline = Math.round(line.y + ascent);
    let x = line.x;
    for (const word of line.text.split(' ')) {
      if (word.length > 0) {
        context.fillText(word, x, baseline);
        const advance = context.measureText(word).width;
        drawn.push({ text: word, left: Math.floor(x) - 2, right: Math.ceil(x + advance) + 2, top: Math.floor(line.y) - 2, bottom: Math.ceil(line.y + line.size * 1.3) });
        x += advance;
      }
      x += context.measureText(' ').width;
    }
  }
  const coverage = (x: number, y: number): number => (canvas.data[(y * width + x) * 4] ?? 0) / 255;
  const words = drawn.map((word) => ({ text: word.text, box: inkBox(word, width, height, coverage) }));

  const samples = bitsAllocated === 8 ? new Uint8Array(width * height * channels) : new Uint16Array(width * height * channels);
  const foreground = coloursOf(options.foreground ?? top, channels);
  const background = options.background ?? 0;
  const constantBackground = typeof background === 'function' ? undefined : coloursOf(background, channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const under = constantBackground ?? coloursOf((background as (x: number, y: number) => Colour)(x, y), channels);
      const alpha = coverage(x, y);
      for (let c = 0; c < channels; c++) {
        const value = (under[c] ?? 0) * (1 - alpha) + (foreground[c] ?? top) * alpha;
        samples[(y * width + x) * channels + c] = Math.max(0, Math.min(top, Math.round(value)));
      }
    }
  }
  return { width, height, channels, bitsAllocated, samples, words };
}

function inkBox(area: { left: number; right: number; top: number; bottom: number }, width: number, height: number, coverage: (x: number, y: number) => number): PlantedWord['box'] {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = Math.max(0, area.top); y < Math.min(height, area.bottom); y++) {
    for (let x = Math.max(0, area.left); x < Math.min(width, area.right); x++) {
      if (coverage(x, y) < 1 / 3) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (left === Infinity) throw new Error('a drawn word left no ink: is it outside the image?');
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/** The samples as Pixel Data bytes: little-endian, as Explicit VR Little Endian stores them. */
export function pixelBytesOf(image: TextImage): Uint8Array {
  if (image.samples instanceof Uint8Array) return image.samples;
  const bytes = Buffer.alloc(image.samples.length * 2);
  image.samples.forEach((value, index) => bytes.writeUInt16LE(value, index * 2));
  return bytes;
}

/** 8-bit samples for OCR and PNG files: 16-bit images are scaled from their own lowest to highest value. */
export function eightBitSamples(image: TextImage): Uint8Array {
  if (image.samples instanceof Uint8Array) return image.samples;
  let [low, high] = [Infinity, -Infinity];
  for (const value of image.samples) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const range = Math.max(1, high - low);
  return Uint8Array.from(image.samples, (value) => Math.round(((value - low) * 255) / range));
}
