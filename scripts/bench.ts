// npm run bench [-- --tiny] [--keep] [--only=W1,W2,W3,daemon,stores,W4,ocr,burst] [--no-postgres] [--rounds=N]
// Generates realistic workloads in a temporary folder; on each, times cp -r, cp -r + sync, a
// minimal atomic copy in Node.js (scripts/node-atomic-copy.mjs) and `dicom-tools anonymize` in
// paired rounds (warm page cache), verifies the outputs, and prints the median wall time with its
// range, files/s, MB/s, peak resident memory and the ratio to cp; then drops W1 into a running
// watch daemon (on each store). On W1 and W2 it also times `anonymize` recording into PostgreSQL (a server of
// DICOM_BENCH_POSTGRES_URL, else a throwaway cluster of the installed PostgreSQL) against the
// SQLite store. `stores` in --only keeps only the two anonymize rows; --no-postgres drops the
// PostgreSQL one. W4 (ultrasound files, `anonymize --option clean-pixel-data`) and the OCR row
// run only when named in --only: the default set stays the one earlier figures were taken with.
// So does `burst` (issue 21): W1 and W2 each renamed at once into a running watch daemon's Sources
// (scripts/daemon-burst.ts), timed in the same rounds as cp -r, cp -r + sync and `anonymize` of
// the same folder, on each store.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeHeader } from '../src/dicom/encode-value.js';
import { encodeNew } from '../src/dicom/encode-element.js';
import { isPixelDataTag, openMappingStore, readDicomFile, textAt, type Tag, type Vr } from '../src/index.js';
import { benchOcr } from './bench-ocr.js';
import { checkUltrasoundOutputs, generateUltrasound } from './bench-ultrasound.js';
import { daemonBurstContender } from './daemon-burst.js';
import { measure, type Contender, type Run } from './measure-run.js';
import { createDatabase, dropDatabases, onServer, postgresBin, ThrowawayCluster, withDatabase } from './throwaway-postgres.js';

const CLI = fileURLToPath(new URL('../dist/bin/dicom-tools.js', import.meta.url));
const NODE_ATOMIC_COPY = fileURLToPath(new URL('./node-atomic-copy.mjs', import.meta.url));
const args = process.argv.slice(2);
const tiny = args.includes('--tiny');
const keep = args.includes('--keep');
const onlyList = args.find((arg) => arg.startsWith('--only='))?.slice(7).split(',');
/** `stores`: on each workload only the anonymize rows, SQLite and PostgreSQL (on W1 and W2 unless others are named). */
const storesOnly = onlyList?.includes('stores') ?? false;
/** `burst`: W1 and W2 renamed at once into the watch daemon, beside cp -r, cp -r + sync and anonymize (rows of their own). */
const burst = onlyList?.includes('burst') ?? false;
const only = onlyList === undefined ? ['W1', 'W2', 'W3', 'daemon'] : storesOnly && onlyList.length === 1 ? ['W1', 'W2'] : onlyList;
const noPostgres = args.includes('--no-postgres');
/** The workloads that also get an `anonymize (PostgreSQL)` row: the many-file ones, where the store's share of the time shows. */
const POSTGRES_WORKLOADS = new Set(['W1', 'W2']);
const MiB = 1 << 20;
/** Rounds per workload (--rounds=N); medians are reported (this machine's timing varies a lot from run to run). */
const ROUNDS = Number(args.find((arg) => arg.startsWith('--rounds='))?.slice(9) ?? (tiny ? 1 : 5));
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds must be a whole number from 1');

// ---------------------------------------------------------------- workload generation

const EXPLICIT = { explicitVr: true, littleEndian: true } as const;
const el = (tag: Tag, vr: Vr, value: Parameters<typeof encodeNew>[2]) => encodeNew(tag, vr, value, { encoding: EXPLICIT, characterSet: ['ISO_IR 100'] });

