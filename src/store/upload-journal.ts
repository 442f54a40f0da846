import { MappingStoreError } from './mapping-store-error.js';
import { recordProblem } from './record-checks.js';
import type { SqliteMappingStore, SqliteStoreInternals } from './sqlite-mapping-store.js';
import { journalEntryOf, type JournalEntry, type JournalStart, type JournalWritten } from './upload-store.js';
import { plural } from '../text/plural.js';

const ENTRY_COLUMNS = 'original_path AS originalPath, output_path AS outputPath, state, original_identity AS originalIdentity';

type EntryRow = Parameters<typeof journalEntryOf>[0];

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
  readonly #store: SqliteStoreInternals;

  /** The journal kept in `store`'s database. Its statements are prepared on each call: keep the journal. */
  static of(store: SqliteMappingStore): UploadJournal {
    return new UploadJournal(store.internals());
  }

  private constructor(store: SqliteStoreInternals) {
    this.#store = store;
    const { db, insertRecords, durably } = store;
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
    this.#store.write(`journal ${plural(entries.length, 'file')}`, () => this.#begin(entries));
  }

  /**
   * Records the mappings and marks their journal entries written, in one transaction that is on
   * disk when this returns: only then may the originals be removed. An entry already written (or
   * not journaled) is left as it is and its record not added again.
   */
  written(entries: readonly JournalWritten[]): void {
    for (const entry of entries) {
      const problem = recordProblem(entry.record);
      if (problem !== undefined) throw new MappingStoreError(this.#store.path, `cannot record a file: ${problem}`);
    }
    if (entries.length === 0) return;
    this.#store.write(`record ${plural(entries.length, 'file')}`, () => this.#written(entries));
  }

  /** Forgets journal entries once their originals are gone (or their work abandoned), in one transaction. */
  finish(originalPaths: readonly string[]): void {
    if (originalPaths.length === 0) return;
    this.#store.write(`finish ${plural(originalPaths.length, 'journal entry', 'journal entries')}`, () => this.#finish(originalPaths));
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
