// `anonymize --shard K/N`: N separate processes, each with its own output folder and mapping
// store, together do exactly what one run over the whole export does.
import { cpSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInputs } from '../src/io/collect-inputs.js';
import { filesInShard, parseShard, partitionKey, ShardSyntaxError } from '../src/pipeline/shard.js';
import { BURNED_IN_ACCEPTED_WARNING } from '../src/pixels/burned-in-risk.js';
import { corpusDir } from './helpers/corpus.js';
import { parseCsv } from './helpers/parse-csv.js';
import { generatePlantedStudy } from './helpers/planted-study.js';
import { runCli, runCliAsync, type CliResult } from './helpers/run-cli.js';

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

const root = mkdtempSync(path.join(tmpdir(), 'dicom-shard-'));
const study = path.join(root, 'export', 'study');
/** A file named on the command line besides the folder, as its second PATH. */
const named = path.join(root, 'export', 'extra', 'named.dcm');
const secret = { DICOM_ANON_SECRET: 'a secret the shard tests share, 0123456789' };
const COUNT = 3;
// The export holds planted studies (secondary capture device attributes filled) and secondary captures
// from the corpus, all at risk of burned-in text: accepted, as this test is about sharding.
const ACCEPT = ['--burned-in', 'accept'];
/** What an accepting run says on stderr, once. */
const ACCEPTED_WARNING = `dicom-tools anonymize: warning: ${BURNED_IN_ACCEPTED_WARNING}\n`;
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  readonly out: string;
  readonly data: string;
  readonly result: CliResult;
  readonly report: { batchId: string; anonymized: number; skipped: number; failed: number; shard: unknown; files: { input: string; output?: string }[] };
}

async function anonymize(inputs: readonly string[], name: string, extra: readonly string[] = []): Promise<Run> {
  const out = path.join(root, 'runs', name, 'out');
  const data = path.join(root, 'runs', name, 'data');
  const result = await runCliAsync(['anonymize', ...inputs, '--out', out, '--json', ...ACCEPT, ...extra], { ...secret, DICOM_DATA_DIR: data });
  expect(result.stderr).toBe(ACCEPTED_WARNING);
  expect(result.status).toBe(0);
  return { out, data, result, report: JSON.parse(result.stdout) as Run['report'] };
}

/** The mapping CSV's rows, from `mapping export` of the run's store (beside its data folder, which takes no export), header first. */
function mappingRows(run: Pick<Run, 'data'>, batch?: string): string[][] {
  const csv = `${run.data}-export-${batch ?? 'all'}.csv`;
  const result = runCli(['mapping', 'export', '--out', csv, '--force', ...(batch ? ['--batch', batch] : [])], { env: { ...secret, DICOM_DATA_DIR: run.data } });
  expect(result.status).toBe(0);
  return parseCsv(readFileSync(csv, 'utf8'));
}

const listing = (dir: string) => readdirSync(dir).sort();
const sorted = (rows: readonly string[][]) => rows.map((row) => JSON.stringify(row)).sort();

beforeAll(async () => {
  // Two planted series in nested folders (15 files) and real corpus files, one with a non-ASCII folder name.
  await generatePlantedStudy(path.join(study, 'series1'), { files: 8, seed: 'SA' });
  await generatePlantedStudy(path.join(study, 'series2', 'echo'), { files: 7, seed: 'SB', withoutExtension: true });
  const corpus = ['fodicom_chrH32.dcm', 'fodicom_chrGreek.dcm', 'fodicom_chrRuss.dcm', 'fodicom_chrX1.dcm', 'dcmqats_2_ILE.dcm', 'dicomparser_report_dfl.dcm'];
  for (const [index, name] of corpus.entries()) {
    const folder = path.join(study, 'corpus', index % 2 === 0 ? 'Müller' : 'other');
    mkdirSync(folder, { recursive: true });
    copyFileSync(path.join(corpusDir, name), path.join(folder, name));
  }
  writeFileSync(path.join(study, 'corpus', 'notes.txt'), 'not DICOM: collected, then skipped\n');
  mkdirSync(path.dirname(named), { recursive: true });
  copyFileSync(path.join(corpusDir, 'fodicom_chrX2.dcm'), named);
});