/** A realistic CT header: patient, study, institution, dates, nested sequences, a private block with a private sequence. */
function header(index: number, study: string, rows: number, columns: number, frames: number, patient: number): Buffer {
  const sop = `1.2.826.0.1.3680043.10.543.${study}.${index}`;
  const meta = Buffer.concat([
    el(0x00020001, 'OB', Uint8Array.of(0, 1)),
    el(0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
    el(0x00020003, 'UI', sop),
    el(0x00020010, 'UI', '1.2.840.10008.1.2.1'),
    el(0x00020012, 'UI', '1.2.826.0.1.3680043.10.543'),
    el(0x00020016, 'AE', 'CT_SCANNER_7'),
  ]);
  const reference = { items: [[{ tag: 0x00081150, vr: 'UI' as Vr, value: '1.2.840.10008.5.1.4.1.1.2' }, { tag: 0x00081155, vr: 'UI' as Vr, value: `1.2.826.0.1.3680043.10.543.${study}.${Math.max(1, index - 1)}` }]] };
  const dataSet = Buffer.concat([
    el(0x00080005, 'CS', 'ISO_IR 100'),
    el(0x00080008, 'CS', ['ORIGINAL', 'PRIMARY', 'AXIAL']),
    el(0x00080012, 'DA', '20240611'),
    el(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
    el(0x00080018, 'UI', sop),
    el(0x00080020, 'DA', '20240611'),
    el(0x00080030, 'TM', '101500'),
    el(0x00080050, 'SH', `ACC${String(patient).padStart(8, '0')}`),
    el(0x00080060, 'CS', 'CT'),
    el(0x00080070, 'LO', 'Bench Medical Systems'),
    el(0x00080080, 'LO', 'St. Example Hospital'),
    el(0x00080081, 'ST', '1 Hospital Road, Exampletown'),
    el(0x00080090, 'PN', 'Referrer^Rita^^Dr.'),
    el(0x00081010, 'SH', 'CTROOM7'),
    el(0x00081030, 'LO', 'CT THORAX WITH CONTRAST'),
    el(0x00081070, 'PN', 'Operator^Otto'),
    el(0x00081140, 'SQ', reference),
    el(0x00100010, 'PN', `Patient${patient}^Bench^Middle`),
    el(0x00100020, 'LO', `PID-${String(patient).padStart(7, '0')}`),
    el(0x00100030, 'DA', '19620304'),
    el(0x00100040, 'CS', 'F'),
    el(0x00101010, 'AS', '062Y'),
    el(0x00101040, 'LO', '22 Example Street, Exampletown'),
    el(0x00180050, 'DS', '0.625'),
    el(0x00180060, 'DS', '120'),
    el(0x00190010, 'LO', 'BENCH PRIVATE'),
    el(0x00191001, 'LO', `Patient${patient} private copy`),
    el(0x00191002, 'SQ', { items: [[{ tag: 0x00100010, vr: 'PN', value: `Patient${patient}^Nested` }, { tag: 0x00080080, vr: 'LO', value: 'Nested Hospital' }]] }),
    el(0x0020000d, 'UI', `1.2.826.0.1.3680043.10.543.${study}`),
    el(0x0020000e, 'UI', `1.2.826.0.1.3680043.10.543.${study}.1`),
    el(0x00200010, 'SH', `S${study}`),
    el(0x00200013, 'IS', String(index)),
    el(0x00200032, 'DS', ['-250', '-250', String(-index * 0.625)]),
    el(0x00200052, 'UI', `1.2.826.0.1.3680043.10.543.${study}.9`),
    el(0x00280002, 'US', [1]),
    el(0x00280004, 'CS', 'MONOCHROME2'),
    ...(frames > 1 ? [el(0x00280008, 'IS', String(frames))] : []),
    el(0x00280010, 'US', [rows]),
    el(0x00280011, 'US', [columns]),
    el(0x00280100, 'US', [16]),
    el(0x00280101, 'US', [12]),
    el(0x00280102, 'US', [11]),
    el(0x00280103, 'US', [0]),
  ]);
  const groupLength = el(0x00020000, 'UL', [meta.length]);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, meta, dataSet]);
}

function pixelChunk(seed: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let state = (seed * 2654435761) >>> 0;
  for (let offset = 0; offset + 4 <= size; offset += 4) {
    state = (state * 1664525 + 1013904223) >>> 0;
    bytes.writeUInt32LE(state & 0x0fff0fff, offset);
  }
  return bytes;
}

/** Writes one file: header, Pixel Data (OW) of `pixelBytes`, streamed in chunks. */
function writeInstance(file: string, head: Buffer, pixelBytes: number, seed: number): void {
  const fd = openSync(file, 'w');
  writeSync(fd, head);
  writeSync(fd, encodeHeader(0x7fe00010, 'OW', pixelBytes, EXPLICIT));
  const chunk = pixelChunk(seed, Math.min(pixelBytes, 8 * MiB));
  for (let done = 0; done < pixelBytes; done += chunk.length) writeSync(fd, chunk.subarray(0, Math.min(chunk.length, pixelBytes - done)));
  closeSync(fd);
}

