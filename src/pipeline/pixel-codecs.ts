import type { FrameCodecs } from '../pixels/codecs/codec-registry.js';
import { cleansPixels } from '../deid/pixel-step.js';
import type { DeidOptions } from '../deid/options.js';

// The codecs of this thread (the main thread or a worker), loaded before its first file: the
// pipeline is synchronous, the WebAssembly libraries load asynchronously. Imported only by a run
// that cleans: every other run (and every worker of it) starts without loading them.
let codecs: FrameCodecs | undefined;

/** Loads the codecs once per thread when the run cleans pixel data (other runs never need them). */
export async function preparePixelCodecs(options: DeidOptions): Promise<void> {
  if (codecs === undefined && cleansPixels(options)) codecs = await (await import('../pixels/codecs/codec-registry.js')).loadFrameCodecs();
}

/** The codecs loaded by preparePixelCodecs; undefined when they were not. */
export function loadedPixelCodecs(): FrameCodecs | undefined {
  return codecs;
}