describe('anonymize --shard K/N over one export', () => {
  let whole: Run;
  let shards: Run[];
  beforeAll(async () => {
    const inputs = [study, named];
    [whole, ...shards] = await Promise.all([
      anonymize(inputs, 'whole'),
      ...Array.from({ length: COUNT }, (_, index) => anonymize(inputs, `shard${index + 1}`, ['--shard', `${index + 1}/${COUNT}`])),
    ]);
  }, 120_000);

  it('puts every output of the whole run in exactly one shard, byte for byte', () => {
    const all = listing(whole.out);
    expect(all).toHaveLength(15 + 6 + 1);
    const owners = new Map<string, number>();
    for (const [index, shard] of shards.entries()) {
      const names = listing(shard.out);
      expect(names.length).toBeGreaterThan(0); // 22 files over 3 shards: none is empty with this hash
      for (const name of names) {
        expect(owners.has(name), `${name} is in two shards`).toBe(false);
        owners.set(name, index);
        expect(readFileSync(path.join(shard.out, name)).equals(readFileSync(path.join(whole.out, name))), name).toBe(true);
      }
    }
    expect([...owners.keys()].sort()).toEqual(all);
  });

  it('gives the union of the shards\' mapping rows as the whole run\'s rows', () => {
    const [header, ...rows] = mappingRows(whole);
    const shardRows = shards.flatMap((shard) => {
      const [shardHeader, ...own] = mappingRows(shard);
      expect(shardHeader).toEqual(header);
      return own;
    });
    expect(rows).toHaveLength(22);
    expect(sorted(shardRows)).toEqual(sorted(rows));
  });

  it('reports which shard ran and how many of the collected files were in it', () => {
    expect(whole.report.shard).toBeNull();
    const collected = 15 + 6 + 1 + 1; // the notes file is collected, then skipped by the shard it falls in
    let inShards = 0;
    for (const [index, shard] of shards.entries()) {
      const { files } = shard.report.shard as { files: number };
      expect(shard.report.shard).toEqual({ index: index + 1, count: COUNT, files, collected });
      expect(shard.report.files).toHaveLength(files);
      inShards += files;
    }
    expect(inShards).toBe(collected);
    expect(shards.reduce((sum, shard) => sum + shard.report.skipped, 0)).toBe(whole.report.skipped);
  });

  it('says so in the text summary', async () => {
    const result = await runCliAsync(['anonymize', study, named, '--out', path.join(root, 'runs', 'text', 'out'), '--shard', '2/3', ...ACCEPT], { ...secret, DICOM_DATA_DIR: path.join(root, 'runs', 'text', 'data') });
    expect(result.status).toBe(0);
    const files = (shards[1]?.report.shard as { files: number }).files;
    expect(result.stderr).toContain(`Shard 2/3: ${files} of the 23 files collected.`);
  });

  it('records the shard with the batch\'s options in the mapping store', () => {
    for (const [index, shard] of [whole, ...shards].entries()) {
      const db = new Sqlite(path.join(shard.data, 'mapping.sqlite'), { readonly: true });
      try {
        const options = JSON.parse(db.prepare('SELECT options FROM batches WHERE id = ?').pluck().get(shard.report.batchId) as string) as { shard?: string };
        expect(options.shard).toBe(index === 0 ? undefined : `${index}/${COUNT}`);
      } finally {
        db.close();
      }
    }
  });

  it('partitions a copy of the export at another absolute path the same way', async () => {
    const copy = path.join(root, 'mounted', 'elsewhere', 'deeper');
    cpSync(path.join(root, 'export'), copy, { recursive: true });
    const copyInputs = [path.join(copy, 'study'), path.join(copy, 'extra', 'named.dcm')];
    const relative = (inputs: readonly string[], base: string) => inputs.map((input) => path.relative(base, input));
    // Every shard, by the engine's own collection (fast), and one shard end to end.
    for (let index = 1; index <= COUNT; index++) {
      const original = filesInShard(collectInputs([study, named]).files, [study, named], { index, count: COUNT }).map((file) => file.path);
      const copied = filesInShard(collectInputs(copyInputs).files, copyInputs, { index, count: COUNT }).map((file) => file.path);
      expect(relative(copied, copy)).toEqual(relative(original, path.join(root, 'export')));
    }
    const run = await anonymize(copyInputs, 'copy-shard2', ['--shard', `2/${COUNT}`]);
    expect(listing(run.out)).toEqual(listing(shards[1]?.out ?? ''));
    expect(relative(run.report.files.map((file) => file.input), copy)).toEqual(relative(shards[1]?.report.files.map((file) => file.input) ?? [], path.join(root, 'export')));
  }, 60_000);

  it('gives the same outputs and mapping when a shard is run again into the same folder', async () => {
    const first = shards[2] as Run;
    const before = new Map(listing(first.out).map((name) => [name, readFileSync(path.join(first.out, name))]));
    rmSync(path.join(first.out, [...before.keys()][0] ?? ''));
    const again = await runCliAsync(['anonymize', study, named, '--out', first.out, '--json', '--shard', `3/${COUNT}`, ...ACCEPT], { ...secret, DICOM_DATA_DIR: first.data });
    expect(again.status).toBe(0);
    expect(listing(first.out)).toEqual([...before.keys()]);
    for (const [name, bytes] of before) expect(readFileSync(path.join(first.out, name)).equals(bytes), name).toBe(true);
    const batchId = (JSON.parse(again.stdout) as Run['report']).batchId;
    expect(sorted(mappingRows(first, batchId))).toEqual(sorted(mappingRows(first, first.report.batchId)));
  }, 60_000);
});