interface Workload {
  readonly name: string;
  readonly description: string;
  readonly dir: string;
  readonly files: number;
  readonly bytes: number;
  readonly target: string;
  /** Options of every `anonymize` run (W4 cleans pixels). */
  readonly anonymizeOptions?: readonly string[];
  /** Checks a run's outputs in place of `verify` (W4's pixel data changes); the line to print. */
  readonly check?: (outDir: string) => string;
}

function generate(root: string, name: string, files: number, rows: number, columns: number, frames: number, description: string, target: string): Workload {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (let index = 1; index <= files; index++) {
    const file = path.join(dir, `IM${String(index).padStart(5, '0')}`);
    writeInstance(file, header(index, name.slice(1), rows, columns, frames, index % 40), rows * columns * 2 * frames, index);
    bytes += statSync(file).size;
  }
  return { name, description, dir, files, bytes, target };
}

/** W4: ultrasound files with a text band outside their one region, anonymized with Clean Pixel Data. */
function ultrasoundWorkload(root: string, files: number): Workload {
  const dir = path.join(root, 'W4');
  const started = process.hrtime.bigint();
  const set = generateUltrasound(dir, path.join(root, 'W4-templates'), files);
  console.log(`\nW4 generated in ${fmt(Number(process.hrtime.bigint() - started) / 1e9, 1)} s (one native and one JPEG frame, made once, in every file)`);
  return {
    name: 'W4',
    description: `${files} ultrasound files, 720×960 RGB, half native, half JPEG Baseline, 1 in 10 with 10 frames; anonymize --option clean-pixel-data`,
    dir,
    files,
    bytes: set.bytes,
    target: 'none set; the text band outside the ultrasound region is blanked',
    anonymizeOptions: ['--option', 'clean-pixel-data'],
    check: (outDir) => checkUltrasoundOutputs(set, outDir),
  };
}

// ---------------------------------------------------------------- measuring

/** Flushes dirty pages so that no run pays for the writeback of the one before it. */
function settleDisk(): Promise<void> {
  return new Promise((resolve) => spawn('sync').on('exit', () => resolve()));
}

function warm(dir: string): void {
  for (const name of readdirSync(dir)) readFileSync(path.join(dir, name)).length;
}

function pixelHash(file: string): string {
  const parsed = readDicomFile(file);
  const pixel = parsed.dataSet.find((element) => isPixelDataTag(element.tag));
  if (!pixel) return '';
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(8 * MiB);
  for (let position = pixel.valueOffset; position < pixel.end; ) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, pixel.end - position), position);
    hash.update(buffer.subarray(0, read));
    position += read;
  }
  closeSync(fd);
  return hash.digest('hex');
}

/** Count, pixel data unchanged, identity removed. */
function verify(workload: Workload, outDir: string): string {
  const outputs = readdirSync(outDir).filter((name) => name.endsWith('.dcm'));
  if (outputs.length !== workload.files) throw new Error(`${workload.name}: ${outputs.length} outputs for ${workload.files} inputs`);
  const inputHashes = new Set(readdirSync(workload.dir).map((name) => pixelHash(path.join(workload.dir, name))));
  for (const name of outputs) {
    const file = path.join(outDir, name);
    if (!inputHashes.has(pixelHash(file))) throw new Error(`${workload.name}: pixel data of ${name} differs from every input`);
    const parsed = readDicomFile(file);
    const head = readFileSync(file).subarray(0, Math.min(64 * 1024, statSync(file).size)).toString('latin1');
    if (/Patient\d+|PID-\d|St\. Example|Exampletown|ACC\d{8}/.test(head)) throw new Error(`${workload.name}: identity left in ${name}`);
    if (!(textAt(parsed, [], 0x00100020)[0] ?? '').startsWith('ANON-')) throw new Error(`${workload.name}: no pseudonym in ${name}`);
  }
  return `${outputs.length} outputs verified: pixel data unchanged, identity removed`;
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);

