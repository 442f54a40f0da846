import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { writeMappingCsv } from '../src/export/mapping-csv.js';
import type { RecordedFile } from '../src/store/mapping-record.js';
import { MappingStoreError } from '../src/store/mapping-store-error.js';
import { SqliteMappingStore } from '../src/store/sqlite-mapping-store.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/store/schema.js';
import { UploadJournal } from '../src/store/upload-journal.js';
import { readBack, sample } from './helpers/mapping-records.js';

const STORE_MODULE = fileURLToPath(new URL('../src/store/sqlite-mapping-store.ts', import.meta.url));
// Only to build a store as an older dicom-tools left it (and to look at columns the store does not
// return): the code under test reaches SQLite through SqliteMappingStore alone.
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

const temporaryDirs: string[] = [];
const openStores: SqliteMappingStore[] = [];

afterEach(() => {
  for (const store of openStores.splice(0)) store.close();
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mapping-store-'));
  temporaryDirs.push(dir);
  return dir;
}

/** Runs a TypeScript script in a child process; resolves with its exit code and output, never rejects. */
function runScript(script: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', script, ...args], (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

function open(dataDir: string): SqliteMappingStore {
  const store = SqliteMappingStore.open(dataDir);
  openStores.push(store);
  return store;
}

function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

/** `user_version` and the WAL flag, read from the database header (see sqlite.org/fileformat.html). */
function header(dbPath: string): { userVersion: number; wal: boolean } {
  const bytes = readFileSync(dbPath);
  return { userVersion: bytes.readUInt32BE(60), wal: bytes[18] === 2 && bytes[19] === 2 };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('SqliteMappingStore.open', () => {
  it('creates the data folder 0700 and a WAL database whose three files are 0600 after writes', () => {
    const dataDir = path.join(temporaryDir(), 'nested', 'data');
    const store = open(dataDir);
    const batchId = store.startBatch({ source: 'cli', options: { dates: 'clear' }, profile: 'PS3.15 2024b' });
    store.record([sample(batchId, 1)]);

    expect(store.path).toBe(path.join(dataDir, 'mapping.sqlite'));
    expect(modeOf(dataDir)).toBe(0o700);
    for (const suffix of ['', '-wal', '-shm']) expect({ suffix, mode: modeOf(`${store.path}${suffix}`) }).toEqual({ suffix, mode: 0o600 });
    store.close();
    expect(header(path.join(dataDir, 'mapping.sqlite'))).toEqual({ userVersion: SCHEMA_VERSION, wal: true });
  });

  it('migrates an empty database file and narrows its mode to 0600', () => {
    const dataDir = temporaryDir();
    const dbPath = path.join(dataDir, 'mapping.sqlite');
    writeFileSync(dbPath, '', { mode: 0o644 });
    chmodSync(dbPath, 0o644);

    const store = open(dataDir);
    expect(modeOf(dbPath)).toBe(0o600);
    expect(store.batches()).toEqual([]);
    expect(store.records()).toEqual([]);
    store.close();
    expect(header(dbPath)).toEqual({ userVersion: SCHEMA_VERSION, wal: true });
  });

  it('keeps the records when reopened, and close() twice is harmless', () => {
    const dataDir = temporaryDir();
    const first = open(dataDir);
    const batchId = first.startBatch({ source: 'daemon', options: {}, profile: 'basic' });
    const records = [sample(batchId, 1), sample(batchId, 2)];
    first.record(records);
    first.close();
    first.close();

    const second = open(dataDir);
    expect(second.records()).toEqual(records.map(readBack));
    expect(second.batches()).toEqual([{ id: batchId, startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), source: 'daemon', fileCount: 2, profile: 'basic' }]);
  });

  it('refuses a database written by a newer schema', () => {
    const dataDir = temporaryDir();
    open(dataDir).close();
    const dbPath = path.join(dataDir, 'mapping.sqlite');
    const bytes = readFileSync(dbPath);
    bytes.writeUInt32BE(7, 60); // user_version
    writeFileSync(dbPath, bytes);

    const error = thrown(() => open(dataDir));
    expect(error).toBeInstanceOf(MappingStoreError);
    expect((error as Error).message).toBe(`${dbPath}: the mapping store has schema version 7, written by a newer dicom-tools (this one knows up to version ${SCHEMA_VERSION}); update dicom-tools`);
  });

  it('reports a file that is not a database, naming it, and leaves it untouched', () => {
    const dataDir = temporaryDir();
    const dbPath = path.join(dataDir, 'mapping.sqlite');
    const garbage = 'this is not a database\n'.repeat(200);
    writeFileSync(dbPath, garbage, { mode: 0o600 });

    const error = thrown(() => open(dataDir));
    expect(error).toBeInstanceOf(MappingStoreError);
    expect(error).toMatchObject({ code: 'MAPPING_STORE', path: dbPath });
    expect((error as Error).message).toBe(
      `${dbPath}: cannot open the mapping store: the file is not a SQLite database; move it aside and restore a backup (it is the only link back to the original patients) (SQLITE_NOTADB)`,
    );
    expect(readFileSync(dbPath, 'utf8')).toBe(garbage);
  });

  it('reports a data folder that cannot be created', () => {
    const parent = temporaryDir();
    writeFileSync(path.join(parent, 'file'), '');
    const dataDir = path.join(parent, 'file', 'data');

    const error = thrown(() => open(dataDir));
    expect(error).toBeInstanceOf(MappingStoreError);
    expect((error as Error).message).toBe(`${dataDir}: cannot create the data folder: a part of the path is not a folder`);
  });

  it.skipIf(process.getuid?.() === 0)('reports a data folder without write permission', () => {
    const dataDir = temporaryDir();
    chmodSync(dataDir, 0o500);
    try {
      const error = thrown(() => open(dataDir));
      expect((error as Error).message).toBe(`${path.join(dataDir, 'mapping.sqlite')}: cannot create the mapping store: permission denied`);
    } finally {
      chmodSync(dataDir, 0o700);
    }
  });
});

describe('SqliteMappingStore batches and records', () => {
  it('gives each batch a fresh id made of the time and random hex', () => {
    const store = open(temporaryDir());
    const ids = [1, 2, 3].map(() => store.startBatch({ source: 'tui', options: { dates: 'shift' }, profile: 'basic' }));
    for (const id of ids) expect(id).toMatch(/^b-\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(3);
    expect(store.batches().map((batch) => batch.id)).toEqual(ids);
  });

  it('records 1000 files in one call and lists them in insertion order, per batch too', () => {
    const store = open(temporaryDir());
    const a = store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const b = store.startBatch({ source: 'daemon', options: {}, profile: 'basic' });
    const batchA = Array.from({ length: 1000 }, (_, index) => sample(a, index));
    const batchB = [sample(b, 5000), sample(b, 5001)];

    store.record(batchA);
    store.record(batchB);
    store.record([]);

    expect(store.records()).toEqual([...batchA, ...batchB].map(readBack));
    expect(store.records({ batchId: b })).toEqual(batchB.map(readBack));
    expect(store.records({ batchId: undefined })).toHaveLength(1002);
    expect(store.records({ batchId: 'b-unknown' })).toEqual([]);
    expect(store.batches().map(({ id, source, fileCount }) => ({ id, source, fileCount }))).toEqual([
      { id: a, source: 'cli', fileCount: 1000 },
      { id: b, source: 'daemon', fileCount: 2 },
    ]);
  });

  it('stores a whole call or nothing, and the error names no patient data', () => {
    const store = open(temporaryDir());
    const batchId = store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const records = Array.from({ length: 1000 }, (_, index) => sample(batchId, index));
    // A value SQLite refuses (a BLOB for a TEXT column) in the middle of the call.
    records[700] = sample(batchId, 700, { originalFilename: Buffer.from('x') as unknown as string });

    const error = thrown(() => store.record(records));
    expect(error).toBeInstanceOf(MappingStoreError);
    expect((error as Error).message).toBe(`${store.path}: cannot record 1000 files: cannot store BLOB value in TEXT column files.original_filename (SQLITE_CONSTRAINT_DATATYPE)`);
    expect((error as Error).message).not.toMatch(/Müller|PID-/);
    expect(store.records()).toEqual([]);
    expect(store.uidPairs()).toEqual([]);
  });

  it('refuses records of a batch that was not started, and invalid fields, before writing anything', () => {
    const store = open(temporaryDir());
    const batchId = store.startBatch({ source: 'cli', options: {}, profile: 'basic' });

    expect(() => store.record([sample(batchId, 1), sample('b-nope', 2)])).toThrow(
      new MappingStoreError(store.path, 'cannot record files for batch "b-nope": no such batch (call startBatch() first)'),
    );
    expect(() => store.record([sample(batchId, 1), sample(batchId, 2, { processedAt: '2024-05-01 12:00' })])).toThrow(
      `${store.path}: cannot record files: record 1 has a processedAt that is not an ISO 8601 UTC time (like 2024-05-01T12:00:00.000Z)`,
    );
    expect(() => store.record([sample(batchId, 1, { tagsAnonymized: ['PatientName;PatientID'] })])).toThrow(
      `${store.path}: cannot record files: record 0 has a tagsAnonymized that is not a list of keywords (strings without ";")`,
    );
    expect(() => store.record([sample(batchId, 1, { uidsRegenerated: 3 as unknown as string[] })])).toThrow(
      `${store.path}: cannot record files: record 0 has a uidsRegenerated that is not a list of keywords (strings without ";")`,
    );
    expect(() => store.record([sample(batchId, 1, { uidPairs: [{ original: '1.2.3', anonymized: undefined as unknown as string }] })])).toThrow(
      `${store.path}: cannot record files: record 0 has uidPairs that are not a list of { original, anonymized } strings`,
    );
    expect(store.records()).toEqual([]);
  });

  it('refuses an unknown source and options that are not JSON', () => {
    const store = open(temporaryDir());
    expect(() => store.startBatch({ source: 'web' as 'cli', options: {}, profile: 'basic' })).toThrow(`${store.path}: cannot start a batch: unknown source "web" (use cli, daemon, tui)`);
    expect(() => store.startBatch({ source: 'cli', options: { size: 1n }, profile: 'basic' })).toThrow(`${store.path}: cannot start a batch: its options cannot be stored as JSON`);
    expect(store.batches()).toEqual([]);
  });

  it('counts the files processed on the local day of `now`', () => {
    const store = open(temporaryDir());
    const batchId = store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const now = new Date();
    const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();
    store.record([sample(batchId, 1, { processedAt: at(0) }), sample(batchId, 2, { processedAt: at(0) }), sample(batchId, 3, { processedAt: at(-36) }), sample(batchId, 4, { processedAt: at(36) })]);

    expect(store.countToday(now)).toBe(2);
    expect(store.countToday(new Date(now.getTime() - 36 * 3_600_000))).toBe(1);
  });
});

describe('SqliteMappingStore lists and identifier pairs', () => {
  it('gives the lists back as recorded: in order, empty ones empty', () => {
    const store = open(temporaryDir());
    const batchId = store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const records = [
      sample(batchId, 4, { tagsAnonymized: ['PatientName', 'PatientID', '(0009,1001)', 'StudyInstanceUID'] }),
      sample(batchId, 5, { tagsAnonymized: [], uidsRegenerated: [] }),
    ];
    store.record(records);
    expect(store.records()).toEqual(records.map(readBack));
    expect(store.records()[1]).toMatchObject({ tagsAnonymized: [], uidsRegenerated: [] });
  });

  it('keeps one UID pair per distinct original per batch, recorded with the files, in the order first seen', () => {
    const store = open(temporaryDir());
    const a = store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const b = store.startBatch({ source: 'daemon', options: {}, profile: 'basic' });
    // Every sample shares the study pair 1.2.826.0.1.3680043.10.9999.1 -> 2.25.100 and has one of its own.
    store.record([sample(a, 1), sample(a, 2)]);
    store.record([sample(a, 2), sample(a, 3)]);
    store.record([sample(b, 1)]);

    const study = { original: '1.2.826.0.1.3680043.10.9999.1', anonymized: '2.25.100' };
    const own = (index: number) => ({ original: `1.2.826.0.1.3680043.10.9999.1.${index}`, anonymized: `2.25.100${index}` });
    expect(store.uidPairs({ batchId: a })).toEqual([study, own(1), own(2), own(3)]);
    expect(store.uidPairs({ batchId: b })).toEqual([study, own(1)]);
    expect(store.uidPairs()).toEqual([study, own(1), own(2), own(3)]);
    expect(store.uidPairs({ batchId: 'b-unknown' })).toEqual([]);
  });

  it('lists each distinct original-to-pseudonymous patient pair once, of all batches or of one', () => {
    const store = open(temporaryDir());
    const a = store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const b = store.startBatch({ source: 'tui', options: {}, profile: 'basic' });
    const patient = (batchId: string, index: number, id: string) => sample(batchId, index, { originalPatientId: id, anonymizedPatientId: `ANON-${id}` });
    store.record([patient(a, 1, 'P1'), patient(a, 2, 'P2'), patient(a, 3, 'P1')]);
    store.record([patient(b, 4, 'P3'), patient(b, 5, 'P1')]);

    expect(store.patientPairs()).toEqual([
      { original: 'P1', anonymized: 'ANON-P1' },
      { original: 'P2', anonymized: 'ANON-P2' },
      { original: 'P3', anonymized: 'ANON-P3' },
    ]);
    expect(store.patientPairs({ batchId: b })).toEqual([
      { original: 'P3', anonymized: 'ANON-P3' },
      { original: 'P1', anonymized: 'ANON-P1' },
    ]);
  });

  it('records the UID pairs of the daemon’s files when it marks them written', () => {
    const store = open(temporaryDir());
    const batchId = store.startBatch({ source: 'daemon', options: {}, profile: 'basic' });
    UploadJournal.of(store).begin([{ originalPath: '/sources/IM1', outputPath: '/sources/2.25.1001.dcm' }]);
    UploadJournal.of(store).written([{ originalPath: '/sources/IM1', record: sample(batchId, 1) }]);

    expect(store.uidPairs({ batchId })).toEqual(sample(batchId, 1).uidPairs);
    expect(UploadJournal.of(store).entries()).toEqual([{ originalPath: '/sources/IM1', outputPath: '/sources/2.25.1001.dcm', state: 'written' }]);
  });
});

describe('SqliteMappingStore migrating a store of schema version 2 (counts, no lists, no UID pairs)', () => {
  /** A store as dicom-tools left it before the lists: the first two migrations, a batch and two files with counts. */
  function versionTwoStore(dataDir: string): { batchId: string; dbPath: string } {
    const dbPath = path.join(dataDir, 'mapping.sqlite');
    writeFileSync(dbPath, '', { mode: 0o600 });
    const db = new Sqlite(dbPath);
    try {
      db.pragma('journal_mode = WAL');
      for (const migration of MIGRATIONS.slice(0, 2)) db.exec(migration);
      db.pragma('user_version = 2');
      const batchId = 'b-20240501T120000Z-0123456789ab';
      db.prepare("INSERT INTO batches (id, started_at, source, options, profile) VALUES (?, '2024-05-01T12:00:00.000Z', 'cli', '{}', 'basic')").run(batchId);
      const insert = db.prepare(
        `INSERT INTO files (batch_id, processed_at, original_filename, anonymized_filename, original_patient_id, anonymized_patient_id,
          tags_anonymized, uids_regenerated) VALUES (?, '2024-05-01T12:00:01.000Z', ?, ?, ?, ?, ?, ?)`,
      );
      insert.run(batchId, 'Old 1.dcm', '2.25.1.dcm', 'OLD-PID', 'ANON-OLD', 120, 4);
      insert.run(batchId, 'Old 2.dcm', '2.25.2.dcm', 'OLD-PID', 'ANON-OLD', 118, 4);
      return { batchId, dbPath };
    } finally {
      db.close();
    }
  }

  it('keeps the old rows (their lists unknown, their counts kept), records new ones, and exports both', async () => {
    const dataDir = temporaryDir();
    const { batchId: oldBatch, dbPath } = versionTwoStore(dataDir);

    const store = open(dataDir);
    const old = store.records();
    expect(old.map(({ originalFilename, originalPatientId, tagsAnonymized, uidsRegenerated }) => ({ originalFilename, originalPatientId, tagsAnonymized, uidsRegenerated }))).toEqual([
      { originalFilename: 'Old 1.dcm', originalPatientId: 'OLD-PID', tagsAnonymized: undefined, uidsRegenerated: undefined },
      { originalFilename: 'Old 2.dcm', originalPatientId: 'OLD-PID', tagsAnonymized: undefined, uidsRegenerated: undefined },
    ]);
    const newBatch = store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const fresh = sample(newBatch, 3);
    store.record([fresh, sample(oldBatch, 4)]);

    expect(store.records()).toEqual([...old, readBack(fresh), readBack(sample(oldBatch, 4))]);
    expect(store.uidPairs({ batchId: newBatch })).toEqual(fresh.uidPairs);
    expect(store.patientPairs({ batchId: oldBatch })).toEqual([
      { original: 'OLD-PID', anonymized: 'ANON-OLD' },
      { original: 'PID-4', anonymized: 'ANON-PAT4' },
    ]);
    const csv = path.join(dataDir, 'mapping.csv');
    await writeMappingCsv(store.records(), csv);
    expect(readFileSync(csv, 'utf8').split('\n').slice(1, 4)).toEqual([
      'Old 1.dcm,2.25.1.dcm,OLD-PID,ANON-OLD,,',
      'Old 2.dcm,2.25.2.dcm,OLD-PID,ANON-OLD,,',
      '"Müller, Hans 3.dcm",ANON-00003.dcm,PID-3,ANON-PAT3,PatientName;PatientID;StudyDate,StudyInstanceUID;SeriesInstanceUID;SOPInstanceUID',
    ]);
    store.close();

    expect(header(dbPath).userVersion).toBe(SCHEMA_VERSION);
    const db = new Sqlite(dbPath, { readonly: true });
    try {
      expect(db.prepare('SELECT tags_anonymized, uids_regenerated FROM files ORDER BY id').raw().all()).toEqual([
        [120, 4],
        [118, 4],
        [3, 3],
        [4, 0],
      ]);
    } finally {
      db.close();
    }
  });
});

describe('SqliteMappingStore migrating a store of schema version 5 (no pixel cleaning)', () => {
  it('keeps the old rows without a pixelCleaning, records and exports the pixel cleaning of new ones', async () => {
    const dataDir = temporaryDir();
    const dbPath = path.join(dataDir, 'mapping.sqlite');
    writeFileSync(dbPath, '', { mode: 0o600 });
    // The store as a dicom-tools of schema version 5 left it: its migrations, a batch and a file with its lists.
    const batchId = 'b-20240501T120000Z-0123456789ab';
    const db = new Sqlite(dbPath);
    try {
      db.pragma('journal_mode = WAL');
      for (const migration of MIGRATIONS.slice(0, 5)) db.exec(migration);
      db.pragma('user_version = 5');
      db.prepare("INSERT INTO batches (id, started_at, source, options, profile) VALUES (?, '2024-05-01T12:00:00.000Z', 'daemon', '{}', 'basic')").run(batchId);
      db.prepare("INSERT INTO keyword_lists (id, list) VALUES (1, 'PatientName;PatientID'), (2, 'SOPInstanceUID')").run();
      db.prepare(
        `INSERT INTO files (batch_id, processed_at, original_filename, anonymized_filename, original_patient_id, anonymized_patient_id,
          tags_anonymized, uids_regenerated, tags_anonymized_list, uids_regenerated_list, upload_id)
          VALUES (?, '2024-05-01T12:00:01.000Z', 'Old 1.dcm', '2.25.1.dcm', 'OLD-PID', 'ANON-OLD', 2, 1, 1, 2, 'u-3f9a1c02')`,
      ).run(batchId);
    } finally {
      db.close();
    }

    const store = open(dataDir);
    const old = store.records();
    expect(old).toEqual([
      {
        batchId,
        processedAt: '2024-05-01T12:00:01.000Z',
        originalFilename: 'Old 1.dcm',
        anonymizedFilename: '2.25.1.dcm',
        originalPatientId: 'OLD-PID',
        anonymizedPatientId: 'ANON-OLD',
        tagsAnonymized: ['PatientName', 'PatientID'],
        uidsRegenerated: ['SOPInstanceUID'],
        uploadId: 'u-3f9a1c02',
      },
    ]);
    expect('pixelCleaning' in (old[0] as object)).toBe(false);
    const fresh = [sample(batchId, 2, { pixelCleaning: 'outside the 2 ultrasound regions' }), sample(batchId, 3)];
    store.record(fresh);
    expect(store.records()).toEqual([...old, ...fresh.map(readBack)]);

    const csv = path.join(dataDir, 'mapping.csv');
    await writeMappingCsv(store.records(), csv, { pixels: true });
    expect(readFileSync(csv, 'utf8').split('\n').map((line) => line.slice(line.lastIndexOf(',') + 1))).toEqual(['Pixel Cleaning', '', 'outside the 2 ultrasound regions', '', '']);
    store.close();

    expect(header(dbPath).userVersion).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(6);
    const check = new Sqlite(dbPath, { readonly: true });
    try {
      expect(check.prepare('SELECT pixel_cleaning FROM files ORDER BY id').pluck().all()).toEqual([null, 'outside the 2 ultrasound regions', null]);
    } finally {
      check.close();
    }
  });
});

describe('SqliteMappingStore shared by several connections', () => {
  it('lets two stores on one folder read each other’s writes, interleaved', () => {
    const dataDir = temporaryDir();
    const first = open(dataDir);
    const second = open(dataDir);
    const batchId = first.startBatch({ source: 'daemon', options: {}, profile: 'basic' });
    const expected: RecordedFile[] = [];
    for (let round = 0; round < 10; round++) {
      const writer = round % 2 === 0 ? first : second;
      const records = [sample(batchId, round * 2), sample(batchId, round * 2 + 1)];
      writer.record(records);
      expected.push(...records.map(readBack));
      expect(first.records()).toEqual(expected);
      expect(second.records()).toEqual(expected);
    }
    expect(second.batches()).toEqual(first.batches());
  });

  it('loses nothing when four processes write at the same moment', async () => {
    const dataDir = temporaryDir();
    const script = path.join(dataDir, 'writer.ts');
    writeFileSync(
      script,
      `import { readdirSync, writeFileSync } from 'node:fs';
import { SqliteMappingStore } from ${JSON.stringify(STORE_MODULE)};
const [dataDir, label, ready, count] = process.argv.slice(2);
// Start together: each announces itself, then waits for all the others.
writeFileSync(ready + '/' + label, '');
while (readdirSync(ready).length < Number(count)) {}
process.on('uncaughtException', (error) => {
  process.stderr.write(error.message);
  process.exit(1);
});
const store = SqliteMappingStore.open(dataDir);
const batchId = store.startBatch({ source: 'cli', options: { label }, profile: 'basic' });
for (let call = 0; call < 25; call++) {
  store.record(Array.from({ length: 20 }, (_, i) => ({
    batchId, processedAt: new Date().toISOString(), originalFilename: label + '-' + (call * 20 + i),
    anonymizedFilename: 'a', originalPatientId: 'p', anonymizedPatientId: 'q', tagsAnonymized: ['PatientID'], uidsRegenerated: ['SOPInstanceUID'],
    uidPairs: [{ original: '1.2.3', anonymized: '2.25.3' }, { original: '1.2.3.' + label + '.' + (call * 20 + i), anonymized: '2.25.4.' + (call * 20 + i) }],
  })));
}
store.close();
`,
    );
    const ready = path.join(dataDir, 'ready');
    mkdirSync(ready);
    const labels = ['w0', 'w1', 'w2', 'w3'];
    const results = await Promise.all(labels.map((label) => runScript(script, [dataDir, label, ready, String(labels.length)])));
    expect(results.map(({ code, stderr }) => ({ code, stderr }))).toEqual(labels.map(() => ({ code: 0, stderr: '' })));

    const store = open(dataDir);
    expect(store.records()).toHaveLength(2000);
    for (const label of labels) {
      const names = store.records().filter((record) => record.originalFilename.startsWith(`${label}-`)).map((record) => record.originalFilename);
      expect(names).toEqual(Array.from({ length: 500 }, (_, index) => `${label}-${index}`));
    }
    expect(store.batches().map((batch) => batch.fileCount)).toEqual([500, 500, 500, 500]);
    for (const batch of store.batches()) expect(store.uidPairs({ batchId: batch.id })).toHaveLength(501);
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(`${store.path}${suffix}`)) expect(modeOf(`${store.path}${suffix}`)).toBe(0o600);
    }
  });
});
