/**
 * A rectangle drawn over a picture, in pixels of the stored image ((0,0) top left; drawing clips it
 * to the picture): `blank` where cleaning will fill the pixels, `keep` an ultrasound region
 * that holds the image data (everything outside those is blanked).
 */
export interface OutlineBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly kind: 'blank' | 'keep';
}

/** Bright colours no grey image has: yellow for what is blanked, cyan for what is kept. */
export const OUTLINE_COLOURS: Readonly<Record<OutlineBox['kind'], readonly [number, number, number]>> = {
  blank: [255, 255, 0],
  keep: [0, 255, 255],
};

/**
 * Calls `paint(x, y, kind)` for each pixel of each box's border in a picture of `width` × `height`
 * that shows the stored image scaled by `scaleX`, `scaleY`: edges are scaled outwards, so a box
 * never shrinks inside what it marks, and clipped to the picture.
 */
export function eachOutlinePixel(
  boxes: readonly OutlineBox[],
  width: number,
  height: number,
  scaleX: number,
  scaleY: number,
  paint: (x: number, y: number, kind: OutlineBox['kind']) => void,
): void {
  for (const box of boxes) {
    if (box.width <= 0 || box.height <= 0) continue;
    const left = Math.max(0, Math.floor(box.x * scaleX));
    const top = Math.max(0, Math.floor(box.y * scaleY));
    const right = Math.min(width - 1, Math.ceil((box.x + box.width) * scaleX) - 1);
    const bottom = Math.min(height - 1, Math.ceil((box.y + box.height) * scaleY) - 1);
    if (right < left || bottom < top) continue;
    for (let x = left; x <= right; x++) {
      paint(x, top, box.kind);
      paint(x, bottom, box.kind);
    }
    for (let y = top; y <= bottom; y++) {
      paint(left, y, box.kind);
      paint(right, y, box.kind);
    }
  }
}
