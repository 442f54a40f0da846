import type { JournalEntry, JournalStart, JournalWritten, UploadStore } from '../src/index.js';

/**
 * This daemon's journal entries held in memory, written through to the store: the daemon asks
 * about them for every file it sees (is it one of our outputs? is its original recorded?), which
 * must not cost a round trip to a shared server. The store is the truth: only this daemon writes
 * its entries, and after any store failure (when an answer may have been lost) `load` reads
 * them again.
 */
export class JournalMirror {
  readonly #store: UploadStore;
  readonly #byOriginal = new Map<string, JournalEntry>();
  readonly #byOutput = new Map<string, JournalEntry>();

  constructor(store: UploadStore) {
    this.#store = store;
  }

  /** Reads this daemon's entries from the store. */
  async load(): Promise<void> {
    const entries = await this.#store.journalEntries();
    this.#byOriginal.clear();
    this.#byOutput.clear();
    for (const entry of entries) this.#set(entry);
  }

  /** The entries, oldest first. */
  entries(): JournalEntry[] {
    return [...this.#byOriginal.values()];
  }

  forOriginal(originalPath: string): JournalEntry | undefined {
    return this.#byOriginal.get(originalPath);
  }

  forOutput(outputPath: string): JournalEntry | undefined {
    return this.#byOutput.get(outputPath);
  }

  async begin(entries: readonly JournalStart[]): Promise<void> {
    await this.#store.beginUploads(entries);
    for (const entry of entries) this.#set({ ...entry, state: 'writing' });
  }

  async written(entries: readonly JournalWritten[]): Promise<void> {
    await this.#store.recordUploads(entries);
    for (const { originalPath } of entries) {
      const entry = this.#byOriginal.get(originalPath);
      if (entry !== undefined) this.#set({ ...entry, state: 'written' });
    }
  }

  async finish(originalPaths: readonly string[]): Promise<void> {
    await this.#store.finishUploads(originalPaths);
    for (const originalPath of originalPaths) this.#delete(originalPath);
  }

  #set(entry: JournalEntry): void {
    this.#delete(entry.originalPath);
    // Map order is insertion order: a re-begun entry moves to the end, as its newer start says.
    this.#byOriginal.set(entry.originalPath, entry);
    this.#byOutput.set(entry.outputPath, entry);
  }

  #delete(originalPath: string): void {
    const old = this.#byOriginal.get(originalPath);
    if (old === undefined) return;
    this.#byOriginal.delete(originalPath);
    if (this.#byOutput.get(old.outputPath) === old) this.#byOutput.delete(old.outputPath);
  }
}
