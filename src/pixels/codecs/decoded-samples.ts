import { UnsupportedDicomError } from '../../dicom/errors.js';
import type { ImagePixels } from '../image-pixels.js';

/** The shape of a frame as a WebAssembly decoder reports it. */
/** The embind decoder class the @cornerstonejs codecs share (the packages ship no types): bytes in, samples and their shape out. */
export interface EmbindDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): DecodedShape;
  delete(): void;
}

export interface DecodedShape {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly componentCount: number;
  readonly isSigned: boolean;
}

/**
 * Checks a decoder's result against the image's attributes and returns its samples at
 * `bitsAllocated / 8` bytes each. The decoders write ceil(bits / 8) bytes per sample and, on a
 * stream they cannot read, report an empty frame instead of failing, so every field is checked.
 */
export function samplesOfDecoded(codec: string, decoded: Uint8Array, shape: DecodedShape, image: ImagePixels): Uint8Array {
  const refuse = (problem: string): never => {
    throw new UnsupportedDicomError(`the ${codec} frame ${problem}, so its pixels cannot be blanked`);
  };
  if (shape.width === 0 || shape.height === 0 || shape.componentCount === 0) refuse('could not be decoded');
  if (shape.width !== image.columns || shape.height !== image.rows) refuse('has another size than Rows and Columns say');
  if (shape.componentCount !== image.samplesPerPixel) refuse('has another number of components than Samples per Pixel says');
  if (shape.bitsPerSample > image.bitsAllocated || image.bitsAllocated === 32) refuse('has more bits per sample than Bits Allocated holds');
  // The decoders clamp samples of 8 bits or fewer to 0..255, which loses negative values.
  if (shape.isSigned && shape.bitsPerSample <= 8) refuse('holds signed samples of 8 bits or fewer, which the decoder cannot give back');
  const bytesPerSample = Math.ceil(shape.bitsPerSample / 8);
  const count = image.rows * image.columns * image.samplesPerPixel;
  if (decoded.length !== count * bytesPerSample) refuse('decoded to fewer or more bytes than its size needs');
  const wanted = image.bitsAllocated / 8;
  if (bytesPerSample === wanted) return new Uint8Array(decoded);
  // Samples of 8 bits or fewer in 16-bit words: unsigned (signed ones are refused above).
  const widened = new Uint8Array(count * 2);
  for (let index = 0; index < count; index++) widened[index * 2] = decoded[index] ?? 0;
  return widened;
}

/** Samples ready for a WebAssembly encoder: the precision to declare and the bytes it reads. */
export interface EncoderInput {
  readonly bitsPerSample: number;
  readonly signed: boolean;
  /** One byte per sample for precisions up to 8, two (little-endian) above. */
  readonly bytes: Uint8Array;
}

/**
 * The frame's samples as the encoders read them. The precision is Bits Stored, raised when a
 * sample needs more (bits above Bits Stored are kept, not masked: the encoding must be lossless).
 *
 * @throws UnsupportedDicomError for layouts the encoders mishandle (named by what is wrong).
 */
export function encoderInput(codec: string, samples: Uint8Array, image: ImagePixels): EncoderInput {
  const refuse = (problem: string): never => {
    throw new UnsupportedDicomError(`a ${codec} frame ${problem} cannot be encoded`);
  };
  const count = image.rows * image.columns * image.samplesPerPixel;
  if (image.bitsAllocated === 32) refuse('of 32-bit samples');
  if (samples.length !== count * (image.bitsAllocated / 8)) refuse('whose sample bytes do not match its size');
  const view = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
  const read = image.bitsAllocated === 8
    ? (index: number) => (image.signed ? view.getInt8(index) : view.getUint8(index))
    : (index: number) => (image.signed ? view.getInt16(index * 2, true) : view.getUint16(index * 2, true));
  let bits = Math.max(1, image.bitsStored);
  for (let index = 0; index < count; index++) bits = Math.max(bits, bitsNeeded(read(index), image.signed));
  // The encoders read samples of 8 bits or fewer as unsigned bytes, and colour samples above 8 bits from the first plane only.
  if (image.signed && bits <= 8) refuse('of signed samples of 8 bits or fewer');
  if (image.samplesPerPixel > 1 && bits > 8) refuse('of colour samples above 8 bits');
  if (bits <= 8 && image.bitsAllocated === 16) {
    const narrowed = new Uint8Array(count);
    for (let index = 0; index < count; index++) narrowed[index] = read(index);
    return { bitsPerSample: bits, signed: image.signed, bytes: narrowed };
  }
  return { bitsPerSample: bits, signed: image.signed, bytes: samples };
}

function bitsNeeded(value: number, signed: boolean): number {
  if (!signed) return value === 0 ? 1 : 32 - Math.clz32(value);
  return 33 - Math.clz32(value < 0 ? ~value : value);
}
