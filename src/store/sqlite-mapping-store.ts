import { chmodSync, closeSync, fsyncSync, openSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { ensureDataDir } from '../config/data-dir.js';
import { describeFsError } from '../io/durable-files.js';
import type { BatchSource, BatchSummary, IdPair, MappingRecord, RecordedFile } from './mapping-record.js';
import { MappingStoreError } from './mapping-store-error.js';
import { plural } from '../text/plural.js';
import { checkRecords, LIST_SEPARATOR, localDay, newBatch, recordedFile, type FileRow, type RecordsFilter, type StartBatchOptions } from './record-checks.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { goneFromPath, openedFiles, type OpenedFile } from './opened-files.js';

export type { RecordsFilter, StartBatchOptions } from './record-checks.js';

// Loaded as the CommonJS module it is (an ESM import makes Node scan its source first: slower start-up).
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

/** The database file in the data folder. */
export const MAPPING_STORE_FILENAME = 'mapping.sqlite';

/** How long a write waits for another process (CLI, daemon, TUI) to finish its own. */
const BUSY_TIMEOUT_MS = 5000;

type RecordRow = [
  batchId: string,
  processedAt: string,
  originalFilename: string,
  anonymizedFilename: string,
  originalPatientId: string,
  anonymizedPatientId: string,
  tagsAnonymized: number,
  uidsRegenerated: number,
  tagsAnonymizedList: number,
  uidsRegeneratedList: number,
  uploadId: string | null,
  pixelCleaning: string | null,
];

const RECORD_COLUMNS = `files.batch_id AS batchId, files.processed_at AS processedAt, files.original_filename AS originalFilename,
  files.anonymized_filename AS anonymizedFilename, files.original_patient_id AS originalPatientId,
  files.anonymized_patient_id AS anonymizedPatientId, tags.list AS tagsAnonymized, uids.list AS uidsRegenerated,
  files.upload_id AS uploadId, files.pixel_cleaning AS pixelCleaning`;

/** Files with their lists. */
const RECORD_SOURCE = `files LEFT JOIN keyword_lists tags ON tags.id = files.tags_anonymized_list
  LEFT JOIN keyword_lists uids ON uids.id = files.uids_regenerated_list`;

function prepareStatements(db: Database.Database) {
  return {
    insertBatch: db.prepare<[id: string, startedAt: string, source: BatchSource, options: string, profile: string]>(
      'INSERT INTO batches (id, started_at, source, options, profile) VALUES (?, ?, ?, ?, ?)',
    ),
    batchExists: db.prepare<[id: string], 1>('SELECT 1 FROM batches WHERE id = ?').pluck(),
    insertFile: db.prepare<RecordRow>(
      `INSERT INTO files (batch_id, processed_at, original_filename, anonymized_filename, original_patient_id,
        anonymized_patient_id, tags_anonymized, uids_regenerated, tags_anonymized_list, uids_regenerated_list, upload_id,
        pixel_cleaning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertUidPair: db.prepare<[batchId: string, originalUid: string, anonymizedUid: string]>(
      'INSERT OR IGNORE INTO uid_pairs (batch_id, original_uid, anonymized_uid) VALUES (?, ?, ?)',
    ),
    listId: db.prepare<[list: string], number>('SELECT id FROM keyword_lists WHERE list = ?').pluck(),
    insertList: db.prepare<[list: string]>('INSERT INTO keyword_lists (list) VALUES (?)'),
    allFiles: db.prepare<[], FileRow>(`SELECT ${RECORD_COLUMNS} FROM ${RECORD_SOURCE} ORDER BY files.id`),
    filesOfBatch: db.prepare<[batchId: string], FileRow>(`SELECT ${RECORD_COLUMNS} FROM ${RECORD_SOURCE} WHERE files.batch_id = ? ORDER BY files.id`),
    // Distinct pairs in the order first recorded. Across batches an original UID has one row unless
    // the secret changed between them (then each new value is a row of its own).
    allUidPairs: db.prepare<[], IdPair>(
      'SELECT original_uid AS original, anonymized_uid AS anonymized FROM uid_pairs GROUP BY original_uid, anonymized_uid ORDER BY min(id)',
    ),
    uidPairsOfBatch: db.prepare<[batchId: string], IdPair>('SELECT original_uid AS original, anonymized_uid AS anonymized FROM uid_pairs WHERE batch_id = ? ORDER BY id'),
    allPatientPairs: db.prepare<[], IdPair>(
      `SELECT original_patient_id AS original, anonymized_patient_id AS anonymized FROM files
        GROUP BY original_patient_id, anonymized_patient_id ORDER BY min(id)`,
    ),
    patientPairsOfBatch: db.prepare<[batchId: string], IdPair>(
      `SELECT original_patient_id AS original, anonymized_patient_id AS anonymized FROM files WHERE batch_id = ?
        GROUP BY original_patient_id, anonymized_patient_id ORDER BY min(id)`,
    ),
    batches: db.prepare<[], BatchSummary>(
      `SELECT b.id AS id, b.started_at AS startedAt, b.source AS source,
        (SELECT count(*) FROM files f WHERE f.batch_id = b.id) AS fileCount, b.profile AS profile
      FROM batches b ORDER BY b.rowid`,
    ),
    countBetween: db.prepare<[from: string, to: string], number>('SELECT count(*) FROM files WHERE processed_at >= ? AND processed_at < ?').pluck(),
    filesByAnonymizedName: db.prepare<[name: string], FileRow>(`SELECT ${RECORD_COLUMNS} FROM ${RECORD_SOURCE} WHERE files.anonymized_filename = ? ORDER BY files.id`),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/**
 * The database of an open SqliteMappingStore and its writing rules, for a module that keeps its own
 * table in it (the upload journal, upload-journal.ts). Internal: src/index.ts does not export it.
 */
export interface SqliteStoreInternals {
  readonly db: Database.Database;
  /** The database file. */
  readonly path: string;
  /** Inserts mapping records in one transaction, or as part of the caller's. Validate them first. */
  readonly insertRecords: (records: readonly MappingRecord[]) => void;
  /** Runs a write whose commit is on disk when it returns (see SqliteMappingStore). */
  readonly durably: (write: () => void) => void;
  /** Runs a write, turning its failure into a MappingStoreError that says it cannot do `what`. */
  readonly write: (what: string, write: () => unknown) => void;
}

/**
 * The mapping between original and anonymized files, patients and UIDs, in `mapping.sqlite` in the data
 * folder. The database and its `-wal` and `-shm` files are readable by the owner only (0600): they
 * are the one place, besides the mapping exports (CSV, UID and patient pairs), that holds patient data.
 *
 * Several processes (CLI, daemon, TUI) may use the same store at once: it runs in WAL mode, so
 * readers never wait, and a writer waits up to 5 s for another writer.
 */
export class SqliteMappingStore {
  /** The database file. */
  readonly path: string;
  readonly #db: Database.Database;
  readonly #statements: Statements;
  readonly #recordAll: (records: readonly MappingRecord[]) => void;
  readonly #internals: SqliteStoreInternals;
  /** The database and its -wal as opened (see checkStillAtPath). */
  readonly #opened: readonly OpenedFile[];
  /** Where checkStillAtPath saved what this connection holds, once it did. */
  #savedCopy: string | undefined;

  private constructor(dbPath: string, db: Database.Database) {
    this.path = dbPath;
    this.#db = db;
    this.#opened = openedFiles([dbPath, `${dbPath}-wal`]);
    this.#statements = prepareStatements(db);
    const statements = this.#statements;
    const recordAll = db.transaction((records: readonly MappingRecord[]) => {
      for (const batchId of new Set(records.map((record) => record.batchId))) {
        if (statements.batchExists.get(batchId) === undefined) {
          throw new MappingStoreError(dbPath, `cannot record files for batch ${JSON.stringify(batchId)}: no such batch (call startBatch() first)`);
        }
      }
      // Most pairs of a batch (study, series, frame of reference) repeat in every file: each is
      // offered to SQLite once per call, and the unique key makes a repeat across calls a no-op.
      const offered = new Set<string>();
      // A list is stored once and referenced: a series' files share one (ids found once per call).
      const listIds = new Map<string, number>();
      const listId = (keywords: readonly string[]): number => {
        const list = keywords.join(LIST_SEPARATOR);
        let id = listIds.get(list);
        if (id === undefined) {
          id = statements.listId.get(list) ?? Number(statements.insertList.run(list).lastInsertRowid);
          listIds.set(list, id);
        }
        return id;
      };
      for (const record of records) {
        statements.insertFile.run(
          record.batchId,
          record.processedAt,
          record.originalFilename,
          record.anonymizedFilename,
          record.originalPatientId,
          record.anonymizedPatientId,
          record.tagsAnonymized.length,
          record.uidsRegenerated.length,
          listId(record.tagsAnonymized),
          listId(record.uidsRegenerated),
          record.uploadId ?? null,
          record.pixelCleaning ?? null,
        );
        for (const pair of record.uidPairs) {
          const key = `${record.batchId}\n${pair.original}`;
          if (offered.has(key)) continue;
          offered.add(key);
          statements.insertUidPair.run(record.batchId, pair.original, pair.anonymized);
        }
      }
    });
    this.#recordAll = (records) => this.#durably(() => recordAll.immediate(records));
    this.#internals = {
      db,
      path: dbPath,
      insertRecords: recordAll,
      durably: (write) => this.#durably(write),
      write: (what, write) => this.#write(what, write),
    };
  }

  /**
   * Opens the store in `dataDir`, creating the folder (0700) and the database (0600) when missing
   * and bringing an older schema up to date.
   *
   * @throws MappingStoreError when the folder or database cannot be created or read, or was
   * written by a newer version of dicom-tools.
   */
  static open(dataDir: string): SqliteMappingStore {
    const dbPath = path.join(dataDir, MAPPING_STORE_FILENAME);
    try {
      ensureDataDir(dataDir);
    } catch (error) {
      throw new MappingStoreError(dataDir, `cannot create the data folder: ${describeFsError(error)}`, { cause: error });
    }
    try {
      // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
      closeSync(openSync(dbPath, 'a', 0o600));
    } catch (error) {
      throw new MappingStoreError(dbPath, `cannot create the mapping store: ${describeFsError(error)}`, { cause: error });
    }
    let db: Database.Database | undefined;
    try {
      db = new Sqlite(dbPath, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Output names are random UIDs, so each insert touches a random page of their index: a larger
      // page cache keeps a large store's recording fast (it grows only as pages are used).
      db.pragma('cache_size = -16384');
      db.pragma('foreign_keys = ON');
      migrate(db, dbPath);
      restrictPermissions(dbPath);
      return new SqliteMappingStore(dbPath, db);
    } catch (error) {
      db?.close();
      if (error instanceof MappingStoreError) throw error;
      throw new MappingStoreError(dbPath, `cannot open the mapping store: ${describeStoreError(error)}`, { cause: error });
    }
  }

  /** Starts a batch and returns its new id (`b-` + UTC time + random hex; no patient data). */
  startBatch(batch: StartBatchOptions): string {
    const { id, startedAt, options } = newBatch(this.path, batch);
    this.#write('start a batch', () => this.#statements.insertBatch.run(id, startedAt, batch.source, options, batch.profile));
    return id;
  }

  /**
   * Records processed files, and the UID pairs of their batches, in one transaction: all of them
   * are stored, or none.
   *
   * @throws MappingStoreError for a record with an unknown batch, a `processedAt` that is not
   * ISO 8601 UTC, a list that is not one of keywords, UID pairs that are not pairs of strings, a
   * pixelCleaning that is empty, too long or holds control characters, or a database failure.
   */
  record(records: readonly MappingRecord[]): void {
    checkRecords(this.path, records);
    if (records.length === 0) return;
    this.#write(`record ${plural(records.length, 'file')}`, () => this.#recordAll(records));
  }

  /** The recorded files, oldest first; all of them, or those of one batch. */
  records(filter: RecordsFilter = {}): RecordedFile[] {
    return (filter.batchId === undefined ? this.#statements.allFiles.all() : this.#statements.filesOfBatch.all(filter.batchId)).map(recordedFile);
  }

  /** The distinct original-to-new UID pairs, in the order first recorded; of all batches, or of one. */
  uidPairs(filter: RecordsFilter = {}): IdPair[] {
    return filter.batchId === undefined ? this.#statements.allUidPairs.all() : this.#statements.uidPairsOfBatch.all(filter.batchId);
  }

  /** The distinct original-to-pseudonymous Patient ID pairs of the recorded files, in the order first recorded; of all batches, or of one. */
  patientPairs(filter: RecordsFilter = {}): IdPair[] {
    return filter.batchId === undefined ? this.#statements.allPatientPairs.all() : this.#statements.patientPairsOfBatch.all(filter.batchId);
  }

  /** Every batch, oldest first, with the number of files recorded in it. */
  batches(): BatchSummary[] {
    return this.#statements.batches.all();
  }

  /** Files processed on the local calendar day of `now`. */
  countToday(now: Date = new Date()): number {
    const { from, to } = localDay(now);
    return this.#statements.countBetween.get(from, to) ?? 0;
  }

  /** Records of files whose anonymized file name is `name`. */
  recordsForAnonymizedName(name: string): RecordedFile[] {
    return this.#statements.filesByAnonymizedName.all(name).map(recordedFile);
  }

  /**
   * Throws a MappingStoreError when the database file or its -wal at the path is no longer the one
   * opened (removed or replaced while a daemon runs): what is recorded from then on could never be
   * read again. What the connection holds is saved once, beside the path, for the operator to put back.
   */
  checkStillAtPath(): void {
    const gone = goneFromPath(this.#opened);
    if (gone === undefined) return;
    const which = gone.path === this.path ? 'the database file' : `its ${path.basename(gone.path)} file`;
    let saved: string;
    try {
      this.#savedCopy ??= this.#saveCopy();
      saved = `the mappings it holds are saved in ${this.#savedCopy}: stop the daemon, move that file to ${this.path} (with no -wal or -shm file beside it), and start it again`;
    } catch (error) {
      saved = `the mappings it holds cannot be saved (${describeStoreError(error)}): keep the daemon running, free the data folder and it tries again`;
    }
    throw new MappingStoreError(this.path, `${which} was removed or replaced while the mapping store was open; nothing more is recorded into it; ${saved}`);
  }

  /** A consistent copy of the open database, readable by the owner only and flushed to disk. */
  #saveCopy(): string {
    ensureDataDir(path.dirname(this.path));
    const copy = `${this.path}.saved-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    // VACUUM INTO fills an empty file it finds; created first so that it is 0600 from the start.
    closeSync(openSync(copy, 'wx', 0o600));
    try {
      this.#db.prepare('VACUUM INTO ?').run(copy);
      const fd = openSync(copy, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      rmSync(copy, { force: true });
      throw error;
    }
    return copy;
  }

  /** Closes the database; further calls are no-ops. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /**
   * The database and its writing rules, for the upload journal (see SqliteStoreInternals).
   *
   * @internal
   */
  internals(): SqliteStoreInternals {
    return this.#internals;
  }

  /**
   * Runs a write whose commit is flushed to disk before it returns. The store otherwise commits
   * without a flush (synchronous NORMAL: fast, and safe from corruption, but a power cut may undo
   * the last commits); a record that outputs or removals depend on must not be undone.
   */
  #durably(write: () => void): void {
    this.#db.pragma('synchronous = FULL');
    try {
      write();
    } finally {
      this.#db.pragma('synchronous = NORMAL');
    }
  }

  #write(what: string, write: () => unknown): void {
    try {
      write();
    } catch (error) {
      if (error instanceof MappingStoreError) throw error;
      throw new MappingStoreError(this.path, `cannot ${what}: ${describeStoreError(error)}`, { cause: error, unreachable: isPassingProblem(error) });
    }
  }
}

/**
 * Holds an exclusive lock on the empty file `file` until the returned function is called, or returns
 * undefined when another process (or connection) holds it. SQLite's lock is an fcntl(2) lock, which
 * the kernel releases when the process dies, however it dies: no stale lock to guess about. It is
 * here because this module owns better-sqlite3; nothing is ever written to the file.
 */
export function holdExclusiveLock(file: string): (() => void) | undefined {
  const db = new Sqlite(file, { timeout: 0 });
  try {
    // The rollback journal in memory: no -journal file appears beside the lock.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if (error instanceof Sqlite.SqliteError && error.code.startsWith('SQLITE_BUSY')) return undefined;
    throw new MappingStoreError(file, `cannot lock the file: ${describeStoreError(error)}`, { cause: error });
  }
  return () => {
    if (db.open) db.close();
  };
}

function migrate(db: Database.Database, dbPath: string): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  const tooNew = (found: number) =>
    new MappingStoreError(dbPath, `the mapping store has schema version ${found}, written by a newer dicom-tools (this one knows up to version ${SCHEMA_VERSION}); update dicom-tools`);
  const current = version();
  if (current === SCHEMA_VERSION) return;
  if (current > SCHEMA_VERSION) throw tooNew(current);
  // IMMEDIATE: of several processes opening a new store at once, one migrates, the others wait
  // and then find the work done.
  db.transaction(() => {
    const found = version();
    if (found > SCHEMA_VERSION) throw tooNew(found);
    for (const migration of MIGRATIONS.slice(found)) db.exec(migration);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** SQLite gives -wal and -shm the database's mode; this catches a database copied in with a wider one. */
function restrictPermissions(dbPath: string): void {
  for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}

/** Problems that pass (another writer, a full disk, an I/O error): the daemon waits and tries again. */
const PASSING_PROBLEMS = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR']);

function isPassingProblem(error: unknown): boolean {
  return error instanceof Sqlite.SqliteError && PASSING_PROBLEMS.has(error.code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1'));
}

/** SQLite's messages name constraints and files, never bound values, so they are safe to show. */
function describeStoreError(error: unknown): string {
  if (error instanceof Sqlite.SqliteError) {
    const hints: Record<string, string> = {
      SQLITE_NOTADB: 'the file is not a SQLite database; move it aside and restore a backup (it is the only link back to the original patients)',
      SQLITE_CORRUPT: 'the database is damaged; move it aside and restore a backup (it is the only link back to the original patients)',
      SQLITE_BUSY: `the store stayed locked by another process for more than ${BUSY_TIMEOUT_MS / 1000} s`,
      SQLITE_READONLY: 'the database is read-only',
      SQLITE_CANTOPEN: 'the file cannot be opened',
      SQLITE_FULL: 'disk full',
    };
    const primary = error.code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1');
    return `${hints[primary] ?? error.message} (${error.code})`;
  }
  return describeFsError(error);
}
