import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wordsToBlank } from '../src/pixels/ocr-match.js';
import { createOcrPool, offlineWorkerOptions, type OcrBox, type OcrImage, type OcrPool, type OcrWord } from '../src/pixels/ocr-words.js';
import { compressWith, pixelsByDcmtk, ULTRASOUND_IMAGE, writeNativeDicom } from './helpers/native-dicom.js';
import { eightBitSamples, pixelBytesOf, type PlantedWord, type TextImage } from './helpers/text-image.js';
import { ctScene, SCENE_PATIENT, ultrasoundScene } from './helpers/text-scenes.js';

// OCR of burned-in text (issue 20): one pool of two tesseract.js workers for the whole file (each
// takes seconds to start), reading the drawn scenes; every planted patient word must be found with
// a box over its ink, and blanked with the matcher; the scanner's settings must not be.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-ocr-'));
let pool: OcrPool;
beforeAll(async () => {
  pool = await createOcrPool(2);
});
afterAll(async () => {
  await pool?.close();
  rmSync(root, { recursive: true, force: true });
});

const IDENTIFYING = [SCENE_PATIENT.name, ...SCENE_PATIENT.name.split('^'), SCENE_PATIENT.id, SCENE_PATIENT.birthDate, SCENE_PATIENT.studyDate];

function ocrImageOf(image: TextImage): OcrImage {
  return { samples: eightBitSamples(image), width: image.width, height: image.height, channels: image.channels };
}

const compact = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, '');

function covers(outer: OcrBox, inner: OcrBox, slack = 0): boolean {
  return outer.x <= inner.x + slack && outer.y <= inner.y + slack && outer.x + outer.width >= inner.x + inner.width - slack && outer.y + outer.height >= inner.y + inner.height - slack;
}

