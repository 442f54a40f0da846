import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { PIXEL_DATA } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { imagePixelsOf, nativeFrameBytes, type ImagePixels } from '../src/pixels/image-pixels.js';
import { anonymizeOne } from './helpers/anonymize-one.js';
import { corpusDir } from './helpers/corpus.js';
import { deidMethodCodes } from './helpers/dcmdump-codes.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';
import { dcmtkPixels, sampleAt } from './helpers/dcmtk-pixels.js';
import { daemonCase, filesBelow, killLeftRunning, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';
import { runCli } from './helpers/run-cli.js';
import { CORNER_REGIONS } from './helpers/corner-regions.js';

// Clean Pixel Data (issue 20, §2) through the whole pipeline on native images: which rows and
// columns an output holds the fill in, as DCMTK reads it, which list or method the output and the
// mapping name, and that an image that is not at risk keeps its Pixel Data byte for byte.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-clean-pixels-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'the clean pixel data tests secret';
const keys = new Pseudonymizer(Buffer.from(SECRET));
const CLEAN: DeidOptions = { ...DEFAULT_OPTIONS, standardOptions: ['clean-pixel-data'] };
/** Ultrasound, RGB 240 × 320, with two ultrasound regions: x 0–319, y 16–231 and 16–217. */
const ULTRASOUND = path.join(corpusDir, 'dicomparser_IM00001.implicit_little_endian.dcm');
/** A screen capture (Secondary Capture, OT) that no region list entry is for. */
const SCREEN = path.join(corpusDir, 'fodicom_chrGreek.dcm');
const MR = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
const MR_BIG_ENDIAN = path.join(corpusDir, 'dcmqats_3_EBE.dcm');

let cases = 0;
function caseDir(): string {
  const dir = path.join(root, `case-${++cases}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Checks every sample of `output` against `input` as DCMTK reads both: the fill where `blanked`
 * says so, the original everywhere else.
 */
function expectBlanked(input: string, output: string, blanked: (row: number, column: number) => boolean, fill: readonly number[]): void {
  const image = imagePixelsOf(readDicomFile(input));
  const bytes = nativeFrameBytes(image) * image.frames;
  const [before, after] = [dcmtkPixels(input, bytes), dcmtkPixels(output, bytes)];
  let filled = 0;
  for (let frame = 0; frame < image.frames; frame++) {
    for (let row = 0; row < image.rows; row++) {
      for (let column = 0; column < image.columns; column++) {
        for (let s = 0; s < image.samplesPerPixel; s++) {
          const index = sampleIndex(image, frame, row, column, s);
          const inside = blanked(row, column);
          const expected = inside ? fill[s] : sampleAt(before, image, index);
          const actual = sampleAt(after, image, index);
          if (actual !== expected) expect.fail(`frame ${frame}, row ${row}, column ${column}, sample ${s}: ${actual} instead of ${expected}`);
          if (inside) filled++;
        }
      }
    }
  }
  expect(filled).toBeGreaterThan(0);
}

function sampleIndex(image: ImagePixels, frame: number, row: number, column: number, sample: number): number {
  const plane = image.rows * image.columns;
  const pixel = row * image.columns + column;
  return frame * plane * image.samplesPerPixel + (image.planar ? sample * plane + pixel : pixel * image.samplesPerPixel + sample);
}

function valueOf(file: string, tag: number): string | undefined {
  return dcmdumpElements(file).find((element) => element.depth === 0 && element.tag === tag)?.value;
}

function pixelDataMd5(file: string): string {
  const dicom: DicomFile = readDicomFile(file);
  const element = dicom.dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  if (!element) throw new Error('no Pixel Data');
  return createHash('md5').update(readFileSync(file).subarray(element.valueOffset, element.valueOffset + element.valueLength)).digest('hex');
}

/** A copy of `source` that is at risk and matches the shipped list's "Dose Report" entry (x 0–511, y 0–109). */
async function doseReport(source: string, dir: string): Promise<string> {
  const target = path.join(dir, `dose-report-${path.basename(source)}`);
  await writeDicomFile(readDicomFile(source), new Map([[0x0008103e, { op: 'set' as const, value: 'Dose Report' }], [0x00280301, { op: 'set' as const, value: 'YES' }]]), target);
  return target;
}

describe('clean-pixel-data on native images', () => {
  it('blanks everything outside the ultrasound regions, in every row and column, and says so in the markers and the mapping', async () => {
    const { output, record } = await anonymizeOne(ULTRASOUND, caseDir(), CLEAN, keys);
    // Rows 16 to 231 hold the image data (the union of the two regions); the machine's text is above and below.
    expectBlanked(ULTRASOUND, output, (row) => row < 16 || row > 231, [0, 0, 0]);
    expect(valueOf(output, 0x00280301)).toBe('NO');
    expect(deidMethodCodes(output)[0]).toBe('113100');
    expect(deidMethodCodes(output)).toContain('113101');
    expect(valueOf(output, 0x00120063)?.split('\\').at(-1)).toBe('pixels: outside the ultrasound regions');
    expect(record?.pixelCleaning).toBe('outside the 2 ultrasound regions');
  });

  it("blanks a shipped list entry's rectangle in both byte orders, and names the list", async () => {
    const dir = caseDir();
    for (const source of [MR, MR_BIG_ENDIAN]) {
      const input = await doseReport(source, dir);
      const { output, record } = await anonymizeOne(input, path.join(dir, path.basename(source)), CLEAN, keys);
      expectBlanked(input, output, (row) => row < 110, [0]);
      expect(valueOf(output, 0x00120063)?.split('\\').at(-1)).toBe('pixels: dicom-tools regions from CTP 361e90f8032f');
      expect(record?.pixelCleaning).toBe("dicom-tools regions from CTP 361e90f8032f, entry 2 (line 25 of CTP's script)");
    }
  });

  it("searches a site's list first, in CTP's script format, and names it by file name and hash", () => {
    const dir = caseDir();
    const script = path.join(dir, 'site.script');
    writeFileSync(script, '{ Modality.equals("US") * Manufacturer.containsIgnoreCase("acuson") }\n  (10,0,300,20) (-50,-8,50,8)\n');
    const hash = createHash('sha256').update(readFileSync(script)).digest('hex');
    const env = { DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET };
    const result = runCli(['anonymize', ULTRASOUND, '--out', path.join(dir, 'out'), '--option', 'clean-pixel-data', '--pixel-regions', script], { env });
    expect(result.stderr).toContain('Anonymized 1 file');
    const output = path.join(dir, 'out', readdirSync(path.join(dir, 'out'))[0] ?? '');
    // The site's rectangles, not the ultrasound regions: a band at the top from x 10, and a box in the bottom-right corner.
    expectBlanked(ULTRASOUND, output, (row, column) => (row < 20 && column >= 10 && column < 310) || (row >= 232 && column >= 270), [0, 0, 0]);
    expect(valueOf(output, 0x00120063)?.split('\\').at(-1)).toBe(`pixels: site.script sha256:${hash.slice(0, 12)}`);
  });

  it('leaves the Pixel Data of an image that is not at risk byte for byte as it was', async () => {
    const dir = caseDir();
    for (const source of [MR, MR_BIG_ENDIAN]) {
      const { output, record } = await anonymizeOne(source, path.join(dir, path.basename(source)), CLEAN, keys);
      expect(pixelDataMd5(output)).toBe(pixelDataMd5(source));
      expect(record).not.toHaveProperty('pixelCleaning');
      expect(deidMethodCodes(output)).toContain('113101');
    }
  });

  it('refuses an at-risk image no list or region is for, and with --burned-in accept passes it without claiming 113101', () => {
    const dir = caseDir();
    const env = { DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET };
    const refused = runCli(['anonymize', SCREEN, '--out', path.join(dir, 'out'), '--option', 'clean-pixel-data'], { env });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      `dicom-tools: ${SCREEN}: may carry burned-in text (a secondary capture): refused, as no known region matches this device and size (a site list can add one: --pixel-regions); --burned-in accept passes it as it is\n`,
    );
    const accepted = runCli(['anonymize', SCREEN, '--out', path.join(dir, 'accepted'), '--option', 'clean-pixel-data', '--burned-in', 'accept'], { env });
    expect(accepted.status).toBe(0);
    const output = path.join(dir, 'accepted', readdirSync(path.join(dir, 'accepted'))[0] ?? '');
    expect(deidMethodCodes(output)).not.toContain('113101');
    expect(valueOf(output, 0x00120063)).not.toContain('pixels:');
    expect(valueOf(output, 0x00120063)).toContain('burned-in pixel data accepted');

    // verify reports the uncleaned one, and nothing about a cleaned one.
    const verified = runCli(['verify', path.join(dir, 'accepted')], { env });
    expect(verified.status).toBe(1);
    expect(verified.stdout).toBe(
      `${output}: pixels-not-cleaned: may carry burned-in text (a secondary capture) and its pixels were not cleaned (no 113101); look at it before it is shared, or anonymize its original with --option clean-pixel-data\n`,
    );
    runCli(['anonymize', ULTRASOUND, '--out', path.join(dir, 'cleaned'), '--option', 'clean-pixel-data'], { env });
    expect(runCli(['verify', path.join(dir, 'cleaned')], { env })).toMatchObject({ status: 0, stdout: '' });
  });

  it('leaves no overlay bitmap and no icon of a cleaned image, whatever Clean option is chosen', async () => {
    const dir = caseDir();
    // A screen capture with an Icon Image Sequence (JPEG Baseline), and an OT image with overlay bitmaps made at risk.
    const overlays = path.join(dir, 'overlays.dcm');
    await writeDicomFile(readDicomFile(path.join(corpusDir, 'dcm4che_ovly_p01.dcm')), new Map([[0x00280301, { op: 'set' as const, value: 'YES' }]]), overlays);
    for (const input of [path.join(corpusDir, 'fodicom_JPEGwithIcon.dcm'), overlays]) {
      const options: DeidOptions = { ...CLEAN, standardOptions: ['clean-pixel-data', 'clean-graphics'], pixelRegions: CORNER_REGIONS };
      const { output, record } = await anonymizeOne(input, path.join(dir, `out-${path.basename(input)}`), options, keys);
      expect(record?.pixelCleaning).toBe('corner.script, line 1');
      const top = dcmdumpElements(output).filter((element) => element.depth === 0).map((element) => element.tag);
      expect(top.filter((tag) => tag === 0x00880200 || (tag >>> 16 >= 0x6000 && tag >>> 16 <= 0x601e && (tag & 0xffff) === 0x3000))).toEqual([]);
    }
  });

  it('is part of the research preset', async () => {
    const { output } = await anonymizeOne(ULTRASOUND, caseDir(), { ...DEFAULT_OPTIONS, profile: 'research', standardOptions: ['clean-pixel-data', 'clean-descriptors', 'retain-modified-dates', 'retain-patient-characteristics', 'retain-device-identity', 'retain-safe-private'] }, keys);
    expect(deidMethodCodes(output)).toContain('113101');
    const result = runCli(['anonymize', ULTRASOUND, '--out', path.join(caseDir(), 'out'), '--profile', 'research'], { env: { DICOM_DATA_DIR: path.join(root, 'research-data'), DICOM_ANON_SECRET: SECRET } });
    expect(result.stderr).toContain('Anonymized 1 file');
  });
});

describe('the watch daemon with DICOM_PROFILE_OPTIONS=clean-pixel-data', () => {
  const running: DaemonProcess[] = [];
  afterAll(() => killLeftRunning(running));

  it('cleans what it can and quarantines what no list is for, with the reason', async () => {
    const setup = daemonCase(path.join(root, 'daemon'), SECRET, { DICOM_PROFILE_OPTIONS: 'clean-pixel-data' });
    for (const source of [ULTRASOUND, SCREEN]) copyFileSync(source, path.join(setup.sources, path.basename(source)));
    running.push(startDaemon(setup.sources, setup.env));
    await waitUntil(() => filesBelow(setup.quarantine).length === 2 && filesBelow(setup.sources).length === 1, 'one upload cleaned and one quarantined');
    const reason = filesBelow(setup.quarantine).find((name) => name.endsWith('.reason.txt')) ?? '';
    expect(readFileSync(path.join(setup.quarantine, reason), 'utf8')).toContain('refused, as no known region matches this device and size');
    const output = path.join(setup.sources, filesBelow(setup.sources)[0] ?? '');
    expectBlanked(ULTRASOUND, output, (row) => row < 16 || row > 231, [0, 0, 0]);
  });
});
