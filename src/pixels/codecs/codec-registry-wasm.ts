import { loadHtj2kCodec } from './htj2k.js';
import { loadJpeg2000Codec } from './jpeg-2000.js';
import { loadJpegBaselineDecoder } from './jpeg-baseline-decode.js';
import type { FrameCodec } from './frame-codec.js';

/** Each transfer syntax whose frames a WebAssembly codec reads, and the loader of that codec. */
const WASM_CODECS: readonly (readonly [uid: string, load: () => Promise<FrameCodec>])[] = [
  ['1.2.840.10008.1.2.4.50', loadJpegBaselineDecoder], // JPEG Baseline (Process 1)
  ['1.2.840.10008.1.2.4.51', loadJpegBaselineDecoder], // JPEG Extended (Process 2 & 4): 8-bit frames only
  ['1.2.840.10008.1.2.4.90', loadJpeg2000Codec], // JPEG 2000 Image Compression (Lossless Only)
  ['1.2.840.10008.1.2.4.91', loadJpeg2000Codec], // JPEG 2000 Image Compression
  ['1.2.840.10008.1.2.4.92', loadJpeg2000Codec], // JPEG 2000 Part 2 Multi-component (Lossless Only)
  ['1.2.840.10008.1.2.4.93', loadJpeg2000Codec], // JPEG 2000 Part 2 Multi-component
  ['1.2.840.10008.1.2.4.201', loadHtj2kCodec], // High-Throughput JPEG 2000 (Lossless Only)
  ['1.2.840.10008.1.2.4.202', loadHtj2kCodec], // High-Throughput JPEG 2000 with RPCL Options (Lossless Only)
  ['1.2.840.10008.1.2.4.203', loadHtj2kCodec], // High-Throughput JPEG 2000
];

let loaded: Promise<ReadonlyMap<string, FrameCodec>> | undefined;

/**
 * The WebAssembly codecs by transfer syntax UID. Each library is instantiated once, on the first
 * call (the others return the same promise); a failed load is forgotten so a later call can retry.
 */
export function loadWasmCodecs(): Promise<ReadonlyMap<string, FrameCodec>> {
  loaded ??= instantiateAll().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

async function instantiateAll(): Promise<ReadonlyMap<string, FrameCodec>> {
  const loaders = [...new Set(WASM_CODECS.map(([, load]) => load))];
  const codecs = new Map(await Promise.all(loaders.map(async (load) => [load, await load()] as const)));
  return new Map(WASM_CODECS.map(([uid, load]) => [uid, codecs.get(load) as FrameCodec]));
}
