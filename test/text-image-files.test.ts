import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { imagePixelsOf } from '../src/pixels/image-pixels.js';
import { runDcmdump } from './helpers/dcmdump.js';
import { compressWith, pixelsByDcmtk, SECONDARY_CAPTURE, ULTRASOUND_MULTIFRAME, writeNativeDicom } from './helpers/native-dicom.js';
import { pixelBytesOf } from './helpers/text-image.js';
import { ctScene, SCENE_PATIENT, ultrasoundScene } from './helpers/text-scenes.js';

// The test images with burned-in text as DICOM files (issue 20): written element by element by our
// helper, then checked by DCMTK (dcmdump reads every element, its decoders give back our samples)
// and by our own reader; compressed by DCMTK's encoders for the codec tests.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-text-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ultrasound = ultrasoundScene({ rows: 480, columns: 640 });
const ct = ctScene();
const files = {
  // Two frames of the same scene, as a multi-frame ultrasound clip holds them.
  ultrasound: { image: ultrasound, frames: 2, options: { rows: 480, columns: 640, samplesPerPixel: 3, bitsAllocated: 8, modality: 'US', sopClassUid: ULTRASOUND_MULTIFRAME } },
  ct: { image: ct, frames: 1, options: { rows: 512, columns: 512, bitsAllocated: 16, bitsStored: 12, modality: 'OT', sopClassUid: SECONDARY_CAPTURE } },
} as const;

function writeScene(name: keyof typeof files): { file: string; pixels: Uint8Array } {
  const { image, frames, options } = files[name];
  const frame = pixelBytesOf(image);
  const pixels = Buffer.concat(Array.from({ length: frames }, () => frame));
  const file = path.join(root, `${name}.dcm`);
  writeNativeDicom(file, { ...options, frames, pixelBytes: pixels, patientName: SCENE_PATIENT.name, patientId: SCENE_PATIENT.id, patientBirthDate: SCENE_PATIENT.birthDate });
  return { file, pixels };
}

describe('test images as DICOM files', () => {
  it.each(['ultrasound', 'ct'] as const)('%s: a Part 10 file DCMTK and our reader read, holding the drawn samples', (name) => {
    const { file, pixels } = writeScene(name);
    const dump = runDcmdump(file, ['-dc']);
    expect(dump).toContain('(0002,0010) UI =LittleEndianExplicit');
    expect(dump).toContain(`(0010,0010) PN [${SCENE_PATIENT.name}]`);
    expect(dump).not.toMatch(/error|warning/i);
    expect(pixelsByDcmtk(file, pixels.length).equals(pixels)).toBe(true);
    const image = imagePixelsOf(readDicomFile(file));
    const { options, frames } = files[name];
    expect(image).toMatchObject({ rows: options.rows, columns: options.columns, bitsAllocated: options.bitsAllocated, frames, photometric: name === 'ct' ? 'MONOCHROME2' : 'RGB' });
  });

  it.each([
    ['ultrasound', 'dcmcjpls', ['+el'], 'JPEGLSLossless', 'dcmdjpls'],
    ['ultrasound', 'dcmcrle', [], 'RLELossless', 'dcmdrle'],
    ['ct', 'dcmcjpls', ['+el'], 'JPEGLSLossless', 'dcmdjpls'],
    ['ct', 'dcmcrle', [], 'RLELossless', 'dcmdrle'],
  ] as const)('%s compressed by %s decodes back to the same samples', (name, tool, args, syntax, decoder) => {
    const { file, pixels } = writeScene(name);
    const compressed = path.join(root, `${name}-${tool}.dcm`);
    compressWith(tool, args, file, compressed);
    expect(runDcmdump(compressed)).toContain(`(0002,0010) UI =${syntax}`);
    expect(pixelsByDcmtk(compressed, pixels.length, decoder).equals(pixels)).toBe(true);
  });

  it('ultrasound compressed by dcmcjpeg as baseline JPEG: YBR_FULL_422, close to the drawn samples', () => {
    const { file, pixels } = writeScene('ultrasound');
    const compressed = path.join(root, 'ultrasound-jpeg.dcm');
    compressWith('dcmcjpeg', ['+eb'], file, compressed);
    const dump = runDcmdump(compressed);
    expect(dump).toContain('(0002,0010) UI =JPEGBaseline');
    expect(dump).toContain('(0028,0004) CS [YBR_FULL_422]');
    const decoded = pixelsByDcmtk(compressed, pixels.length, 'dcmdjpeg');
    let error = 0;
    for (let index = 0; index < pixels.length; index++) error += Math.abs((decoded[index] ?? 0) - (pixels[index] ?? 0));
    expect(error / pixels.length).toBeLessThan(12);
  });

  it('reports what a DCMTK encoder says when it fails', () => {
    mkdirSync(path.join(root, 'not-a-file'), { recursive: true });
    expect(() => compressWith('dcmcrle', [], path.join(root, 'not-a-file'), path.join(root, 'out.dcm'))).toThrow(/^dcmcrle failed with exit code \d+: .+/);
  });
});
