import { SqliteMappingStore } from './sqlite-mapping-store.js';
import type { StartBatchOptions } from './record-checks.js';
import { UploadJournal } from './upload-journal.js';
import { isInside, type JournalStart, type JournalWritten, type UploadStore, type UploadStoreScope } from './upload-store.js';

/**
 * The daemon's store in the embedded SQLite file of the data folder. One server only, so the node
 * is not recorded; the Sources folder still scopes the journal (two daemons may share a data folder).
 */
export class SqliteUploadStore implements UploadStore {
  readonly location: string;
  readonly description: string;
  readonly #store: SqliteMappingStore;
  readonly #journal: UploadJournal;
  readonly #scope: UploadStoreScope;

  constructor(store: SqliteMappingStore, scope: UploadStoreScope) {
    this.#store = store;
    this.#journal = UploadJournal.of(store);
    this.#scope = scope;
    this.location = store.path;
    this.description = `SQLite ${store.path}`;
  }

  /** @throws MappingStoreError (see SqliteMappingStore.open). */
  static open(dataDir: string, scope: UploadStoreScope): SqliteUploadStore {
    return new SqliteUploadStore(SqliteMappingStore.open(dataDir), scope);
  }

  async startBatch(batch: StartBatchOptions) {
    return this.#store.startBatch(batch);
  }

  async countToday(now?: Date) {
    return this.#store.countToday(now);
  }

  async isRecordedOutput(name: string) {
    return this.#store.recordsForAnonymizedName(name).length > 0;
  }

  async journalEntries() {
    return this.#journal.entries().filter((entry) => isInside(this.#scope.sourcesDir, entry.originalPath));
  }

  async beginUploads(entries: readonly JournalStart[]) {
    this.#journal.begin(entries);
  }

  async recordUploads(entries: readonly JournalWritten[]) {
    this.#journal.written(entries);
  }

  async finishUploads(originalPaths: readonly string[]) {
    this.#journal.finish(originalPaths);
  }

  checkStillOpen() {
    this.#store.checkStillAtPath();
  }

  async probe() {
    this.#store.checkStillAtPath();
    this.#store.countToday();
  }

  async close() {
    this.#store.close();
  }
}
