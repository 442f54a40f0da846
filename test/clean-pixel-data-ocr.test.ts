import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { displayRgb } from '../src/pixels/display-frame.js';
import { displaySettingsOf } from '../src/pixels/display-settings.js';
import { imagePixelsOf } from '../src/pixels/image-pixels.js';
import { nativeFrame } from '../src/pixels/native-frame.js';
import { parseCsv } from './helpers/parse-csv.js';
import { deidMethodCodes } from './helpers/dcmdump-codes.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';
import { pixelBytesOf, type TextImage } from './helpers/text-image.js';
import { ctScene, SCENE_PATIENT } from './helpers/text-scenes.js';
import { SECONDARY_CAPTURE, writeNativeDicom } from './helpers/native-dicom.js';
import { runCli } from './helpers/run-cli.js';

// Clean Pixel Data with --ocr (issue 20, §2.3 and §5): a secondary capture no region list is for,
// with a name and dates drawn in DejaVu Sans, is read by OCR and the words that identify are
// blanked; the tesseract program (not ours) then reads none of them in the output.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-clean-ocr-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'the OCR cleaning tests secret' };
let scene: TextImage;
let input: string;

beforeAll(() => {
  scene = ctScene();
  input = path.join(root, 'in', 'capture.dcm');
  mkdirSync(path.dirname(input), { recursive: true });
  writeNativeDicom(input, {
    rows: scene.height,
    columns: scene.width,
    bitsAllocated: 16,
    pixelBytes: pixelBytesOf(scene),
    modality: 'OT',
    sopClassUid: SECONDARY_CAPTURE,
    patientName: SCENE_PATIENT.name,
    patientId: SCENE_PATIENT.id,
    patientBirthDate: SCENE_PATIENT.birthDate,
    studyDate: SCENE_PATIENT.studyDate,
  });
});

/** What the tesseract program reads in the first frame of `file`, drawn as the display shows it. */
function tesseractReads(file: string): string {
  const dicom = readDicomFile(file);
  const image = imagePixelsOf(dicom);
  const rgb = displayRgb(image, nativeFrame(dicom, image, 0), displaySettingsOf(dicom, image));
  const png = new PNG({ width: image.columns, height: image.rows });
  for (let pixel = 0; pixel < image.rows * image.columns; pixel++) {
    png.data.set([rgb[pixel * 3] ?? 0, rgb[pixel * 3 + 1] ?? 0, rgb[pixel * 3 + 2] ?? 0, 255], pixel * 4);
  }
  const picture = `${file}.png`;
  writeFileSync(picture, PNG.sync.write(png));
  return execFileSync('tesseract', [picture, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

const normalized = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, '');

describe('clean-pixel-data --ocr', () => {
  it('blanks the words that identify in an image nothing else says the text of, and says so in the markers and the mapping', () => {
    const out = path.join(root, 'out');
    const mapping = path.join(root, 'mapping.csv');
    const result = runCli(['anonymize', input, '--out', out, '--option', 'clean-pixel-data', '--ocr'], { env });
    expect(result.stderr).toContain('Anonymized 1 file');
    const output = path.join(out, readdirSync(out)[0] ?? '');
    // The check can fail: the input shows the name and the date to tesseract.
    const before = normalized(tesseractReads(input));
    expect(before).toContain('DOE');
    expect(before).toContain('12031964');
    const after = normalized(tesseractReads(output));
    for (const word of ['DOE', 'JANE', '12031964', '1964']) expect(after).not.toContain(word);
    expect(deidMethodCodes(output)).toContain('113101');
    const method = dcmdumpElements(output).find((element) => element.depth === 0 && element.tag === 0x00120063)?.value;
    expect(method?.split('\\').at(-1)).toBe('pixels: words found by OCR');
    expect(runCli(['mapping', 'export', '--out', mapping, '--pixels'], { env }).status).toBe(0);
    const [header, row] = parseCsv(readFileSync(mapping, 'utf8'));
    expect(header?.at(-1)).toBe('Pixel Cleaning');
    expect(row?.at(-1)).toMatch(/^OCR: \d+ word boxes$/);
  });

  it('scan-pixels reports per frame how many words it read and which to blank, never the words', () => {
    const result = runCli(['scan-pixels', path.join(root, 'in')], { env });
    expect(result.status).toBe(1);
    const [head, frame, ...rest] = result.stdout.split('\n');
    expect(head).toBe(`${input}: may carry burned-in text (a secondary capture)`);
    expect(frame).toMatch(/^ {2}frame 1: \d+ words, [1-9]\d* to blank \((identifying|date|id|name) \d+(, (identifying|date|id|name) \d+)*\); boxes (\d+,\d+,\d+,\d+ ?)+$/);
    expect(rest).toEqual(['']);
    for (const value of ['DOE', 'JANE', '12345678', '1964']) expect(result.stdout + result.stderr).not.toContain(value);
    expect(result.stderr).toBe('Scanned 1 image.\n');
    const json = JSON.parse(runCli(['scan-pixels', input, '--json'], { env }).stdout) as { files: { file: string; frames: { words: number; reasons: string[] }[] }[] };
    expect(json.files.map((file) => [file.file, file.frames.length])).toEqual([[input, 1]]);
  });

  it('is refused without --ocr, and --ocr alone is a usage error', () => {
    const refused = runCli(['anonymize', input, '--out', path.join(root, 'refused'), '--option', 'clean-pixel-data'], { env });
    expect(refused.stderr).toContain('refused, as no known region matches this device and size');
    const alone = runCli(['anonymize', input, '--out', path.join(root, 'alone'), '--ocr'], { env });
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain('--ocr reads text for --option clean-pixel-data: give that option (or --profile research) too');
  });
});
