import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ImagePixels } from '../../src/pixels/image-pixels.js';

/**
 * A native file's pixel data as DCMTK reads it (samples in this machine's byte order): dcmdump +W
 * writes every binary value to a file of its own, and the one of `bytes` bytes is the pixel data.
 * Throws unless exactly one value has that size.
 */
export function dcmtkPixels(file: string, bytes: number): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'dicom-dcmtk-pixels-'));
  try {
    execFileSync('dcmdump', ['-q', '+W', dir, file], { stdio: ['ignore', 'ignore', 'pipe'] });
    const raw = readdirSync(dir).map((entry) => readFileSync(path.join(dir, entry))).filter((buffer) => buffer.length === bytes);
    if (raw.length !== 1) throw new Error(`${path.basename(file)}: ${raw.length} binary values of ${bytes} bytes, not one`);
    return raw[0] as Buffer;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sample `index` of pixel data read by dcmtkPixels (little-endian machine). */
export function sampleAt(buffer: Buffer, image: ImagePixels, index: number): number {
  if (image.bitsAllocated === 8) return image.signed ? buffer.readInt8(index) : buffer.readUInt8(index);
  if (image.bitsAllocated === 16) return image.signed ? buffer.readInt16LE(index * 2) : buffer.readUInt16LE(index * 2);
  return buffer.readUInt32LE(index * 4);
}
