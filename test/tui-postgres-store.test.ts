import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeMappingStore, openMappingStore } from '../src/store/open-mapping-store.js';
import { corpusDir } from './helpers/corpus.js';
import { postgresAvailable, usePostgres } from './helpers/postgres-server.js';
import { HAS_TMUX, TmuxServer } from './helpers/tmux-tui.js';

// The real TUI with --mapping-url on a real PostgreSQL server: the flag wins over
// DICOM_MAPPING_URL, the Configure step names the store, the run records there and the SQLite
// store in the data folder is never made.

const SECRET = 'tui-postgres-secret-0123456789';
const INPUTS = ['fodicom_GH178.dcm', 'fodicom_chrGreek.dcm', 'dcmqats_1_ELE.dcm'];
const root = mkdtempSync(path.join(os.tmpdir(), 'tui-pg-'));
const server = new TmuxServer();

afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!HAS_TMUX || !postgresAvailable())('dicom-tools tui --mapping-url on a PostgreSQL store (tmux)', () => {
  const database = usePostgres();

  it('anonymizes into the PostgreSQL store of the flag, over DICOM_MAPPING_URL, and nothing into SQLite', async () => {
    mkdirSync(path.join(root, 'in'));
    for (const name of INPUTS) copyFileSync(path.join(corpusDir, name), path.join(root, 'in', name));
    // The variable names a server that is not there: a run that used it would fail. fodicom_chrGreek is a
    // secondary capture, so may carry burned-in text: accepted, as this test is about the mapping store.
    server.startTui('pg', root, SECRET, { NO_COLOR: '1', DICOM_MAPPING_URL: 'postgres://nobody@127.0.0.1:1/none', DICOM_BURNED_IN: 'accept' }, { size: [80, 24], args: ['in', '--out', 'out', '--mapping-url', database.url] });
    await server.waitForScreen('pg', 'dcmqats_1_ELE.dcm');
    await server.key('pg', 'a', 'Selected 3 DICOM files.');
    await server.key('pg', 'Tab', 'Options for 3 files (');
    const shown = await server.waitForScreen('pg', 'Mapping store: ');
    // The flag's store (cut in the middle when long), not the variable's.
    const line = shown.split('\n').find((row) => row.startsWith('Mapping store: ')) ?? '';
    const described = await describeMappingStore({ dataDir: path.join(root, 'data'), mappingUrl: database.url });
    expect(described).toMatch(/^PostgreSQL postgres:\/\//);
    expect(line.startsWith(`Mapping store: ${described.slice(0, 30)}`)).toBe(true);
    expect(line.trimEnd().endsWith(described.slice(-20))).toBe(true);
    await server.key('pg', 'Enter', '[3 Anonymize]');
    await server.waitForScreen('pg', 'Done: 3 anonymized, 0 failed in');
    await server.key('pg', 'q', 'exit status 0');

    const outputs = readdirSync(path.join(root, 'out')).sort();
    expect(outputs).toHaveLength(3);
    const store = await openMappingStore({ dataDir: path.join(root, 'data'), mappingUrl: database.url });
    try {
      const records = await store.records();
      expect(records.map((record) => record.originalFilename).sort()).toEqual(INPUTS.map((name) => path.join(root, 'in', name)).sort());
      expect(records.map((record) => record.anonymizedFilename).sort()).toEqual(outputs);
      expect((await store.batches()).map((batch) => [batch.source, batch.fileCount])).toEqual([['tui', 3]]);
    } finally {
      await store.close();
    }
    expect(existsSync(path.join(root, 'data', 'mapping.sqlite'))).toBe(false);
  });
});
