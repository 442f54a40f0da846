import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { commitOutputs, type Durability } from '../src/io/atomic-file.js';
import { writeTemporaryOutput } from '../src/io/atomic-output.js';
import { workerThreadsFor } from '../src/pipeline/worker-pool.js';
import { flushFileSystem } from '../src/io/flush-file-system.js';
import type * as Options from '../src/deid/options.js';
import type * as Pseudonyms from '../src/deid/pseudonyms.js';
import type * as AnonymizeFiles from '../src/pipeline/anonymize-files.js';
import { corpusDir } from './helpers/corpus.js';
import { makeInstances } from './helpers/daemon-process.js';

// The batch pipeline as the CLI and TUI run it: worker threads exist only as compiled JavaScript,
// so these tests load the engine from dist/ (npm test builds it first).
const built = (module: string) => fileURLToPath(new URL(`../dist/src/${module}`, import.meta.url));
const { anonymizeFiles } = (await import(built('pipeline/anonymize-files.js'))) as typeof AnonymizeFiles;
const { DEFAULT_OPTIONS } = (await import(built('deid/options.js'))) as typeof Options;
const { Pseudonymizer } = (await import(built('deid/pseudonyms.js'))) as typeof Pseudonyms;

const root = mkdtempSync(path.join(tmpdir(), 'dicom-pipeline-'));
const input = path.join(root, 'in');
const keys = new Pseudonymizer(Buffer.from('a secret for the pipeline tests 0123456789'));
let uids: string[] = [];