/** Median wall time (with the range), the rates at the median, and the highest peak RSS of any run. */
function row(label: string, width: number, workload: Workload, runs: readonly Run[]): string {
  const seconds = median(runs.map((run) => run.seconds));
  const range = `(${fmt(Math.min(...runs.map((run) => run.seconds)), 2)}–${fmt(Math.max(...runs.map((run) => run.seconds)), 2)})`;
  const peak = Math.max(...runs.map((run) => run.peakRssMiB));
  return `  ${label.padEnd(width)} ${fmt(seconds, 2).padStart(6)} s ${range.padEnd(12)} ${fmt(workload.files / seconds).padStart(8)} files/s ${fmt(workload.bytes / 1e6 / seconds).padStart(7)} MB/s  peak RSS ${fmt(peak).padStart(6)} MiB`;
}

/** Where `anonymize (PostgreSQL)` records: a server on which the benchmark may CREATE DATABASE. */
interface PostgresServer {
  /** What the printout says about it (never the URL: it may hold a password). */
  readonly description: string;
  /** Creates an empty database and resolves with its URL. */
  readonly freshDatabase: () => Promise<string>;
  /** Drops the databases the benchmark made, or stops the throwaway cluster. */
  readonly close: () => Promise<void>;
}

/** The value in the middle: robust against the odd run that this machine makes much faster or slower. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const SQLITE_ROW = 'anonymize';
const POSTGRES_ROW = 'anonymize (PostgreSQL)';

/**
 * dicom-tools' rows: with the SQLite store and, given a server, with the PostgreSQL one. Each round
 * records into a new, empty store whose tables are already made, as on every run but a store's first.
 */
function anonymizeContenders(root: string, workload: Workload, env: NodeJS.ProcessEnv, postgres: PostgresServer | undefined): Contender[] {
  const anonymize = (out: string, runEnv: NodeJS.ProcessEnv) => measure(process.execPath, [CLI, 'anonymize', workload.dir, '--out', out, ...(workload.anonymizeOptions ?? [])], runEnv);
  const sqlite: Contender = {
    label: SQLITE_ROW,
    prepare: (round) => withTables({ ...env, DICOM_DATA_DIR: path.join(root, 'stores', `${workload.name}-sqlite-${round}`) }),
    run: anonymize,
    store: (runEnv) => ({ dataDir: runEnv['DICOM_DATA_DIR'] ?? '', mappingUrl: undefined }),
  };
  if (postgres === undefined || !POSTGRES_WORKLOADS.has(workload.name)) return [sqlite];
  return [
    sqlite,
    {
      label: POSTGRES_ROW,
      prepare: async () => withTables({ ...env, DICOM_MAPPING_URL: await postgres.freshDatabase() }),
      run: anonymize,
      store: (runEnv) => ({ dataDir: env['DICOM_DATA_DIR'] ?? '', mappingUrl: runEnv['DICOM_MAPPING_URL'] }),
    },
  ];
}

const DAEMON_SQLITE_ROW = 'daemon burst';
const DAEMON_POSTGRES_ROW = 'daemon burst (PostgreSQL)';
/** The settle time of the burst rows, as issue 21 measured them. */
const BURST_STABLE_MS = 500;

/**
 * The burst rows: the watch daemon with each store, every round on a new store, each paired with
 * the `anonymize` row of the same store.
 */
function daemonBurstContenders(root: string, workload: Workload, env: NodeJS.ProcessEnv, postgres: PostgresServer | undefined): Contender[] {
  const common = { cli: CLI, inputDir: workload.dir, root, stableMs: BURST_STABLE_MS };
  const sqlite = daemonBurstContender({
    ...common,
    label: DAEMON_SQLITE_ROW,
    versus: SQLITE_ROW,
    storeEnv: (dataDir) => withTables({ ...env, DICOM_DATA_DIR: dataDir }),
    store: (runEnv) => ({ dataDir: runEnv['DICOM_DATA_DIR'] ?? '', mappingUrl: undefined }),
  });
  if (postgres === undefined) return [sqlite];
  const onPostgres = daemonBurstContender({
    ...common,
    label: DAEMON_POSTGRES_ROW,
    versus: POSTGRES_ROW,
    storeEnv: async (dataDir) => withTables({ ...env, DICOM_DATA_DIR: dataDir, DICOM_MAPPING_URL: await postgres.freshDatabase() }),
    store: (runEnv) => ({ dataDir: runEnv['DICOM_DATA_DIR'] ?? '', mappingUrl: runEnv['DICOM_MAPPING_URL'] }),
  });
  return [sqlite, onPostgres];
}

/** Opens and closes the store of `runEnv` once, which makes its tables; resolves with `runEnv`. */
async function withTables(runEnv: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  await (await openMappingStore({ dataDir: runEnv['DICOM_DATA_DIR'] ?? '', mappingUrl: runEnv['DICOM_MAPPING_URL'] || undefined })).close();
  return runEnv;
}

