// A DICOM file of any transfer syntax decoded by tools that are not ours: DCMTK for RLE, JPEG and
// JPEG-LS, deflated and big endian; GDCM for JPEG 2000; OpenJPEG's opj_decompress for HTJ2K
// (GDCM 3.0 does not read it). What the cleaning tests compare, input against output.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readDicomFile } from '../../src/dicom/read-file.js';
import { imagePixelsOf } from '../../src/pixels/image-pixels.js';
import { encodedFrames, nativeImage, type NativeImage } from './codec-image-files.js';

const DCMTK_DECODERS: Readonly<Record<string, readonly string[]>> = {
  '1.2.840.10008.1.2.5': ['dcmdrle'],
  '1.2.840.10008.1.2.4.50': ['dcmdjpeg'],
  '1.2.840.10008.1.2.4.51': ['dcmdjpeg'],
  '1.2.840.10008.1.2.4.57': ['dcmdjpeg'],
  '1.2.840.10008.1.2.4.70': ['dcmdjpeg'],
  '1.2.840.10008.1.2.4.80': ['dcmdjpls'],
  '1.2.840.10008.1.2.4.81': ['dcmdjpls'],
  '1.2.840.10008.1.2.4.90': ['gdcmconv', '--raw'],
  '1.2.840.10008.1.2.4.91': ['gdcmconv', '--raw'],
  '1.2.840.10008.1.2.1.99': ['dcmconv', '+te'],
  '1.2.840.10008.1.2.2': ['dcmconv', '+te'],
  '1.2.840.10008.1.2.1': ['dcmconv', '+te'],
};
const HTJ2K = new Set(['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203']);

/**
 * `file`'s frames as an independent decoder gives them (interleaved by pixel, little-endian), with
 * the layout of the decoded file: DCMTK's dcmdjpeg converts YCbCr to RGB, so its photometric is
 * what the samples are. `scratch` names a file the tool may write (and its siblings).
 */
export function decodedByTools(file: string, scratch: string): NativeImage {
  const uid = readDicomFile(file).transferSyntax.uid;
  if (HTJ2K.has(uid)) return decodedByOpenJpeg(file, scratch);
  const tool = DCMTK_DECODERS[uid];
  if (tool === undefined) throw new Error(`no independent decoder for transfer syntax ${uid}`);
  const [command, ...args] = tool as [string, ...string[]];
  execFileSync(command, [...args, file, scratch], { stdio: ['ignore', 'ignore', 'pipe'] });
  return nativeImage(scratch);
}

/** Each frame's codestream through opj_decompress into a PGM or PPM file (big-endian for 16 bits). */
function decodedByOpenJpeg(file: string, scratch: string): NativeImage {
  const image = imagePixelsOf(readDicomFile(file));
  const frames = encodedFrames(file).map((codestream, index) => {
    const input = `${scratch}.${index}.j2k`;
    const output = `${scratch}.${index}.${image.samplesPerPixel === 3 ? 'ppm' : 'pgm'}`;
    writeFileSync(input, codestream);
    execFileSync('opj_decompress', ['-quiet', '-i', input, '-o', output], { stdio: ['ignore', 'ignore', 'pipe'] });
    return netpbmSamples(readFileSync(output), path.basename(output));
  });
  return { image: { ...image, planar: false }, frames };
}

/** The samples of a binary PGM/PPM (P5/P6; OpenJPEG writes a comment line), little-endian when two bytes wide. */
function netpbmSamples(bytes: Buffer, name: string): Buffer {
  const header = /^P[56]\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 128).toString('latin1'));
  if (header === null) throw new Error(`${name}: not a binary PGM or PPM`);
  const samples = Buffer.from(bytes.subarray(header[0].length));
  if (Number(header[3]) > 255) samples.swap16();
  return samples;
}