beforeAll(async () => {
  uids = await makeInstances(path.join(corpusDir, 'fodicom_GH223.dcm'), input, 120);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const temporaries = (folder: string) => readdirSync(folder).filter((name) => name.endsWith('.tmp'));

describe('a batch in worker threads', () => {
  it('anonymizes every file, records each once, and leaves no temporary file', async () => {
    const out = path.join(root, 'all');
    const recorded: string[] = [];
    const progress: number[] = [];
    const summary = await anonymizeFiles({
      inputs: [input],
      outDir: out,
      run: { options: DEFAULT_OPTIONS },
      keys,
      batchId: 'all',
      record: (records) => recorded.push(...records.map((record) => record.anonymizedFilename)),
      onResult: (_result, { done }) => progress.push(done),
    });
    expect(summary.anonymized).toBe(120);
    expect(summary.cancelled).toBe(false);
    expect(readdirSync(out).sort()).toEqual(uids.map((uid) => `${keys.uid(uid)}.dcm`).sort());
    expect(recorded.sort()).toEqual(readdirSync(out).sort());
    expect(progress).toEqual(Array.from({ length: 120 }, (_, index) => index + 1));
    for (const name of readdirSync(out)) expect(textAt(readDicomFile(path.join(out, name)), [], 0x00100020)[0]).toMatch(/^ANON-/);
  });

  it('goes on past bad files, reporting each with its reason', async () => {
    const mixed = path.join(root, 'mixed');
    mkdirSync(mixed);
    for (const name of readdirSync(input).slice(0, 40)) copyFileSync(path.join(input, name), path.join(mixed, name));
    const good = readFileSync(path.join(input, 'IM1'));
    writeFileSync(path.join(mixed, 'truncated'), good.subarray(0, 700));
    writeFileSync(path.join(mixed, 'notes.txt'), 'not an image');
    const out = path.join(root, 'mixed-out');
    const summary = await anonymizeFiles({ inputs: [mixed], outDir: out, run: { options: DEFAULT_OPTIONS }, keys, batchId: 'mixed' });
    expect(summary.anonymized).toBe(40);
    expect(summary.skipped).toBe(1);
    const failed = summary.results.filter((result) => result.status === 'failed');
    expect(failed.map((result) => [path.basename(result.input), result.code])).toEqual([['truncated', 'TRUNCATED']]);
    expect(temporaries(out)).toEqual([]);
  });

  it('stops on cancel: what is reported is complete and recorded, nothing half-done is left', async () => {
    const folder = path.join(root, 'to-cancel');
    mkdirSync(folder);
    for (const name of readdirSync(input)) copyFileSync(path.join(input, name), path.join(folder, name));
    // Listed first, reported at once (skipped): the cancel comes while the workers are busy.
    writeFileSync(path.join(folder, '0-notes.txt'), 'not an image');
    const out = path.join(root, 'cancelled');
    const controller = new AbortController();
    const recorded: string[] = [];
    const summary = await anonymizeFiles({
      inputs: [folder],
      outDir: out,
      run: { options: DEFAULT_OPTIONS },
      keys,
      batchId: 'cancelled',
      signal: controller.signal,
      record: (records) => recorded.push(...records.map((record) => record.anonymizedFilename)),
      // The workers look before each file, even in the middle of a chunk.
      onResult: () => controller.abort(),
    });
    expect(summary.cancelled).toBe(true);
    expect(summary.anonymized).toBeLessThan(120);
    const outputs = readdirSync(out).filter((name) => name.endsWith('.dcm'));
    expect(outputs.sort()).toEqual(recorded.sort());
    expect(summary.results.filter((result) => result.output).map((result) => path.basename(result.output ?? '')).sort()).toEqual(outputs.sort());
    expect(temporaries(out)).toEqual([]);
    for (const name of outputs) expect(readDicomFile(path.join(out, name)).dataSet.length).toBeGreaterThan(10);
  });

  it('stops with the mapping store error, not silently', async () => {
    const out = path.join(root, 'store-fails');
    const run = anonymizeFiles({
      inputs: [input],
      outDir: out,
      run: { options: DEFAULT_OPTIONS },
      keys,
      batchId: 'store-fails',
      record: () => {
        throw new Error('the mapping store is read-only');
      },
    });
    await expect(run).rejects.toThrow('the mapping store is read-only');
    // Nothing it could not record is left: no output, no temporary file.
    expect(readdirSync(out)).toEqual([]);
  });
});

// A full disk, for real: a 1 MiB tmpfs as the output folder (mounting needs root; skipped without).
const full = path.join(root, 'full');
mkdirSync(full);
const canMount = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', full], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
afterAll(() => {
  if (canMount) execFileSync('umount', [full]);
});

describe('how many threads prepare a batch', () => {
  const folderOf = (name: string, count: number, bytes: number) => {
    const folder = path.join(root, 'sizes', name);
    mkdirSync(folder, { recursive: true });
    // Sparse files: only their size matters to the choice.
    return Array.from({ length: count }, (_, index) => {
      const file = path.join(folder, `f${index}`);
      writeFileSync(file, '');
      truncateSync(file, bytes);
      return file;
    });
  };

  it('prepares a few small files on the calling thread', () => {
    expect(workerThreadsFor(folderOf('few-small', 5, 700))).toBe(0);
  });

  it('gives many small files one worker: two share the work badly', () => {
    expect(workerThreadsFor(folderOf('many-small', 200, 9000))).toBe(1);
  });

  it('gives large files a worker per core, up to four and never more than files', () => {
    expect(workerThreadsFor(folderOf('many-large', 40, 512 << 10))).toBe(Math.min(availableParallelism(), 4));
    expect(workerThreadsFor(folderOf('two-huge', 2, 40 << 20))).toBe(Math.min(availableParallelism(), 2));
  });

  it('anonymizes a batch of large files in several workers, every file once', async () => {
    const folder = path.join(root, 'large-in');
    const large = await makeInstances(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), folder, 40, 'CT');
    const out = path.join(root, 'large-out');
    const summary = await anonymizeFiles({ inputs: [folder], outDir: out, run: { options: DEFAULT_OPTIONS }, keys, batchId: 'large' });
    expect(summary.anonymized).toBe(40);
    expect(readdirSync(out).sort()).toEqual(large.map((uid) => `${keys.uid(uid)}.dcm`).sort());
    const pixels = (file: string) => {
      const parsed = readDicomFile(file);
      const pixel = parsed.dataSet.find((element) => element.tag === 0x7fe00010);
      return pixel ? readFileSync(file).subarray(pixel.valueOffset, pixel.end) : Buffer.alloc(0);
    };
    const original = pixels(path.join(folder, 'CT1'));
    expect(original.length).toBeGreaterThan(250_000);
    for (const name of readdirSync(out)) expect(pixels(path.join(out, name)).equals(original)).toBe(true);
  });
});

describe('a batch on a disk that fills up', () => {
  it.runIf(canMount)('fails the files that do not fit with "disk full", keeps every output whole, and leaves no temporary file', async () => {
    // 40 files of 140 KB: about seven fit.
    const large = path.join(root, 'large');
    await makeInstances(path.join(corpusDir, 'dcmqadeident_00001.dcm'), large, 40);
    const recorded: string[] = [];
    const summary = await anonymizeFiles({
      inputs: [large],
      outDir: full,
      run: { options: DEFAULT_OPTIONS },
      keys,
      batchId: 'full',
      record: (records) => recorded.push(...records.map((record) => record.anonymizedFilename)),
    });
    expect(summary.anonymized).toBeGreaterThan(0);
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.anonymized + summary.failed).toBe(40);
    for (const failure of summary.results.filter((result) => result.status === 'failed')) {
      expect(failure.code).toBe('IO');
      expect(failure.reason).toContain('disk full');
    }
    expect(temporaries(full)).toEqual([]);
    const outputs = readdirSync(full);
    expect(outputs.sort()).toEqual(recorded.sort());
    // Pixel Data, the last element, is whole: byte for byte the source's.
    const pixelData = (file: string) => {
      const parsed = readDicomFile(file);
      const last = parsed.dataSet[parsed.dataSet.length - 1];
      expect(last?.tag).toBe(0x7fe00010);
      return readFileSync(file).subarray(last?.start ?? 0);
    };
    const sourcePixels = pixelData(path.join(large, 'IM1'));
    for (const name of outputs) {
      expect(textAt(readDicomFile(path.join(full, name)), [], 0x00100020)[0]).toMatch(/^ANON-/);
      expect(pixelData(path.join(full, name)).equals(sourcePixels)).toBe(true);
    }
  });
});

