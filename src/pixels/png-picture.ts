// The one module that imports pngjs.
import { PNG } from 'pngjs';
import { eachOutlinePixel, OUTLINE_COLOURS, type OutlineBox } from './picture-outline.js';

/** An 8-bit RGB image (3 bytes a pixel) as a PNG file at full resolution, `outline` drawn one pixel wide. */
export function pngOf(rgb: Uint8Array, width: number, height: number, outline: readonly OutlineBox[] = []): Buffer {
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  const data = Buffer.from(rgb.subarray(0, width * height * 3));
  eachOutlinePixel(outline, width, height, 1, 1, (x, y, kind) => data.set(OUTLINE_COLOURS[kind], (y * width + x) * 3));
  png.data = data;
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}
