/** What an Emscripten factory of the @cornerstonejs codecs takes: where its messages go. */
interface FactoryOptions {
  readonly print: (text: string) => void;
  readonly printErr: (text: string) => void;
}

export type EmscriptenFactory<M> = (options: FactoryOptions) => Promise<M>;

/**
 * Instantiates one of the @cornerstonejs WebAssembly builds. They are CommonJS Emscripten
 * factories (package.json "exports" maps e.g. "./wasmjs" to the glue, which reads the .wasm beside
 * it from disk in Node), so ESM loads them through createRequire. The libraries print progress and
 * errors to stdout; we judge results ourselves, so their messages are dropped.
 * The module that owns a package requires its factory itself (so the package has one importer).
 */
export async function instantiateEmscripten<M>(factory: EmscriptenFactory<M>): Promise<M> {
  return factory({ print: () => undefined, printErr: () => undefined });
}
