import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDaemonStatus, type DaemonStatus } from '../src/status/daemon-status.js';
import { corpusDir } from './helpers/corpus.js';
import { parseCsv } from './helpers/parse-csv.js';
import { copySmallExport } from './helpers/small-export.js';
import { postgresAvailable, usePostgres } from './helpers/postgres-server.js';
import { runCli, runCliAsync } from './helpers/run-cli.js';

// The CLI on either store: the same run gives the same mapping rows, pairs and batches; the
// PostgreSQL URL's password is never printed. The daemon on PostgreSQL: daemon-postgres.test.ts.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-cli-pg-'));
const input = path.join(root, 'in');
const secret = 'a secret for the postgres cli tests, 0123456789';
const PASSWORD = 'hunter2-not-to-be-printed';
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => copySmallExport(input));

/** Environment of a run: its own data folder, and the PostgreSQL URL when given. */
function envOf(name: string, mappingUrl?: string): NodeJS.ProcessEnv {
  return { DICOM_DATA_DIR: path.join(root, `data-${name}`), DICOM_ANON_SECRET: secret, DICOM_MAPPING_URL: mappingUrl ?? '' };
}

/** Anonymizes the inputs, then exports the mapping, UID and patient pairs; returns the three files' text and the batches listing. */
function runAndExport(name: string, env: NodeJS.ProcessEnv, extraArgs: readonly string[] = []) {
  const out = path.join(root, `out-${name}`);
  const anonymized = runCli(['anonymize', input, '--out', out, '--profile', 'research', ...extraArgs], { env });
  expect({ status: anonymized.status, stderr: anonymized.stderr }).toMatchObject({ status: 0 });
  const files = ['mapping', 'uids', 'patients'].map((kind) => path.join(root, `${name}-${kind}.csv`));
  const exported = runCli(['mapping', 'export', '--out', files[0] as string, '--uids', files[1] as string, '--patients', files[2] as string, ...extraArgs], { env });
  expect(exported.status).toBe(0);
  const batches = runCli(['mapping', 'batches', ...extraArgs], { env });
  expect(batches.status).toBe(0);
  return { out, anonymized, csv: files.map((file) => readFileSync(file, 'utf8')), batches: batches.stdout };
}

describe('dicom-tools without a PostgreSQL server', () => {
  it('status names the configured PostgreSQL store without its password, without connecting', () => {
    const result = runCli(['status'], { env: envOf('status', `postgres://maps:${PASSWORD}@db.example.org:6543/mappings`) });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Mapping store: PostgreSQL postgres://maps@db.example.org:6543/mappings\n');
    expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
  });

  it('status names the SQLite file when no URL is set', () => {
    const result = runCli(['status'], { env: envOf('status-sqlite') });
    expect(result.stdout).toContain(`Mapping store: SQLite ${path.join(root, 'data-status-sqlite', 'mapping.sqlite')}\n`);
  });

  it('status --json names the configured PostgreSQL store without its password, and no daemon as null', () => {
    const result = runCli(['status', '--json'], { env: envOf('status-json', `postgres://maps:${PASSWORD}@db.example.org:6543/mappings`) });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ daemon: null, mappingStore: 'PostgreSQL postgres://maps@db.example.org:6543/mappings' });
    expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
    expect(runCli(['status', '--help']).stdout).toContain('--json   print { "daemon": <the daemon\'s status record, or null when none has run with this');
  });

  it("status --json names the SQLite file when no URL is set, and gives the daemon's record under daemon", () => {
    const dataDir = path.join(root, 'data-status-json-sqlite');
    const env = envOf('status-json-sqlite');
    expect(JSON.parse(runCli(['status', '--json'], { env }).stdout)).toEqual({ daemon: null, mappingStore: `SQLite ${path.join(dataDir, 'mapping.sqlite')}` });
    const record: DaemonStatus = {
      pid: process.pid,
      runningSince: '2024-05-01T08:00:00.000Z',
      watchedFolder: '/srv/dicom/incoming',
      queueLength: 2,
      doneToday: 7,
      quarantined: 1,
      mappingStore: 'PostgreSQL postgres://maps@db.example.org:6543/mappings',
      storeWaitingSince: '2024-05-01T09:00:00.000Z',
      lastError: null,
      state: 'running',
      updatedAt: '2024-05-01T09:00:05.000Z',
    };
    writeDaemonStatus(dataDir, record);
    const result = runCli(['status', '--json'], { env });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ daemon: record, mappingStore: `SQLite ${path.join(dataDir, 'mapping.sqlite')}` });
  });

  it('anonymize with an unreachable server: one clear error naming the store, no password, exit 1, nothing recorded elsewhere', () => {
    const url = `postgres://maps:${PASSWORD}@127.0.0.1:1/mappings`;
    const out = path.join(root, 'out-unreachable');
    for (const [args, env] of [
      [[], envOf('unreachable', url)],
      [['--mapping-url', url], envOf('unreachable')],
    ] as const) {
      const result = runCli(['anonymize', input, '--out', out, ...args], { env });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('postgres://maps@127.0.0.1:1/mappings: cannot open the mapping store: cannot reach the server: the server refused the connection');
      expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
    }
    expect(readdirSync(out)).toEqual([]);
    expect(existsSync(path.join(root, 'data-unreachable', 'mapping.sqlite'))).toBe(false);
  });

  it('refuses a DICOM_MAPPING_URL that is not a PostgreSQL URL, without quoting it', () => {
    const result = runCli(['mapping', 'batches'], { env: envOf('bad-url', `mysql://maps:${PASSWORD}@db/x`) });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('DICOM_MAPPING_URL must be a postgres:// or postgresql:// URL');
    expect(result.stderr).not.toContain(PASSWORD);
  });
});