/** How many files the store of a run holds records of. */
async function recordCount(location: { dataDir: string; mappingUrl: string | undefined }): Promise<number> {
  const store = await openMappingStore(location);
  try {
    return (await store.records()).length;
  } finally {
    await store.close();
  }
}

/** The per-round ratio of one row's times to another's. */
const ratios = (own: readonly Run[], base: readonly Run[]) => own.map((run, index) => run.seconds / (base[index]?.seconds ?? Number.NaN));
const percent = (ratio: number) => `${ratio >= 1 ? '+' : '-'}${fmt(Math.abs(ratio - 1) * 100)} %`;

/**
 * Times cp -r, cp -r + sync, a minimal atomic copy in Node.js and dicom-tools (with each mapping
 * store) on one workload, in paired rounds: each round runs all of them back to back, in an order
 * rotated from round to round, so that a slow spell of the machine hits them alike. Ratios are
 * taken within a round; the medians are printed.
 *
 * Every run writes into a folder of its own and nothing is deleted until the whole benchmark is
 * over. This matters here: on a file system without a journal, ext4 skips inodes freed in the last
 * minutes when it allocates new ones, so a run that follows the deletion of thousands of files
 * creates each of its files several times slower (cp -r of W2: 0.17 s fresh, 0.8-1.3 s right after
 * an rm -rf). Deleting between runs made whichever command came next look slow.
 */
async function benchWorkload(root: string, workload: Workload, env: NodeJS.ProcessEnv, postgres: PostgresServer | undefined): Promise<void> {
  console.log(`\n${workload.name}: ${workload.description} — ${workload.files} files, ${fmt(workload.bytes / 1e6)} MB (target: ${workload.target})`);
  const copies: Contender[] = [...durableCopies(workload), { label: 'node copy', run: (out) => measure(process.execPath, [NODE_ATOMIC_COPY, workload.dir, out]) }];
  await benchContenders(root, workload, [...(storesOnly ? [] : copies), ...anonymizeContenders(root, workload, env, postgres)]);
}

/** cp -r, and cp -r then sync: the copy floor and the durable copy floor. */
function durableCopies(workload: Workload): Contender[] {
  return [
    { label: 'cp -r', run: (out) => measure('cp', ['-r', workload.dir, out]) },
    { label: 'cp+sync', run: (out) => measure('sh', ['-c', 'cp -r "$0" "$1" && sync', workload.dir, out]) },
  ];
}

/** The burst rows of one workload, in the same paired rounds as the copies and the batch of the same folder. */
async function benchBurst(root: string, workload: Workload, env: NodeJS.ProcessEnv, postgres: PostgresServer | undefined): Promise<void> {
  console.log(`\n${workload.name} burst: ${workload.description} — ${workload.files} files, ${fmt(workload.bytes / 1e6)} MB, renamed into Sources at once (DICOM_WATCH_STABLE_MS=${BURST_STABLE_MS}), until every original is anonymized, recorded and removed`);
  const contenders = [...durableCopies(workload), ...anonymizeContenders(root, workload, env, postgres), ...daemonBurstContenders(root, workload, env, postgres)];
  await benchContenders(root, workload, contenders);
}

/**
 * rm -r of a copy of the workload, then sync: what removing the originals costs the disk, which
 * the daemon pays (the original is not kept) and the batch does not. Timed after all the paired
 * rounds, as creating files soon after thousands were deleted is slower (see benchContenders): in
 * the rounds it would slow whichever row came next.
 */
async function benchRemovals(root: string, workloads: readonly Workload[]): Promise<void> {
  console.log('\nremoving the originals, timed after the burst rounds: cp -r of the workload (untimed, then sync), then rm -r and sync');
  for (const workload of workloads) {
    const runs: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const copy = path.join(root, 'removals', `${workload.name}-${round}`);
      mkdirSync(path.dirname(copy), { recursive: true });
      const copied = await measure('cp', ['-r', workload.dir, copy]);
      if (copied.code !== 0) throw new Error(`${workload.name}: cp -r of the workload for rm -r exited ${copied.code}`);
      await settleDisk();
      runs.push(await measure('sh', ['-c', 'rm -r "$0" && sync', copy]));
    }
    console.log(row(`${workload.name} rm -r+sync`, 16, workload, runs));
  }
}

