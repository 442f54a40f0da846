import path from 'node:path';
import { batchStart, type AnonymizeSummary, type DeidOptions, type FileResult, type MappingStore, type Pseudonymizer } from '../src/index.js';
import type { TuiDeps } from './tui-deps.js';

export interface RunRequest {
  readonly files: readonly string[];
  readonly outDir: string;
  /** As chosen on screen; the run adds what the configuration loaded (`TuiDeps.runOptions`). */
  readonly options: DeidOptions;
  readonly signal: AbortSignal;
  readonly onResult: (result: FileResult, progress: { readonly done: number; readonly total: number }) => void;
}

export interface ExportedFile {
  readonly kind: 'zip' | 'mapping';
  readonly path: string;
  readonly count: number;
}

/**
 * The engine side of one TUI session: opens the mapping store and the key on the first run,
 * starts a batch per run, writes the exports, and lets the program wait for files in flight
 * before it closes the store.
 */
export class RunSession {
  readonly exported: ExportedFile[] = [];
  #store: Promise<MappingStore> | undefined;
  #keys: Pseudonymizer | undefined;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: Pick<TuiDeps, 'runOptions' | 'anonymize' | 'openStore' | 'loadKeys' | 'writeZip' | 'writeMappingCsv'>) {}

  /** Anonymizes `files` as one batch (source "tui"). Rejects when the store or key cannot be opened. */
  async run(request: RunRequest): Promise<AnonymizeSummary> {
    this.#keys ??= this.deps.loadKeys();
    // Kept as the promise, so that a run started while another opens the store shares it; forgotten
    // when opening fails, so that the next run tries again.
    if (this.#store === undefined) {
      const opening = this.deps.openStore();
      this.#store = opening;
      opening.catch(() => {
        if (this.#store === opening) this.#store = undefined;
      });
    }
    const store = await this.#store;
    const keys = this.#keys;
    // Built once: the batch's row says the options (subject-ID mark included) its files are made with.
    const run = this.deps.runOptions(request.options);
    const batchId = await store.startBatch(batchStart('tui', run));
    return this.track(
      this.deps.anonymize({
        inputs: request.files,
        outDir: request.outDir,
        run,
        keys,
        batchId,
        record: (records) => store.record(records),
        onResult: request.onResult,
        signal: request.signal,
      }),
    );
  }

  /** Writes a ZIP of the run's anonymized files, named as in the output folder. Returns the entry count. */
  async exportZip(summary: AnonymizeSummary, outPath: string): Promise<number> {
    const entries = summary.results.flatMap((result) => (result.output === undefined ? [] : [{ sourcePath: result.output, name: path.basename(result.output) }]));
    await this.track(this.deps.writeZip(entries, outPath));
    this.exported.push({ kind: 'zip', path: outPath, count: entries.length });
    return entries.length;
  }

  /** Writes the run's mapping CSV (0600). Returns the row count. */
  async exportMapping(batchId: string, outPath: string): Promise<number> {
    if (!this.#store) throw new Error('no run has opened the mapping store');
    const records = await (await this.#store).records({ batchId });
    await this.track(this.deps.writeMappingCsv(records, outPath));
    this.exported.push({ kind: 'mapping', path: outPath, count: records.length });
    return records.length;
  }

  /** Waits for runs and exports still in flight (after a quit, their files finish atomically). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  /** Closes the store (a store that failed to open needs no closing). */
  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    await store?.then((open) => open.close(), () => undefined);
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    try {
      return await work;
    } finally {
      this.#pending.delete(work);
    }
  }
}
