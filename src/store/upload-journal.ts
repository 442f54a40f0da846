import type { MappingRecord } from './mapping-record.js';
import { MappingStoreError } from './mapping-store-error.js';
import { storeAccessOf, type SqliteMappingStore, type StoreAccess } from './sqlite-mapping-store.js';
import { plural } from './plural.js';

/** An original whose anonymized version is about to be written to `outputPath`. */
export interface JournalStart {
  readonly originalPath: string;
  readonly outputPath: string;
  /**
   * Which file was read (inode, size and modification time, see fileIdentity): a file that later
   * stands under the same path but differs is a new upload, never taken for this one.
   */
  readonly originalIdentity?: string | undefined;
}

/** An original whose anonymized version is in place, with its mapping. */
export interface JournalWritten {
  readonly originalPath: string;
  readonly record: MappingRecord;
}

/**
 * One file the watch daemon is working on: 'writing' until its output exists and its mapping is
 * recorded (one transaction), then 'written' until the original is removed.
 */
export interface JournalEntry {
  readonly originalPath: string;
  readonly outputPath: string;
  readonly state: 'writing' | 'written';
  /** See JournalStart; absent for entries journaled by an older dicom-tools. */
  readonly originalIdentity?: string | undefined;
}

const ENTRY_COLUMNS = 'original_path AS originalPath, output_path AS outputPath, state, original_identity AS originalIdentity';

/** A row as read: SQL's NULL identity becomes an absent one. */
export function journalEntryOf(row: { readonly originalPath: string; readonly outputPath: string; readonly state: 'writing' | 'written'; readonly originalIdentity: string | null }): JournalEntry {
  const { originalIdentity, ...entry } = row;
  return originalIdentity === null ? entry : { ...entry, originalIdentity };
}

type EntryRow = Parameters<typeof journalEntryOf>[0];

/** One journal per open store: its statements are prepared once. */
const journals = new WeakMap<SqliteMappingStore, UploadJournal>();

/**
 * The watch daemon's journal of work in flight, in the mapping store's database (table `journal`),
 * so that after a crash each upload is finished or undone: none lost, none anonymized twice.
 */
export class UploadJournal {
  readonly #begin: (entries: readonly JournalStart[]) => void;
  readonly #written: (entries: readonly JournalWritten[]) => void;
  readonly #finish: (originalPaths: readonly string[]) => void;
  readonly #all: () => JournalEntry[];
  readonly #byOriginal: (originalPath: string) => JournalEntry | undefined;
  readonly #byOutput: (outputPath: string) => JournalEntry | undefined;
  readonly #access: StoreAccess;

  /** The journal kept in `store`'s database. */
  static of(store: SqliteMappingStore): UploadJournal {
    let journal = journals.get(store);
    if (journal === undefined) {
      journal = new UploadJournal(store);
      journals.set(store, journal);
    }
    return journal;
  }

  private constructor(store: SqliteMappingStore) {
    this.#access = storeAccessOf(store);
    const { db, insertRecords, durably } = this.#access;
    const begin = db.prepare<[originalPath: string, outputPath: string, startedAt: string, originalIdentity: string | null]>(
      "INSERT OR REPLACE INTO journal (original_path, output_path, state, started_at, original_identity) VALUES (?, ?, 'writing', ?, ?)",
    );
    const markWritten = db.prepare<[originalPath: string]>("UPDATE journal SET state = 'written' WHERE original_path = ? AND state = 'writing'");
    const finish = db.prepare<[originalPath: string]>('DELETE FROM journal WHERE original_path = ?');
    const all = db.prepare<[], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM journal ORDER BY rowid`);
    const byOriginal = db.prepare<[originalPath: string], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM journal WHERE original_path = ?`);
    const byOutput = db.prepare<[outputPath: string], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM journal WHERE output_path = ?`);
    const beginAll = db.transaction((entries: readonly JournalStart[], startedAt: string) => {
      for (const entry of entries) begin.run(entry.originalPath, entry.outputPath, startedAt, entry.originalIdentity ?? null);
    });
    this.#begin = (entries) => durably(() => beginAll.immediate(entries, new Date().toISOString()));
    // Only entries still 'writing' are recorded: written twice (a retry after an answer that was
    // lost), an upload is recorded once.
    const writtenAll = db.transaction((entries: readonly JournalWritten[]) => {
      insertRecords(entries.filter((entry) => markWritten.run(entry.originalPath).changes === 1).map((entry) => entry.record));
    });
    this.#written = (entries) => durably(() => writtenAll.immediate(entries));
    const finishAll = db.transaction((originalPaths: readonly string[]) => {
      for (const originalPath of originalPaths) finish.run(originalPath);
    });
    this.#finish = (originalPaths) => finishAll.immediate(originalPaths);
    const entryOf = (row: EntryRow | undefined) => (row === undefined ? undefined : journalEntryOf(row));
    this.#all = () => all.all().map(journalEntryOf);
    this.#byOriginal = (originalPath) => entryOf(byOriginal.get(originalPath));
    this.#byOutput = (outputPath) => entryOf(byOutput.get(outputPath));
  }

  /** Journals that each original is being written to its output, in one transaction that is on disk when this returns. */
  begin(entries: readonly JournalStart[]): void {
    if (entries.length === 0) return;
    this.#access.write(`journal ${plural(entries.length, 'file')}`, () => this.#begin(entries));
  }

  /**
   * Records the mappings and marks their journal entries written, in one transaction that is on
   * disk when this returns: only then may the originals be removed. An entry already written (or
   * not journaled) is left as it is and its record not added again.
   */
  written(entries: readonly JournalWritten[]): void {
    for (const entry of entries) {
      const problem = this.#access.recordProblem(entry.record);
      if (problem !== undefined) throw new MappingStoreError(this.#access.path, `cannot record a file: ${problem}`);
    }
    if (entries.length === 0) return;
    this.#access.write(`record ${plural(entries.length, 'file')}`, () => this.#written(entries));
  }

  /** Forgets journal entries once their originals are gone (or their work abandoned), in one transaction. */
  finish(originalPaths: readonly string[]): void {
    if (originalPaths.length === 0) return;
    this.#access.write(`finish ${plural(originalPaths.length, 'journal entry', 'journal entries')}`, () => this.#finish(originalPaths));
  }

  /** The work in flight, oldest first. */
  entries(): JournalEntry[] {
    return this.#all();
  }

  /** The entry of `originalPath`, if any. */
  forOriginal(originalPath: string): JournalEntry | undefined {
    return this.#byOriginal(originalPath);
  }

  /** The entry writing `outputPath`, if any. */
  forOutput(outputPath: string): JournalEntry | undefined {
    return this.#byOutput(outputPath);
  }
}
