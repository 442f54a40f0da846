import { closeSync, openSync, readSync } from 'node:fs';
import { DicomIoError, MalformedDicomError, UnsupportedDicomError } from '../dicom/errors.js';
import type { DicomFile } from '../dicom/read-file.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import { describeFsError } from '../io/durable-files.js';
import type { DecodedFrame } from './codecs/frame-codec.js';
import { nativeFrameBytes, type ImagePixels } from './image-pixels.js';

/**
 * Frame `index` (from 0) of native (uncompressed) Pixel Data as a decoded frame: read from disk (or
 * from the inflated data set of a deflated file), colour planes interleaved, big-endian samples
 * swapped to little-endian. Errors name the file and the problem, never a value.
 */
export function nativeFrame(file: DicomFile, image: ImagePixels, index: number): DecodedFrame {
  const element = file.dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  if (element === undefined) throw new UnsupportedDicomError('the file has no Pixel Data', { tag: PIXEL_DATA, file: file.path });
  if (element.fragments !== undefined) throw new UnsupportedDicomError('the Pixel Data is encapsulated, not native', { tag: PIXEL_DATA, file: file.path });
  if (!Number.isInteger(index) || index < 0 || index >= image.frames) throw new UnsupportedDicomError(`the image has no frame ${index + 1} (it has ${image.frames})`, { file: file.path });
  const frameBytes = nativeFrameBytes(image);
  const start = index * frameBytes;
  if (start + frameBytes > element.valueLength) throw new MalformedDicomError('the Pixel Data is shorter than its frames need', { tag: PIXEL_DATA, file: file.path });
  // Big-endian OW holds 8-bit samples in swapped byte pairs (PS3.5 A.3): read whole pairs.
  const pairs = !file.encoding.littleEndian && image.bitsAllocated === 8 && element.vr === 'OW';
  const from = pairs ? start - (start % 2) : start;
  const to = pairs ? Math.min(element.valueLength, start + frameBytes + ((start + frameBytes) % 2)) : start + frameBytes;
  const read = valueRange(file, element.valueOffset + from, to - from);
  let bytes: Uint8Array = read;
  if (!file.encoding.littleEndian) {
    const width = pairs ? 2 : image.bitsAllocated / 8;
    bytes = swapped(read, width);
    if (pairs) bytes = bytes.subarray(start - from, start - from + frameBytes);
  }
  return { samples: image.planar ? interleaved(bytes, image) : bytes, photometric: image.photometric };
}

/** `length` bytes at `offset` of the data set's space: the inflated data set, the loaded regions, or the file on disk. */
function valueRange(file: DicomFile, offset: number, length: number): Uint8Array {
  // A copy: callers may blank it.
  const held = file.inflated ? file.inflated.subarray(offset, offset + length) : file.fileBytes.slice(offset, offset + length);
  if (held) return new Uint8Array(held);
  const out = new Uint8Array(length);
  let fd: number;
  try {
    fd = openSync(file.path, 'r');
  } catch (error) {
    throw new DicomIoError(`cannot open file for reading its pixels: ${describeFsError(error)}`, { file: file.path, cause: error });
  }
  try {
    let done = 0;
    while (done < length) {
      const count = readSync(fd, out, done, length - done, offset + done);
      if (count === 0) throw new MalformedDicomError('the file ended inside its Pixel Data', { tag: PIXEL_DATA, file: file.path });
      done += count;
    }
  } catch (error) {
    if (error instanceof MalformedDicomError) throw error;
    throw new DicomIoError(`cannot read the file's pixels: ${describeFsError(error)}`, { file: file.path, cause: error });
  } finally {
    closeSync(fd);
  }
  return out;
}

function swapped(bytes: Uint8Array, width: number): Uint8Array {
  if (width === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let at = 0; at + width <= bytes.length; at += width) for (let byte = 0; byte < width; byte++) out[at + byte] = bytes[at + width - 1 - byte] ?? 0;
  return out;
}

/** R…R G…G B…B (Planar Configuration 1) to R G B R G B …. */
function interleaved(bytes: Uint8Array, image: ImagePixels): Uint8Array {
  const width = image.bitsAllocated / 8;
  const pixels = image.rows * image.columns;
  const samples = image.samplesPerPixel;
  const out = new Uint8Array(bytes.length);
  for (let sample = 0; sample < samples; sample++) {
    for (let pixel = 0; pixel < pixels; pixel++) {
      const source = (sample * pixels + pixel) * width;
      const target = (pixel * samples + sample) * width;
      for (let byte = 0; byte < width; byte++) out[target + byte] = bytes[source + byte] ?? 0;
    }
  }
  return out;
}
