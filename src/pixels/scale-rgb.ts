/**
 * An 8-bit RGB image resampled to `outWidth` × `outHeight` by area averaging: each output pixel is
 * the mean of the source pixels it covers, each weighted by how much of it is covered. (Enlarging
 * repeats pixels.) Always a new array.
 */
export function scaledRgb(rgb: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  if (outWidth === width && outHeight === height) return rgb.slice(0, width * height * 3);
  const columns = coverage(width, outWidth);
  const rows = coverage(height, outHeight);
  const out = new Uint8Array(outWidth * outHeight * 3);
  const sum = [0, 0, 0];
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      sum.fill(0);
      let total = 0;
      for (const [row, rowWeight] of rows[y] ?? []) {
        for (const [column, columnWeight] of columns[x] ?? []) {
          const weight = rowWeight * columnWeight;
          const at = (row * width + column) * 3;
          for (let channel = 0; channel < 3; channel++) sum[channel] = (sum[channel] ?? 0) + (rgb[at + channel] ?? 0) * weight;
          total += weight;
        }
      }
      for (let channel = 0; channel < 3; channel++) out[(y * outWidth + x) * 3 + channel] = Math.round((sum[channel] ?? 0) / total);
    }
  }
  return out;
}

/** For each output index, the source indices it covers and by how much (0…1]. */
function coverage(size: number, outSize: number): (readonly [number, number])[][] {
  const step = size / outSize;
  return Array.from({ length: outSize }, (_, index) => {
    const from = index * step;
    const to = from + step;
    const covered: (readonly [number, number])[] = [];
    for (let source = Math.floor(from); source < Math.min(size, Math.ceil(to)); source++) {
      const weight = Math.min(to, source + 1) - Math.max(from, source);
      if (weight > 1e-9) covered.push([source, weight]);
    }
    return covered;
  });
}