function overlaps(a: OcrBox, b: OcrBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The planted word OCR read (letters and digits alike, whatever it made of a caret) with a box over its ink and little more. */
function found(words: readonly OcrWord[], planted: PlantedWord): OcrWord | undefined {
  const around = { x: planted.box.x - 4, y: planted.box.y - 4, width: planted.box.width + 8, height: planted.box.height + 8 };
  return words.find((word) => compact(word.text) === compact(planted.text) && covers(word.box, planted.box, 1) && covers(around, word.box));
}

function planted(image: TextImage, text: string): PlantedWord {
  const word = image.words.find((candidate) => candidate.text === text);
  if (!word) throw new Error(`no planted word ${text}`);
  return word;
}

/** A PNG of the image, for the tesseract command line. */
function writePng(image: TextImage, file: string): void {
  const png = new PNG({ width: image.width, height: image.height });
  const samples = eightBitSamples(image);
  for (let pixel = 0; pixel < image.width * image.height; pixel++) {
    for (let c = 0; c < 3; c++) png.data[pixel * 4 + c] = samples[pixel * image.channels + (image.channels === 3 ? c : 0)] ?? 0;
    png.data[pixel * 4 + 3] = 255;
  }
  writeFileSync(file, PNG.sync.write(png));
}

const scenes = [
  { name: 'ultrasound 720×960 RGB', image: ultrasoundScene(), patient: ['DOE^JANE', '12345678', '19640312', 'Jane', 'Doe', '2024-03-12'], settings: ['MI', '1.2', 'TIS', '0.4', 'Exam', 'ID', 'DOB', 'Name:'] },
  { name: 'CT-like 512×512 16-bit', image: ctScene(), patient: ['DOE^JANE', '12.03.1964', '12345678'], settings: ['ID'] },
];

describe('OCR of burned-in text', () => {
  it.each(scenes)('$name: finds every planted word with a box over its ink, and blanks the patient words only', async ({ image, patient, settings }) => {
    const words = await pool.recognise(ocrImageOf(image));
    const missing = image.words.filter((word) => !found(words, word)).map((word) => word.text);
    expect(missing).toEqual([]);
    const blanked = wordsToBlank(words, IDENTIFYING, 3, image);
    for (const text of patient) expect(blanked.some((box) => covers(box, planted(image, text).box)), `${text} blanked`).toBe(true);
    for (const text of settings) expect(blanked.some((box) => overlaps(box, planted(image, text).box)), `${text} kept`).toBe(false);
  });

  it('finds the patient words in the ultrasound frame after baseline JPEG, as DCMTK decodes it', async () => {
    const image = scenes[0]?.image as TextImage;
    const native = path.join(root, 'ultrasound.dcm');
    const jpeg = path.join(root, 'ultrasound-jpeg.dcm');
    writeNativeDicom(native, { rows: image.height, columns: image.width, samplesPerPixel: 3, bitsAllocated: 8, pixelBytes: pixelBytesOf(image), modality: 'US', sopClassUid: ULTRASOUND_IMAGE });
    compressWith('dcmcjpeg', ['+eb'], native, jpeg);
    const samples = pixelsByDcmtk(jpeg, image.width * image.height * 3, 'dcmdjpeg');
    const words = await pool.recognise({ samples, width: image.width, height: image.height, channels: 3 });
    const blanked = wordsToBlank(words, IDENTIFYING, 3, image);
    for (const text of ['DOE^JANE', '12345678', '19640312', 'Jane', 'Doe', '2024-03-12']) expect(blanked.some((box) => covers(box, planted(image, text).box)), `${text} blanked`).toBe(true);
  });

  it('reads the same words as the tesseract command line, which reads our images too', async () => {
    const image = scenes[0]?.image as TextImage;
    const file = path.join(root, 'ultrasound.png');
    writePng(image, file);
    const cli = spawnSync('tesseract', [file, '-'], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const cliWords = new Set(cli.stdout.split(/\s+/).map(compact));
    for (const text of ['DOEJANE', '12345678', '19640312', 'JANE', 'DOE', '20240312']) expect(cliWords.has(text), text).toBe(true);
  });

  it('reads 720×960 frames in parallel on the two workers (speed printed, not asserted)', async () => {
    const frame = ocrImageOf(scenes[0]?.image as TextImage);
    const frames = 6;
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: frames }, () => pool.recognise(frame)));
    const seconds = (performance.now() - started) / 1000;
    console.log(`OCR: ${frames} frames of 960×720 RGB in ${seconds.toFixed(2)} s on 2 workers: ${(frames / seconds).toFixed(2)} frames/s`);
    expect(new Set(results.map((words) => JSON.stringify(words))).size).toBe(1);
  });
});

describe('OCR setup', () => {
  it('says which optional packages to install when one is missing', async () => {
    const message = 'OCR needs the optional packages tesseract.js and @tesseract.js-data/eng: install them with npm install tesseract.js @tesseract.js-data/eng';
    const require = createRequire(import.meta.url);
    const language = () => require.resolve('@tesseract.js-data/eng/package.json');
    const missing = (name: string) => () => require.resolve(`${name}/package.json`);
    await expect(createOcrPool(1, { packages: { engine: () => import(missing('tesseract.js-not-installed')()), languagePackage: language } })).rejects.toThrow(message);
    await expect(createOcrPool(1, { packages: { engine: () => import('tesseract.js'), languagePackage: missing('@tesseract.js-data/not-installed') } })).rejects.toThrow(message);
  });

  it('reads the model from a local folder and caches nothing', () => {
    const options = offlineWorkerOptions('/models/eng', '/tmp/cache');
    expect(options).toMatchObject({ langPath: '/models/eng', gzip: true, cacheMethod: 'none' });
  });

  it('starts and reads with no network at all, writing nothing where it runs', () => {
    const cwd = mkdtempSync(path.join(root, 'cwd-'));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    const probe = fileURLToPath(new URL('./helpers/ocr-offline-probe.ts', import.meta.url));
    const run = spawnSync('unshare', ['--net', process.execPath, '--import', tsx, probe], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(['ID', '12345678']);
    expect(readdirSync(cwd)).toEqual([]);
  }, 90_000);
});
