import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { writeIdPairsCsv, writeMappingCsv } from '../src/export/mapping-csv.js';
import type { MappingRecord } from '../src/store/mapping-record.js';
import { MappingStoreError } from '../src/store/mapping-store-error.js';
import type { MappingStore } from '../src/store/mapping-store.js';
import { openMappingStore, type MappingStoreConfig } from '../src/store/open-mapping-store.js';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from '../src/store/postgres-schema.js';
import { postgresAvailable, usePostgres, type TestDatabase } from './helpers/postgres-server.js';
import { readBack, sample } from './helpers/mapping-records.js';

// One behavioural suite, run against both stores behind the interface the CLI and the TUI use:
// what one does, the other must do too (same rows, same order, same errors but for the store's name).

const OPEN_MODULE = fileURLToPath(new URL('../src/store/open-mapping-store.ts', import.meta.url));
const root = mkdtempSync(path.join(os.tmpdir(), 'mapping-contract-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface StoreKind {
  readonly name: string;
  /** The config of a new, empty store. */
  readonly fresh: () => Promise<MappingStoreConfig>;
  /** A value the database refuses in a record, to fail a call half-way. */
  readonly refusedFilename: string;
  /** How its error names a refused value. */
  readonly refusedProblem: RegExp;
}

let counter = 0;
const sqlite: StoreKind = {
  name: 'SQLite',
  fresh: async () => ({ dataDir: path.join(root, `data-${counter++}`), mappingUrl: undefined }),
  refusedFilename: Buffer.from('x') as unknown as string,
  refusedProblem: /^cannot store BLOB value in TEXT column files\.original_filename \(SQLITE_CONSTRAINT_DATATYPE\)$/,
};

function postgresKind(database: TestDatabase): StoreKind {
  return {
    name: 'PostgreSQL',
    fresh: async () => ({ dataDir: path.join(root, 'unused'), mappingUrl: await database.fresh() }),
    // PostgreSQL text cannot hold NUL; SQLite's can.
    refusedFilename: 'Müller\u0000Hans.dcm',
    refusedProblem: /^the database refused a value \(SQLSTATE 22021\)$/,
  };
}

/** Runs a TypeScript script in a child process; resolves with its exit code and output, never rejects. */
function runScript(script: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', script, ...args], (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function contract(kind: () => StoreKind): void {
  const open: MappingStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  const openFresh = async (): Promise<{ store: MappingStore; config: MappingStoreConfig }> => {
    const config = await kind().fresh();
    const store = await openMappingStore(config);
    open.push(store);
    return { store, config };
  };

  it('starts batches with fresh ids and keeps each one’s source and profile, oldest first', async () => {
    const { store } = await openFresh();
    const a = await store.startBatch({ source: 'cli', options: { dates: 'clear' }, profile: 'PS3.15 2024b' });
    const b = await store.startBatch({ source: 'tui', options: { dates: 'shift' }, profile: 'PS3.15 2024b research' });
    const c = await store.startBatch({ source: 'daemon', options: {}, profile: 'basic' });
    for (const id of [a, b, c]) expect(id).toMatch(/^b-\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    await store.record([sample(b, 1), sample(b, 2)]);
    expect(await store.batches()).toEqual([
      { id: a, startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), source: 'cli', fileCount: 0, profile: 'PS3.15 2024b' },
      { id: b, startedAt: expect.any(String), source: 'tui', fileCount: 2, profile: 'PS3.15 2024b research' },
      { id: c, startedAt: expect.any(String), source: 'daemon', fileCount: 0, profile: 'basic' },
    ]);
  });

  it('records 1000 files in one call and lists them in insertion order, per batch too', async () => {
    const { store } = await openFresh();
    const a = await store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const b = await store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const batchA = Array.from({ length: 1000 }, (_, index) => sample(a, index));
    const batchB = [sample(b, 5000), sample(b, 5001)];
    await store.record(batchA);
    await store.record(batchB);
    await store.record([]);

    expect(await store.records()).toEqual([...batchA, ...batchB].map(readBack));
    expect(await store.records({ batchId: b })).toEqual(batchB.map(readBack));
    expect(await store.records({ batchId: 'b-unknown' })).toEqual([]);
    expect(await store.recordsForAnonymizedName('ANON-05001.dcm')).toEqual([readBack(batchB[1] as MappingRecord)]);
    expect((await store.batches()).map((batch) => batch.fileCount)).toEqual([1000, 2]);
  });

  it('stores a whole call or nothing, and the error names the store and no patient data', async () => {
    const { store } = await openFresh();
    const batchId = await store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const records = Array.from({ length: 1000 }, (_, index) => sample(batchId, index));
    records[700] = sample(batchId, 700, { originalFilename: kind().refusedFilename });

    const error = await rejection(store.record(records));
    expect(error).toBeInstanceOf(MappingStoreError);
    const message = (error as Error).message;
    expect(message.startsWith(`${store.location}: cannot record 1000 files: `)).toBe(true);
    expect(message.slice(`${store.location}: cannot record 1000 files: `.length)).toMatch(kind().refusedProblem);
    expect(message).not.toMatch(/Müller|Hans|PID-/);
    expect(await store.records()).toEqual([]);
    expect(await store.uidPairs()).toEqual([]);
  });

  it('refuses records of a batch that was not started, and invalid fields, before writing anything', async () => {
    const { store } = await openFresh();
    const batchId = await store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    await expect(store.record([sample(batchId, 1), sample('b-nope', 2)])).rejects.toThrow(
      new MappingStoreError(store.location, 'cannot record files for batch "b-nope": no such batch (call startBatch() first)'),
    );
    await expect(store.record([sample(batchId, 1), sample(batchId, 2, { processedAt: '2024-05-01 12:00' })])).rejects.toThrow(
      `${store.location}: cannot record files: record 1 has a processedAt that is not an ISO 8601 UTC time (like 2024-05-01T12:00:00.000Z)`,
    );
    await expect(store.record([sample(batchId, 1, { tagsAnonymized: ['PatientName;PatientID'] })])).rejects.toThrow(
      `${store.location}: cannot record files: record 0 has a tagsAnonymized that is not a list of keywords (strings without ";")`,
    );
    await expect(store.startBatch({ source: 'web' as 'cli', options: {}, profile: 'basic' })).rejects.toThrow(`${store.location}: cannot start a batch: unknown source "web" (use cli, daemon, tui)`);
    expect(await store.records()).toEqual([]);
    expect(await store.batches()).toHaveLength(1);
  });

  it('gives the lists back as recorded, and the UID and patient pairs once each in the order first seen', async () => {
    const { store } = await openFresh();
    const a = await store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const b = await store.startBatch({ source: 'tui', options: {}, profile: 'basic' });
    const patient = (batchId: string, index: number, id: string, more: Partial<MappingRecord> = {}) =>
      sample(batchId, index, { originalPatientId: id, anonymizedPatientId: `ANON-${id}`, ...more });
    const first = [patient(a, 1, 'P1', { tagsAnonymized: ['PatientName', 'PatientID', '(0009,1001)', 'StudyInstanceUID'] }), patient(a, 2, 'P2', { tagsAnonymized: [], uidsRegenerated: [] })];
    await store.record(first);
    await store.record([patient(a, 2, 'P2'), patient(a, 3, 'P1')]);
    await store.record([patient(b, 4, 'P3'), patient(b, 1, 'P1')]);

    expect((await store.records()).slice(0, 2)).toEqual(first.map(readBack));
    const study = { original: '1.2.826.0.1.3680043.10.9999.1', anonymized: '2.25.100' };
    const own = (index: number) => ({ original: `1.2.826.0.1.3680043.10.9999.1.${index}`, anonymized: `2.25.100${index}` });
    expect(await store.uidPairs({ batchId: a })).toEqual([study, own(1), own(2), own(3)]);
    expect(await store.uidPairs({ batchId: b })).toEqual([study, own(4), own(1)]);
    expect(await store.uidPairs()).toEqual([study, own(1), own(2), own(3), own(4)]);
    expect(await store.patientPairs()).toEqual(['P1', 'P2', 'P3'].map((id) => ({ original: id, anonymized: `ANON-${id}` })));
    expect(await store.patientPairs({ batchId: b })).toEqual(['P3', 'P1'].map((id) => ({ original: id, anonymized: `ANON-${id}` })));
  });

  it('keeps how each at-risk image’s pixels were treated, none for the others, and exports it with pixels: true only', async () => {
    const { store } = await openFresh();
    const batchId = await store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const regionEntry = "dicom-tools regions from CTP 361e90f8032f, entry 12 (line 58 of CTP's script) (GE Dose Report)";
    const records = [
      sample(batchId, 1, { pixelCleaning: regionEntry }),
      sample(batchId, 2),
      sample(batchId, 3, { pixelCleaning: 'outside the 2 ultrasound regions' }),
      sample(batchId, 4, { pixelCleaning: regionEntry }),
      sample(batchId, 5, { pixelCleaning: 'accepted as it is' }),
      sample(batchId, 6, { pixelCleaning: 'x'.repeat(300) }),
    ];
    await store.record(records);

    const back = await store.records();
    expect(back).toEqual(records.map(readBack));
    expect(back.map((file) => file.pixelCleaning)).toEqual([regionEntry, undefined, 'outside the 2 ultrasound regions', regionEntry, 'accepted as it is', 'x'.repeat(300)]);
    expect('pixelCleaning' in (back[1] as object)).toBe(false);
    expect(await store.recordsForAnonymizedName('ANON-00003.dcm')).toEqual([readBack(records[2] as MappingRecord)]);

    const dir = mkdtempSync(path.join(root, 'csv-pixels-'));
    await writeMappingCsv(back.slice(0, 3), path.join(dir, 'pixels.csv'), { pixels: true });
    await writeMappingCsv(back.slice(0, 3), path.join(dir, 'plain.csv'));
    expect(readFileSync(path.join(dir, 'pixels.csv'), 'utf8').split('\n')).toEqual([
      'Original Filename,Anonymized Filename,Original Patient ID,Anonymized ID,Tags Anonymized,UIDs Regenerated,Pixel Cleaning',
      `"Müller, Hans 1.dcm",ANON-00001.dcm,PID-1,ANON-PAT1,PatientName,StudyInstanceUID,"dicom-tools regions from CTP 361e90f8032f, entry 12 (line 58 of CTP's script) (GE Dose Report)"`,
      '"Müller, Hans 2.dcm",ANON-00002.dcm,PID-2,ANON-PAT2,PatientName;PatientID,StudyInstanceUID;SeriesInstanceUID,',
      '"Müller, Hans 3.dcm",ANON-00003.dcm,PID-3,ANON-PAT3,PatientName;PatientID;StudyDate,StudyInstanceUID;SeriesInstanceUID;SOPInstanceUID,outside the 2 ultrasound regions',
      '',
    ]);
    expect(readFileSync(path.join(dir, 'plain.csv'), 'utf8').split('\n')[0]).toBe('Original Filename,Anonymized Filename,Original Patient ID,Anonymized ID,Tags Anonymized,UIDs Regenerated');
    expect(readFileSync(path.join(dir, 'plain.csv'), 'utf8')).not.toContain('ultrasound');
  });

  it('refuses a pixelCleaning that is empty, too long, not text or holds a control character, before writing anything', async () => {
    const { store } = await openFresh();
    const batchId = await store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const problem = 'has a pixelCleaning that is not a text of 1 to 300 characters without control characters';
    for (const pixelCleaning of ['', 'x'.repeat(301), 'two\nlines', 'tab\there', 'del\u007f', 'c1\u0085', 42 as unknown as string]) {
      await expect(store.record([sample(batchId, 1), sample(batchId, 2, { pixelCleaning })]), JSON.stringify(pixelCleaning)).rejects.toThrow(
        new MappingStoreError(store.location, `cannot record files: record 1 ${problem}`),
      );
    }
    expect(await store.records()).toEqual([]);
  });

  it('counts the files processed on the local day of `now`', async () => {
    const { store } = await openFresh();
    const batchId = await store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    const now = new Date();
    const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();
    await store.record([sample(batchId, 1, { processedAt: at(0) }), sample(batchId, 2, { processedAt: at(0) }), sample(batchId, 3, { processedAt: at(-36) }), sample(batchId, 4, { processedAt: at(36) })]);
    expect(await store.countToday(now)).toBe(2);
    expect(await store.countToday(new Date(now.getTime() - 36 * 3_600_000))).toBe(1);
  });

  it('keeps everything when reopened (the schema is not made twice), and close() twice is harmless', async () => {
    const { store, config } = await openFresh();
    const batchId = await store.startBatch({ source: 'cli', options: { dates: 'keep' }, profile: 'research' });
    const records = [sample(batchId, 1), sample(batchId, 2)];
    await store.record(records);
    await store.close();
    await store.close();

    const again = await openMappingStore(config);
    open.push(again);
    expect(again.location).toBe(store.location);
    expect(await again.records()).toEqual(records.map(readBack));
    expect(await again.batches()).toMatchObject([{ id: batchId, profile: 'research', fileCount: 2 }]);
  });

  it('writes the same CSV exports from either store', async () => {
    const { store } = await openFresh();
    const batchId = await store.startBatch({ source: 'cli', options: {}, profile: 'basic' });
    await store.record([sample(batchId, 1), sample(batchId, 2), sample(batchId, 3, { originalFilename: 'quote "and", comma.dcm' })]);
    const dir = mkdtempSync(path.join(root, 'csv-'));
    await writeMappingCsv(await store.records(), path.join(dir, 'mapping.csv'));
    await writeIdPairsCsv(await store.uidPairs(), path.join(dir, 'uids.csv'));
    expect(readFileSync(path.join(dir, 'mapping.csv'), 'utf8')).toBe(
      [
        'Original Filename,Anonymized Filename,Original Patient ID,Anonymized ID,Tags Anonymized,UIDs Regenerated',
        '"Müller, Hans 1.dcm",ANON-00001.dcm,PID-1,ANON-PAT1,PatientName,StudyInstanceUID',
        '"Müller, Hans 2.dcm",ANON-00002.dcm,PID-2,ANON-PAT2,PatientName;PatientID,StudyInstanceUID;SeriesInstanceUID',
        '"quote ""and"", comma.dcm",ANON-00003.dcm,PID-3,ANON-PAT3,PatientName;PatientID;StudyDate,StudyInstanceUID;SeriesInstanceUID;SOPInstanceUID',
        '',
      ].join('\n'),
    );
    expect(readFileSync(path.join(dir, 'uids.csv'), 'utf8').split('\n')).toHaveLength(1 + 4 + 1);
  });

  it('loses nothing when four processes open a new store and write at the same moment', async () => {
    const config = await kind().fresh();
    const dir = mkdtempSync(path.join(root, 'writers-'));
    const script = path.join(dir, 'writer.mts');
    writeFileSync(
      script,
      `import { readdirSync, writeFileSync } from 'node:fs';
import { openMappingStore } from ${JSON.stringify(OPEN_MODULE)};
const [config, label, ready, count] = process.argv.slice(2);
// Start together: each announces itself, then waits for all the others.
writeFileSync(ready + '/' + label, '');
while (readdirSync(ready).length < Number(count)) {}
const store = await openMappingStore(JSON.parse(config));
const batchId = await store.startBatch({ source: 'cli', options: { label }, profile: 'basic' });
for (let call = 0; call < 25; call++) {
  await store.record(Array.from({ length: 20 }, (_, i) => ({
    batchId, processedAt: new Date().toISOString(), originalFilename: label + '-' + (call * 20 + i),
    anonymizedFilename: 'a', originalPatientId: 'p', anonymizedPatientId: 'q', tagsAnonymized: ['PatientID', label], uidsRegenerated: ['SOPInstanceUID'],
    uidPairs: [{ original: '1.2.3', anonymized: '2.25.3' }, { original: '1.2.3.' + label + '.' + (call * 20 + i), anonymized: '2.25.4.' + (call * 20 + i) }],
  })));
}
await store.close();
`,
    );
    const ready = path.join(dir, 'ready');
    mkdirSync(ready);
    const labels = ['w0', 'w1', 'w2', 'w3'];
    const results = await Promise.all(labels.map((label) => runScript(script, [JSON.stringify(config), label, ready, String(labels.length)])));
    expect(results.map(({ code, stderr }) => ({ code, stderr }))).toEqual(labels.map(() => ({ code: 0, stderr: '' })));

    const store = await openMappingStore(config);
    open.push(store);
    const records = await store.records();
    expect(records).toHaveLength(2000);
    for (const label of labels) {
      const names = records.filter((record) => record.originalFilename.startsWith(`${label}-`)).map((record) => record.originalFilename);
      expect(names).toEqual(Array.from({ length: 500 }, (_, index) => `${label}-${index}`));
    }
    const batches = await store.batches();
    expect(batches.map((batch) => batch.fileCount)).toEqual([500, 500, 500, 500]);
    for (const batch of batches) expect(await store.uidPairs({ batchId: batch.id })).toHaveLength(501);
  });
}

describe('the mapping store contract: SQLite', () => {
  contract(() => sqlite);
});

describe.skipIf(!postgresAvailable())('the mapping store contract: PostgreSQL', () => {
  const database = usePostgres();
  const kind = postgresKind(database);
  contract(() => kind);

  describe('PostgreSQL only', () => {
    it('keeps the schema version, and refuses a database a newer dicom-tools migrated', async () => {
      const url = await database.fresh();
      const store = await openMappingStore({ dataDir: root, mappingUrl: url });
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        expect((await client.query('SELECT version FROM dicom_tools_schema')).rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
        await client.query('UPDATE dicom_tools_schema SET version = 99');
      } finally {
        await client.end();
      }
      const error = await rejection(openMappingStore({ dataDir: root, mappingUrl: url }));
      expect(error).toBeInstanceOf(MappingStoreError);
      expect((error as Error).message).toMatch(
        new RegExp(`^postgres://\\S+: the mapping store has schema version 99, written by a newer dicom-tools \\(this one knows up to version ${POSTGRES_SCHEMA_VERSION}\\); update dicom-tools$`),
      );
    });

    it('migrates a store of schema version 4 (no pixel cleaning): keeps its rows, and records the pixel cleaning of new ones', async () => {
      const url = await database.fresh();
      // The store as a dicom-tools of schema version 4 left it: its migrations, a batch and two files.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const batchId = 'b-20240501T120000Z-0123456789ab';
      try {
        for (const migration of POSTGRES_MIGRATIONS.slice(0, 4)) await client.query(migration);
        await client.query('CREATE TABLE dicom_tools_schema (version integer NOT NULL)');
        await client.query('INSERT INTO dicom_tools_schema (version) VALUES (4)');
        await client.query("INSERT INTO batches (id, started_at, source, options, profile) VALUES ($1, '2024-05-01T12:00:00.000Z', 'cli', '{}', 'basic')", [batchId]);
        await client.query("INSERT INTO keyword_lists (list) VALUES ('PatientName;PatientID'), ('SOPInstanceUID')");
        for (const { name, anonymized, uploadId } of [
          { name: 'Old 1.dcm', anonymized: '2.25.1.dcm', uploadId: null },
          { name: 'Old 2.dcm', anonymized: '2.25.2.dcm', uploadId: 'u-3f9a1c02' },
        ]) {
          await client.query(
            `INSERT INTO files (batch_id, processed_at, original_filename, anonymized_filename, original_patient_id, anonymized_patient_id,
              tags_anonymized, uids_regenerated, tags_anonymized_list, uids_regenerated_list, upload_id)
              VALUES ($1, '2024-05-01T12:00:01.000Z', $2, $3, 'OLD-PID', 'ANON-OLD', 2, 1,
                (SELECT id FROM keyword_lists WHERE list = 'PatientName;PatientID'), (SELECT id FROM keyword_lists WHERE list = 'SOPInstanceUID'), $4)`,
            [batchId, name, anonymized, uploadId],
          );
        }
      } finally {
        await client.end();
      }

      const store = await openMappingStore({ dataDir: root, mappingUrl: url });
      try {
        const old = await store.records();
        const oldFile = { batchId, processedAt: '2024-05-01T12:00:01.000Z', originalPatientId: 'OLD-PID', anonymizedPatientId: 'ANON-OLD' };
        const lists = { tagsAnonymized: ['PatientName', 'PatientID'], uidsRegenerated: ['SOPInstanceUID'] };
        // No pixelCleaning at all: not null (toEqual), not a key holding undefined (the `in` check).
        expect(old).toEqual([
          { ...oldFile, originalFilename: 'Old 1.dcm', anonymizedFilename: '2.25.1.dcm', ...lists },
          { ...oldFile, originalFilename: 'Old 2.dcm', anonymizedFilename: '2.25.2.dcm', ...lists, uploadId: 'u-3f9a1c02' },
        ]);
        expect(old.some((file) => 'pixelCleaning' in file)).toBe(false);
        const fresh = [sample(batchId, 3, { pixelCleaning: 'outside the 2 ultrasound regions' }), sample(batchId, 4)];
        await store.record(fresh);
        expect(await store.records()).toEqual([...old, ...fresh.map(readBack)]);
      } finally {
        await store.close();
      }
      const check = new pg.Client({ connectionString: url });
      await check.connect();
      try {
        expect((await check.query('SELECT version FROM dicom_tools_schema')).rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
        expect((await check.query('SELECT pixel_cleaning FROM files ORDER BY id')).rows.map((row: { pixel_cleaning: string | null }) => row.pixel_cleaning)).toEqual([
          null,
          null,
          'outside the 2 ultrasound regions',
          null,
        ]);
      } finally {
        await check.end();
      }
    });

    it('names an unreachable server without its password', async () => {
      const error = await rejection(openMappingStore({ dataDir: root, mappingUrl: 'postgres://maps:hunter2-secret@127.0.0.1:1/mappings' }));
      expect(error).toBeInstanceOf(MappingStoreError);
      expect((error as Error).message).toBe(
        'postgres://maps@127.0.0.1:1/mappings: cannot open the mapping store: cannot reach the server: the server refused the connection (is PostgreSQL running there?)',
      );
    });
  });
});
