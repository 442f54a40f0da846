// Run by ocr-words.test.ts in a network namespace with no network at all (unshare -n): starts one
// OCR worker and reads one drawn line, printing the words as JSON. Fails if anything is fetched.
import { createOcrPool } from '../../src/pixels/ocr-words.js';
import { drawTextImage } from './text-image.js';

const image = drawTextImage({ width: 320, height: 48, lines: [{ text: 'ID 12345678', x: 10, y: 10, size: 22 }] });
const pool = await createOcrPool(1);
try {
  const words = await pool.recognise({ samples: image.samples as Uint8Array, width: image.width, height: image.height, channels: 1 });
  process.stdout.write(JSON.stringify(words.map((word) => word.text)));
} finally {
  await pool.close();
}
