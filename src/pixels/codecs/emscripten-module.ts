import { createRequire } from 'node:module';

/** What an Emscripten factory of the @cornerstonejs codecs takes: where its messages go. */
interface FactoryOptions {
  readonly print: (text: string) => void;
  readonly printErr: (text: string) => void;
}

type Factory<M> = (options: FactoryOptions) => Promise<M>;

const require = createRequire(import.meta.url);

/**
 * Instantiates one of the @cornerstonejs WebAssembly builds. They are CommonJS Emscripten
 * factories (package.json "exports" maps e.g. "./wasmjs" to the glue, which reads the .wasm beside
 * it from disk in Node), so ESM loads them through createRequire. The libraries print progress and
 * errors to stdout; we judge results ourselves, so their messages are dropped.
 * Only the module that owns a package calls this, with that package's specifier.
 */
export async function instantiateEmscripten<M>(specifier: string): Promise<M> {
  const factory = require(specifier) as Factory<M>;
  return factory({ print: () => undefined, printErr: () => undefined });
}