describe('a malformed --shard', () => {
  it.each(['0/3', '4/3', 'a/b', '3', '1/0', '', ' 1/3', '1/3/3', '1.5/3', '2/3x', '99999999999999999999/99999999999999999999'])('%j is a usage error, and nothing is written', (value) => {
    const run = path.join(root, 'bad', `${Math.random()}`);
    const result = runCli(['anonymize', study, '--out', path.join(run, 'out'), '--shard', value], { env: { ...secret, DICOM_DATA_DIR: path.join(run, 'data') } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^dicom-tools anonymize: --shard /);
    expect(existsSync(run)).toBe(false);
  });

  it('names the rule the value breaks', () => {
    const message = (value: string) => {
      try {
        parseShard(value);
      } catch (error) {
        expect(error).toBeInstanceOf(ShardSyntaxError);
        return (error as Error).message;
      }
      throw new Error(`${value} was accepted`);
    };
    expect(message('0/3')).toContain('K counts from 1');
    expect(message('4/3')).toContain('K must be at most N (the last of 3 shards is 3/3)');
    expect(message('1/0')).toContain('N, the number of shards, must be at least 1');
    expect(message('3')).toContain('two whole numbers such as 2/3');
    expect(parseShard('3/3')).toEqual({ index: 3, count: 3 });
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
  });
});

describe('the partition key', () => {
  it('is the PATH\'s position and the path below it with "/" separators; a named file has its base name', () => {
    const roots = ['/mnt/a/study', '/srv/b/extra/named.dcm'];
    expect(partitionKey({ path: '/mnt/a/study/series2/echo/IM1', named: false, root: 0 }, roots)).toBe('1:series2/echo/IM1');
    expect(partitionKey({ path: '/srv/b/extra/named.dcm', named: true, root: 1 }, roots)).toBe('2:named.dcm');
  });

  it('spreads folders of like layout (one DICOM/IM000001 per CD) over the shards', () => {
    const cds = Array.from({ length: 30 }, (_, index) => `/media/cd${index}`);
    const files = cds.map((cd, index) => ({ path: `${cd}/DICOM/IM000001`, named: false, root: index }));
    const sizes = Array.from({ length: COUNT }, (_, index) => filesInShard(files, cds, { index: index + 1, count: COUNT }).length);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(30);
    for (const size of sizes) expect(size).toBeGreaterThanOrEqual(4);
  });
});