describe.skipIf(!postgresAvailable())('dicom-tools on a PostgreSQL mapping store', () => {
  const database = usePostgres();

  it('anonymize then mapping export give the same rows, pairs and batches as on SQLite', () => {
    const onSqlite = runAndExport('sqlite', envOf('sqlite'));
    const onPostgres = runAndExport('postgres', envOf('postgres', database.url));
    expect(onPostgres.anonymized.stderr).toContain('Anonymized 3 files into');
    expect(readdirSync(onPostgres.out).sort()).toEqual(readdirSync(onSqlite.out).sort());
    // The run stored nothing in SQLite.
    expect(existsSync(path.join(root, 'data-postgres', 'mapping.sqlite'))).toBe(false);
    expect(existsSync(path.join(root, 'data-sqlite', 'mapping.sqlite'))).toBe(true);
    const rows = (csv: string) => csv.split('\n').filter((line) => line !== '').sort();
    for (const [index, csv] of onPostgres.csv.entries()) expect(rows(csv)).toEqual(rows(onSqlite.csv[index] as string));
    expect(rows(onPostgres.csv[0] as string)).toHaveLength(4);
    const batchLine = (listing: string) => listing.trim().split('\n').map((line) => line.split('\t').slice(2));
    expect(batchLine(onPostgres.batches)).toEqual([['cli', '3', expect.stringContaining('research')]]);
    expect(batchLine(onPostgres.batches)).toEqual(batchLine(onSqlite.batches));
  });

  it("two shards run at once into one store give the whole run's outputs byte for byte and its mapping rows on SQLite", async () => {
    const url = await database.fresh();
    const whole = runAndExport('whole', envOf('whole'));
    const shards = await Promise.all(
      [1, 2].map((index) => runCliAsync(['anonymize', input, '--out', path.join(root, `out-shard-${index}`), '--profile', 'research', '--shard', `${index}/2`], envOf(`shard-${index}`, url))),
    );
    for (const shard of shards) expect({ status: shard.status, stderr: shard.stderr }).toMatchObject({ status: 0 });
    const outputs = [1, 2].flatMap((index) => readdirSync(path.join(root, `out-shard-${index}`)).map((name) => [name, path.join(root, `out-shard-${index}`, name)] as const));
    expect(outputs.map(([name]) => name).sort()).toEqual(readdirSync(whole.out).sort());
    // Each shard has at least one file, so the store really took two writers.
    expect([1, 2].map((index) => readdirSync(path.join(root, `out-shard-${index}`)).length).every((count) => count > 0)).toBe(true);
    for (const [name, file] of outputs) expect(readFileSync(file).equals(readFileSync(path.join(whole.out, name)))).toBe(true);
    const exported = path.join(root, 'shards-mapping.csv');
    expect(runCli(['mapping', 'export', '--out', exported], { env: envOf('shards', url) }).status).toBe(0);
    const rows = (csv: string) => csv.split('\n').filter((line) => line !== '').sort();
    expect(rows(readFileSync(exported, 'utf8'))).toEqual(rows(whole.csv[0] as string));
    const batches = runCli(['mapping', 'batches'], { env: envOf('shards', url) }).stdout.trim().split('\n');
    expect(batches).toHaveLength(2);
  });

  it('mapping export --pixels gives the Pixel Cleaning of each file as on SQLite: the ultrasound regions, and empty for a CT', async () => {
    const url = await database.fresh();
    const ultrasound = path.join(corpusDir, 'dicomparser_IM00001.implicit_little_endian.dcm');
    const ct = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
    const pixelCells = (name: string, env: NodeJS.ProcessEnv) => {
      const anonymized = runCli(['anonymize', ultrasound, ct, '--out', path.join(root, `out-${name}`), '--option', 'clean-pixel-data'], { env });
      expect({ status: anonymized.status, stderr: anonymized.stderr }).toMatchObject({ status: 0 });
      const csv = path.join(root, `${name}-mapping.csv`);
      expect(runCli(['mapping', 'export', '--out', csv, '--pixels'], { env }).status).toBe(0);
      const [header, ...rows] = parseCsv(readFileSync(csv, 'utf8'));
      return { header: header?.[6], cells: new Map(rows.map((row) => [row[0], row[6]])) };
    };
    const onPostgres = pixelCells('pixels-postgres', envOf('pixels-postgres', url));
    expect(onPostgres).toEqual({
      header: 'Pixel Cleaning',
      cells: new Map([
        [ultrasound, 'outside the 2 ultrasound regions'],
        [ct, ''],
      ]),
    });
    expect(existsSync(path.join(root, 'data-pixels-postgres', 'mapping.sqlite'))).toBe(false);
    expect(pixelCells('pixels-sqlite', envOf('pixels-sqlite'))).toEqual(onPostgres);
  });

  it('--mapping-url selects the store over DICOM_MAPPING_URL, and verify --mapping finds the originals there', async () => {
    const url = await database.fresh();
    const { out } = runAndExport('flag', envOf('flag', 'postgres://nobody@127.0.0.1:1/none'), ['--mapping-url', url]);
    const verified = runCli(['verify', out, '--mapping', '--mapping-url', url, '--profile', 'research'], { env: envOf('flag') });
    expect(verified.stderr).toContain('Verified 3 files: no findings.');
    expect(verified.status).toBe(0);
    const unknown = runCli(['verify', out, '--mapping', '--profile', 'research'], { env: envOf('flag-sqlite') });
    expect(unknown.stdout).toContain('not in the mapping store');
  });
});
