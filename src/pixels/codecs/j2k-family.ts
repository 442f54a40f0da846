import type { ImagePixels } from '../image-pixels.js';

// What JPEG 2000 and High-Throughput JPEG 2000 frames share, whichever library codes them.

/** Whether the file says its frames carry a component transformation (PS3.5 8.2.4, 8.2.6). */
export function hasColourTransform(image: ImagePixels): boolean {
  return image.photometric === 'YBR_RCT' || image.photometric === 'YBR_ICT';
}

/** The colour space of decoded samples: the decoders undo a component transformation, giving RGB. */
export function decodedPhotometric(image: ImagePixels, transformed: boolean): string {
  if (image.samplesPerPixel === 3 && (transformed || hasColourTransform(image))) return 'RGB';
  return image.photometric;
}

/** Wavelet levels for a lossless encoding: five (the libraries' default), fewer when a side would shrink below one sample. */
export function decompositionsFor(shape: { readonly width: number; readonly height: number }): number {
  return Math.min(5, Math.floor(Math.log2(Math.min(shape.width, shape.height))));
}