async function benchContenders(root: string, workload: Workload, contenders: readonly Contender[]): Promise<void> {
  const width = Math.max(10, ...contenders.map((contender) => contender.label.length));
  mkdirSync(path.join(root, 'runs'), { recursive: true });
  mkdirSync(path.join(root, 'stores'), { recursive: true });
  const runs = new Map<string, Run[]>(contenders.map((contender) => [contender.label, []]));
  /** The last output and environment of each dicom-tools row, kept for verification. */
  const last = new Map<string, { out: string; env: NodeJS.ProcessEnv }>();
  // A single large file leaves no inodes to skip: its copies are removed at once, to spare the disk.
  // So are all outputs when the disk cannot hold every run's, which the output then says.
  const roomForAll = statfsSync(root).bavail * statfsSync(root).bsize > 2 * workload.bytes * ROUNDS * contenders.length;
  const removeEachRun = workload.files === 1 || !roomForAll;
  if (!roomForAll && workload.files > 1) console.log('  (not enough free disk to keep every run\'s output: each is removed after its run, which slows the next run)');
  warm(workload.dir);
  for (let round = 0; round < ROUNDS; round++) {
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(round + turn) % contenders.length] as Contender;
      const out = path.join(root, 'runs', `${workload.name}-${contender.label.replace(/\W+/g, '-')}-${round}`);
      const runEnv = (await contender.prepare?.(round)) ?? {};
      await settleDisk();
      const run = await contender.run(out, runEnv);
      if (run.code !== 0) throw new Error(`${workload.name}: ${contender.label} exited ${run.code}: ${run.stderr}`);
      runs.get(contender.label)?.push(run);
      const removable = contender.store === undefined ? out : last.get(contender.label)?.out;
      if (contender.store !== undefined) last.set(contender.label, { out, env: runEnv });
      if (removeEachRun && removable) rmSync(removable, { recursive: true, force: true });
    }
  }
  for (const contender of contenders) {
    const kept = last.get(contender.label);
    if (contender.store === undefined || kept === undefined) continue;
    const recorded = await recordCount(contender.store(kept.env));
    if (recorded !== workload.files) throw new Error(`${workload.name}: ${contender.label} recorded ${recorded} files of ${workload.files}`);
    console.log(`  ${contender.label}: ${workload.check?.(kept.out) ?? verify(workload, kept.out)}; ${recorded} mapping records in its store`);
  }
  const sqliteOut = last.get(SQLITE_ROW)?.out;
  const postgresOut = last.get(POSTGRES_ROW)?.out;
  if (sqliteOut !== undefined && postgresOut !== undefined && readdirSync(sqliteOut).sort().join('\n') !== readdirSync(postgresOut).sort().join('\n')) {
    throw new Error(`${workload.name}: the PostgreSQL run wrote other output names than the SQLite run`);
  }
  const cp = runs.get('cp -r');
  for (const contender of contenders) {
    const own = runs.get(contender.label) ?? [];
    const vsCp = cp === undefined || contender.label === 'cp -r' ? '' : `  ${fmt(median(ratios(own, cp)), 2)}× cp (${fmt(Math.min(...ratios(own, cp)), 2)}–${fmt(Math.max(...ratios(own, cp)), 2)})`;
    const cpSync = runs.get('cp+sync');
    const vsCpSync = contender.store !== undefined && cpSync !== undefined ? `  ${fmt(median(ratios(own, cpSync)), 2)}× cp+sync` : '';
    const sqlite = runs.get(SQLITE_ROW) ?? [];
    const vsSqlite = contender.label === POSTGRES_ROW ? `  ${percent(median(ratios(own, sqlite)))} vs SQLite (${percent(Math.min(...ratios(own, sqlite)))} to ${percent(Math.max(...ratios(own, sqlite)))})` : '';
    const versus = contender.versus === undefined ? undefined : runs.get(contender.versus);
    const vsOther = versus === undefined ? '' : `  ${fmt(median(ratios(own, versus)), 2)}× ${contender.versus} (${fmt(Math.min(...ratios(own, versus)), 2)}–${fmt(Math.max(...ratios(own, versus)), 2)})`;
    console.log(`${row(contender.label, width, workload, own)}${vsCp}${vsCpSync}${vsSqlite}${vsOther}`);
  }
}

/**
 * The server for the PostgreSQL rows: DICOM_BENCH_POSTGRES_URL, else a throwaway cluster of the
 * installed PostgreSQL that flushes its commits like a real server; or why there is none.
 */