describe.each<Durability>(['file-system', 'each-file'])('committing outputs (%s)', (durability) => {
  it('makes them visible only after the flush, under their final names', async () => {
    const out = path.join(root, `commit-${durability}`);
    mkdirSync(out);
    const file = readDicomFile(path.join(input, 'IM1'));
    const pending = [0, 1, 2].map((index) => writeTemporaryOutput(file, [{ kind: 'copy', start: 0, end: file.size }], path.join(out, `out${index}.dcm`)));
    expect(readdirSync(out).filter((name) => name.endsWith('.dcm'))).toEqual([]);
    await commitOutputs(pending, durability);
    expect(readdirSync(out).sort()).toEqual(['out0.dcm', 'out1.dcm', 'out2.dcm']);
    expect(readFileSync(path.join(out, 'out2.dcm')).equals(readFileSync(path.join(input, 'IM1')))).toBe(true);
  });

  it('leaves none of a group behind when one of its renames fails', async () => {
    const out = path.join(root, `commit-fails-${durability}`);
    mkdirSync(path.join(out, 'out1.dcm', 'in-the-way'), { recursive: true });
    const file = readDicomFile(path.join(input, 'IM1'));
    const pending = [0, 1, 2].map((index) => writeTemporaryOutput(file, [{ kind: 'copy', start: 0, end: file.size }], path.join(out, `out${index}.dcm`)));
    await expect(commitOutputs(pending, durability)).rejects.toThrow('cannot write output');
    expect(readdirSync(out)).toEqual(['out1.dcm']);
  });
});

it('flushes the file system with syncfs where the platform has it', async () => {
  expect(await flushFileSystem(root)).toBe(process.platform === 'linux' && (existsSync('/usr/bin/sync') || existsSync('/bin/sync')));
});

it.runIf(process.platform === 'linux' && (existsSync('/usr/bin/sync') || existsSync('/bin/sync')))('answers each flush of the kept sync helper in order, a failed one false, and a folder with a line break in its name by a process of its own', async () => {
  const broken = path.join(root, 'line\nbreak');
  mkdirSync(broken, { recursive: true });
  // Side by side: the answers come back in the order the folders were asked for.
  const answers = await Promise.all([flushFileSystem(path.join(root, 'no such folder')), flushFileSystem(root), flushFileSystem(root), flushFileSystem(broken)]);
  expect(answers).toEqual([false, true, true, true]);
});
