// The OCR row of `npm run bench`: how many 720×960 ultrasound frames with burned-in text a pool of
// two tesseract.js workers reads per second, the pool's start apart (it is paid once per run).
import { createOcrPool, OcrUnavailableError, type OcrImage } from '../src/pixels/ocr-words.js';
import { eightBitSamples } from '../test/helpers/text-image.js';
import { SCENE_PATIENT, ultrasoundScene } from '../test/helpers/text-scenes.js';

const POOL_SIZE = 2;

/** Reads `frames` copies of the test scene (after one untimed frame per worker); the line to print. */
export async function benchOcr(frames: number): Promise<string> {
  const scene = ultrasoundScene();
  const image: OcrImage = { samples: eightBitSamples(scene), width: scene.width, height: scene.height, channels: scene.channels };
  const started = process.hrtime.bigint();
  let pool;
  try {
    pool = await createOcrPool(POOL_SIZE);
  } catch (error) {
    if (error instanceof OcrUnavailableError) return 'OCR: not installed';
    throw error;
  }
  try {
    const startSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Each worker's first frame also loads its model into the engine: untimed, like the start.
    await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.recognise(image)));
    const timed = process.hrtime.bigint();
    const results = await Promise.all(Array.from({ length: frames }, () => pool.recognise(image)));
    const seconds = Number(process.hrtime.bigint() - timed) / 1e9;
    const readId = results.filter((words) => words.some((word) => word.text.includes(SCENE_PATIENT.id))).length;
    if (readId === 0) throw new Error(`OCR: the patient ID burned into the scene was read in none of ${frames} frames`);
    return `OCR: createOcrPool(${POOL_SIZE}), ${frames} frames of ${scene.height}×${scene.width} RGB with text: ${(frames / seconds).toFixed(2)} frames/s (${((seconds / frames) * 1000).toFixed(0)} ms a frame; pool start ${startSeconds.toFixed(1)} s, untimed); the ID read in ${readId} of ${frames}`;
  } finally {
    await pool.close();
  }
}
