import { MappingStoreError } from './mapping-store-error.js';
import type { HeldLock, PostgresMappingStore, PostgresStoreInternals } from './postgres-mapping-store.js';
import { plural } from '../text/plural.js';
import { checkRecords, type StartBatchOptions } from './record-checks.js';
import { journalEntryOf, type JournalEntry, type JournalStart, type JournalWritten, type UploadStore, type UploadStoreScope } from './upload-store.js';

const ENTRY_COLUMNS = 'original_path AS "originalPath", output_path AS "outputPath", state, original_identity AS "originalIdentity"';

const SQL = {
  // starts_with: a Sources folder's name may hold LIKE's wildcards.
  entries: `SELECT ${ENTRY_COLUMNS} FROM upload_journal WHERE node = $1 AND starts_with(original_path, $2) ORDER BY seq`,
  begin: `INSERT INTO upload_journal (node, original_path, output_path, state, started_at, original_identity)
    SELECT $1, o, p, 'writing', $4, i FROM unnest($2::text[], $3::text[], $5::text[]) AS r(o, p, i)
    ON CONFLICT (node, original_path) DO UPDATE SET output_path = EXCLUDED.output_path, state = 'writing', started_at = EXCLUDED.started_at,
      original_identity = EXCLUDED.original_identity`,
  markWritten: `UPDATE upload_journal SET state = 'written' WHERE node = $1 AND original_path = ANY($2::text[]) AND state = 'writing'
    RETURNING original_path AS "originalPath"`,
  finish: 'DELETE FROM upload_journal WHERE node = $1 AND original_path = ANY($2::text[])',
  recordedOutput: 'SELECT EXISTS (SELECT 1 FROM files WHERE anonymized_filename = $1) AS found',
  probe: 'SELECT 1',
};

/**
 * The daemon's store on a PostgreSQL server that several daemons share: the records go where every
 * node's go, and the journal rows carry this node's name. Each step that the daemon's crash safety
 * rests on is one transaction, committed (and so durable) when its promise resolves.
 */
export class PostgresUploadStore implements UploadStore {
  readonly location: string;
  readonly description: string;
  readonly #store: PostgresMappingStore;
  /** The store's statements for the journal's own table (its internal interface). */
  readonly #db: PostgresStoreInternals;
  readonly #scope: UploadStoreScope;
  readonly #prefix: string;
  #lock: HeldLock | undefined;

  private constructor(store: PostgresMappingStore, scope: UploadStoreScope) {
    this.#store = store;
    this.#db = store.internals();
    this.#scope = scope;
    this.#prefix = scope.sourcesDir.endsWith('/') ? scope.sourcesDir : `${scope.sourcesDir}/`;
    this.location = store.location;
    this.description = `PostgreSQL ${store.location}`;
  }

  /**
   * The journal of `scope` in `store`, claimed for this process.
   *
   * @throws MappingStoreError when another daemon holds it (then `store` is closed).
   */
  static async open(store: PostgresMappingStore, scope: UploadStoreScope): Promise<PostgresUploadStore> {
    const upload = new PostgresUploadStore(store, scope);
    try {
      await upload.#claim();
    } catch (error) {
      await store.close();
      throw error;
    }
    return upload;
  }

  /**
   * Holds the lock of this node's Sources folder in the store while the daemon runs. Two daemons
   * under one node name and one Sources path (cloned servers) would recover each other's entries,
   * and a recovered "written" entry removes the file at its original path, on a disk that is not
   * the other's: the second is refused instead. Claimed again after the connection was lost.
   */
  async #claim(): Promise<void> {
    if (this.#lock?.held() === true) return;
    const lock = await this.#db.tryLock('claim the journal', `dicom-tools upload journal\n${this.#scope.node}\n${this.#scope.sourcesDir}`);
    if (lock === undefined) {
      throw new MappingStoreError(
        this.location,
        `another watch daemon records ${this.#scope.sourcesDir} as node ${this.#scope.node} in this store (a second server with the same DICOM_NODE_NAME, or host name?): give each server its own DICOM_NODE_NAME`,
      );
    }
    this.#lock = lock;
  }

  startBatch(batch: StartBatchOptions): Promise<string> {
    return this.#store.startBatch(batch);
  }

  countToday(now?: Date): Promise<number> {
    return this.#store.countToday(now);
  }

  async isRecordedOutput(name: string): Promise<boolean> {
    const [row] = await this.#db.query<{ found: boolean }>('look up an output', SQL.recordedOutput, [name]);
    return row?.found === true;
  }

  async journalEntries(): Promise<JournalEntry[]> {
    await this.#claim();
    return (await this.#db.query<Parameters<typeof journalEntryOf>[0]>('read the journal', SQL.entries, [this.#scope.node, this.#prefix])).map(journalEntryOf);
  }

  async beginUploads(entries: readonly JournalStart[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#claim();
    await this.#db.query(`journal ${plural(entries.length, 'file')}`, SQL.begin, [
      this.#scope.node,
      entries.map((entry) => entry.originalPath),
      entries.map((entry) => entry.outputPath),
      new Date().toISOString(),
      entries.map((entry) => entry.originalIdentity ?? null),
    ]);
  }

  async recordUploads(entries: readonly JournalWritten[]): Promise<void> {
    checkRecords(this.location, entries.map((entry) => entry.record));
    if (entries.length === 0) return;
    await this.#db.transaction(`record ${plural(entries.length, 'file')}`, async (run) => {
      const marked = await run<{ originalPath: string }>(SQL.markWritten, [this.#scope.node, entries.map((entry) => entry.originalPath)]);
      const fresh = new Set(marked.map((row) => row.originalPath));
      await this.#db.insertRecords(run, entries.filter((entry) => fresh.has(entry.originalPath)).map((entry) => entry.record));
    });
  }

  async finishUploads(originalPaths: readonly string[]): Promise<void> {
    if (originalPaths.length === 0) return;
    await this.#db.query(`finish ${plural(originalPaths.length, 'journal entry', 'journal entries')}`, SQL.finish, [this.#scope.node, originalPaths]);
  }

  /** Nothing to compare: the server is reached by address, and its failures show in the next query. */
  checkStillOpen(): void {}

  async probe(): Promise<void> {
    await this.#db.query('reach the store', SQL.probe);
    await this.#claim();
  }

  async close(): Promise<void> {
    await this.#lock?.release();
    await this.#store.close();
  }
}
