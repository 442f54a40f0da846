import type { MappingRecord } from './mapping-record.js';
import type { MappingStore } from './mapping-store.js';
import { SqliteMappingStore } from './sqlite-mapping-store.js';
import type { RecordsFilter, StartBatchOptions } from './record-checks.js';

/**
 * The embedded SQLite store behind the asynchronous MappingStore interface: what openMappingStore
 * opens when no PostgreSQL URL is set, so that the CLI (anonymize, mapping, verify --mapping) and
 * the TUI treat it as they treat a PostgreSQL store. The watch daemon does not use it: it opens an
 * UploadStore, on SQLite a SqliteUploadStore (sqlite-upload-store.ts), which keeps the records and
 * the journal in the same file.
 */
export class SqliteStoreAdapter implements MappingStore {
  readonly location: string;
  readonly #store: SqliteMappingStore;

  constructor(store: SqliteMappingStore) {
    this.#store = store;
    this.location = store.path;
  }

  /** @throws MappingStoreError (see SqliteMappingStore.open). */
  static open(dataDir: string): SqliteStoreAdapter {
    return new SqliteStoreAdapter(SqliteMappingStore.open(dataDir));
  }

  async startBatch(batch: StartBatchOptions) {
    return this.#store.startBatch(batch);
  }

  async record(records: readonly MappingRecord[]) {
    this.#store.record(records);
  }

  async records(filter?: RecordsFilter) {
    return this.#store.records(filter);
  }

  async uidPairs(filter?: RecordsFilter) {
    return this.#store.uidPairs(filter);
  }

  async patientPairs(filter?: RecordsFilter) {
    return this.#store.patientPairs(filter);
  }

  async batches() {
    return this.#store.batches();
  }

  async countToday(now?: Date) {
    return this.#store.countToday(now);
  }

  async recordsForAnonymizedName(name: string) {
    return this.#store.recordsForAnonymizedName(name);
  }

  async close() {
    this.#store.close();
  }
}