async function postgresServer(): Promise<PostgresServer | string> {
  const given = process.env['DICOM_BENCH_POSTGRES_URL'] || undefined;
  if (given !== undefined) return serverAt(given, `the server of DICOM_BENCH_POSTGRES_URL (${await serverSettings(given)})`);
  const bin = postgresBin();
  if (bin === undefined) return 'PostgreSQL rows skipped: no server (install Debian\'s postgresql, or set DICOM_BENCH_POSTGRES_URL=postgres://user@host/db of a server where that user may CREATE DATABASE)';
  const cluster = new ThrowawayCluster(bin, { durable: true });
  const url = cluster.start();
  return serverAt(url, `a throwaway cluster on a Unix socket (${await serverSettings(url)})`, () => cluster.stop());
}

/** A server at `url`; closing it stops it (`stop`), or else drops the databases made on it. */
function serverAt(url: string, description: string, stop?: () => void): PostgresServer {
  const made: string[] = [];
  return {
    description,
    freshDatabase: async () => {
      const name = await createDatabase(url, 'dicom_bench_');
      made.push(name);
      return withDatabase(url, name);
    },
    close: async () => (stop === undefined ? dropDatabases(url, made) : stop()),
  };
}

/** The version and the durability settings of a server, for the printout. */
async function serverSettings(url: string): Promise<string> {
  return onServer(url, async (client) => {
    const setting = async (name: string) => ((await client.query<{ value: string }>(`SELECT current_setting('${name}') AS value`)).rows[0]?.value ?? '?');
    return `PostgreSQL ${await setting('server_version')}, fsync ${await setting('fsync')}, synchronous_commit ${await setting('synchronous_commit')}`;
  });
}

async function benchDaemon(root: string, workload: Workload, env: NodeJS.ProcessEnv, storeName: string): Promise<void> {
  const sources = path.join(root, `daemon-sources-${storeName}`);
  mkdirSync(sources, { recursive: true });
  const stableMs = 500;
  const daemon = spawn(process.execPath, [CLI, 'watch', sources], {
    env: { ...process.env, ...env, DICOM_ANONYMIZE_ON_UPLOAD: 'true', DICOM_WATCH_STABLE_MS: String(stableMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  daemon.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  while (!log.includes('watching')) await new Promise((resolve) => setTimeout(resolve, 20));
  const arrived = new Map<string, number>();
  const done = new Map<string, number>();
  const started = Date.now();
  const names = readdirSync(workload.dir);
  const copying = (async () => {
    for (const name of names) {
      await copyFile(path.join(workload.dir, name), path.join(sources, name));
      arrived.set(name, Date.now());
    }
  })();
  while (done.size < names.length) {
    for (const name of names) if (!done.has(name) && arrived.has(name) && !existsSync(path.join(sources, name))) done.set(name, Date.now());
    if (Date.now() - started > 600_000) throw new Error('daemon benchmark timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await copying;
  const seconds = (Date.now() - started) / 1000;
  const idle = await idleArrivals(workload, sources, names.slice(0, IDLE_ARRIVALS));
  daemon.kill('SIGTERM');
  await new Promise((resolve) => daemon.on('exit', resolve));
  const delays = names.map((name) => (done.get(name) ?? 0) - (arrived.get(name) ?? 0)).sort((a, b) => a - b);
  const at = (fraction: number) => delays[Math.min(delays.length - 1, Math.floor(fraction * delays.length))] ?? 0;
  const outputs = readdirSync(sources).filter((name) => name.startsWith('2.25.')).length;
  const store = await openMappingStore({ dataDir: env['DICOM_DATA_DIR'] ?? '', mappingUrl: env['DICOM_MAPPING_URL'] || undefined });
  const recorded = (await store.records()).length;
  await store.close();
  console.log(`\ndaemon (${storeName} store): ${workload.name} copied into Sources one file after another (DICOM_WATCH_STABLE_MS=${stableMs}, 2 groups in flight)`);
  console.log(`  ${names.length} files in ${fmt(seconds, 2)} s: ${fmt(names.length / seconds)} files/s, ${fmt(workload.bytes / 1e6 / seconds)} MB/s`);
  console.log(`  arrival -> anonymized delay: median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms (includes the ${stableMs} ms settle time)`);
  console.log(`  arrival -> anonymized delay of ${idle.length} files each copied in while the daemon was idle: median ${quantile(idle, 0.5)} ms, p95 ${quantile(idle, 0.95)} ms, max ${quantile(idle, 1)} ms (issue 21's goal: median ≤ ${stableMs + 250} ms)`);
  console.log(`  ${outputs} outputs in Sources, ${recorded} mapping records (${idle.length} of them the idle arrivals'), originals left: ${names.filter((name) => existsSync(path.join(sources, name))).length}`);
}

/** Files copied in one at a time, each once the daemon has finished the one before and idled a while. */
const IDLE_ARRIVALS = tiny ? 3 : 20;

/** Copies each of `names` into Sources (as `idle-<name>`) once the daemon is idle; resolves to each one's delay from arrival to its original's removal, sorted. */
async function idleArrivals(workload: Workload, sources: string, names: readonly string[]): Promise<number[]> {
  const delays: number[] = [];
  for (const name of names) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const upload = path.join(sources, `idle-${name}`);
    await copyFile(path.join(workload.dir, name), upload);
    const arrived = Date.now();
    while (existsSync(upload)) {
      if (Date.now() - arrived > 60_000) throw new Error('daemon benchmark: an idle arrival was not anonymized within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    delays.push(Date.now() - arrived);
  }
  return delays.sort((a, b) => a - b);
}

const quantile = (sorted: readonly number[], fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  const root = mkdtempSync(path.join(tmpdir(), 'dicom-bench-'));
  // An empty DICOM_MAPPING_URL outweighs one in .env: the SQLite rows and the daemon record into SQLite whatever the shell has set.
  const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'benchmark secret, not for real use', DICOM_MAPPING_URL: '' };
  const load = () => loadavg().map((value) => fmt(value, 2)).join(' ');
  console.log(`dicom-tools benchmark${tiny ? ' (tiny)' : ''} in ${root}; Node ${process.version}, ${cpus().length} cores, load average ${load()}`);
  let postgres: PostgresServer | undefined;
  try {
    if (!noPostgres && only.some((name) => POSTGRES_WORKLOADS.has(name) || name === 'daemon' || name === 'burst')) {
      const server = await postgresServer();
      if (typeof server === 'string') console.log(server);
      else console.log(`PostgreSQL rows: ${(postgres = server).description}; each run records into a new database, its tables made`);
    }
    // W1 is made whenever any of the first workloads runs, as before W4 (its files on the disk are part of their conditions).
    const w1 = only.some((name) => ['W1', 'W2', 'W3', 'daemon', 'burst'].includes(name)) ? generate(root, 'W1', tiny ? 20 : 2000, 512, 512, 1, '512×512 16-bit CT slices, one study', '≤ 1.5× cp') : undefined;
    if (w1 !== undefined && only.includes('W1')) await benchWorkload(root, w1, env, postgres);
    const w2 = only.includes('W2') || burst ? generate(root, 'W2', tiny ? 50 : 5000, 64, 60, 1, 'small files (64×60 16-bit)', '≤ 2.5× cp') : undefined;
    if (w2 !== undefined && only.includes('W2')) await benchWorkload(root, w2, env, postgres);
    if (only.includes('W3')) {
      const frames = tiny ? 16 : 2048;
      await benchWorkload(root, generate(root, 'W3', 1, 512, 512, frames, `one multi-frame file, ${frames} frames of 512×512 16-bit`, '≤ 2× cp, peak RSS ≤ 100 MB'), env, postgres);
    }
    if (w1 !== undefined && only.includes('daemon')) {
      await benchDaemon(root, w1, { ...env, DICOM_DATA_DIR: path.join(root, 'daemon-data') }, 'SQLite');
      if (postgres !== undefined) await benchDaemon(root, w1, { ...env, DICOM_DATA_DIR: path.join(root, 'daemon-data-pg'), DICOM_MAPPING_URL: await postgres.freshDatabase() }, 'PostgreSQL');
    }
    if (burst && w1 !== undefined && w2 !== undefined) {
      await benchBurst(root, w1, env, postgres);
      await benchBurst(root, w2, env, postgres);
      await benchRemovals(root, [w1, w2]);
    }
    if (only.includes('W4')) await benchWorkload(root, ultrasoundWorkload(root, tiny ? 20 : 500), env, postgres);
    if (only.includes('W4') || only.includes('ocr')) console.log(`\n${await benchOcr(tiny ? 2 : 20)}`);
    console.log(`\nload average at the end ${load()}`);
  } finally {
    await postgres?.close();
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
