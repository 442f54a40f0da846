// Hostile input the reader must survive without leaking or exhausting the machine: deflate bombs
// (issue 18, point 11) and error messages built from corrupt bytes (point 13).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflateRaw, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { editBytes, explicitElement, lengthFields, part10, withLength } from './helpers/broken-files.js';
import { corpusDir } from './helpers/corpus.js';
import { filesBelow, startDaemon, waitUntil } from './helpers/daemon-process.js';
import { runDcmdump } from './helpers/dcmdump.js';
import { CLI, runCli } from './helpers/run-cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dicom-bad-input-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 2 ** 20;

/**
 * A real deflated file (fo-dicom's, an undefined-length sequence, no pixel data) with an OB Pixel
 * Data element of `size` bytes appended to its data set, all deflated again at `level`. The value
 * is made in 1 MB chunks by `chunk`, so the test never holds it whole.
 */
async function deflatedWithPixelData(name: string, size: number, chunk: (index: number) => Buffer, level = 9): Promise<string> {
  const source = readDicomFile(join(corpusDir, 'fodicom_Issue1097_DeflatedWithSQ.dcm'));
  const original = readFileSync(source.path);
  const header = Buffer.alloc(12);
  header.writeUInt16LE(0x7fe0, 0);
  header.writeUInt16LE(0x0010, 2);
  header.write('OB', 4, 'latin1');
  header.writeUInt32LE(size, 8);
  const deflate = createDeflateRaw({ level });
  const parts: Buffer[] = [original.subarray(0, source.dataSetStart)];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  deflate.write(source.inflated);
  deflate.write(header);
  for (let index = 0; index * MB < size; index += 1) {
    if (!deflate.write(chunk(index).subarray(0, Math.min(MB, size - index * MB)))) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** The CLI under /usr/bin/time: its result, and its peak resident memory in MB. */
function runCliMeasured(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync('/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  const match = /peak-rss-kb (\d+)\s*$/.exec(result.stderr);
  if (!match?.[1]) throw new Error(`no memory figure from /usr/bin/time: ${result.stderr}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.slice(0, match.index), peakMb: Number(match[1]) / 1024 };
}

describe('a deflated data set is inflated within limits (issue 18, point 11)', () => {
  const zeros = Buffer.alloc(MB);
  let bomb: string;
  beforeAll(async () => {
    // 128 MB of zeros deflate to about 128 KB: a ratio of about 1000.
    bomb = await deflatedWithPixelData('bomb.dcm', 128 * MB, () => zeros);
  }, 60_000);

  it('refuses a deflate bomb by its ratio, naming the limit, in bounded memory, and writes nothing', () => {
    const out = join(dir, 'bomb-out');
    const run = runCliMeasured(['anonymize', bomb, '--out', out, '--json'], { DICOM_DATA_DIR: join(dir, 'data-bomb'), DICOM_ANON_SECRET: 'a-test-secret-of-32-characters!!' });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { files: { status: string; code: string; reason: string }[] };
    expect(report.files).toMatchObject([
      {
        input: bomb,
        status: 'failed',
        code: 'UNSUPPORTED',
        reason: `${bomb}: Unsupported DICOM: the deflated data set inflates to more than 200 times its deflated size (DICOM_INFLATE_MAX_RATIO); refused as a possible deflate bomb (raise the limit for a file you trust) (byte offset 342)`,
      },
    ]);
    // Inflated whole, this file takes over 400 MB; stopped at its limit (about 26 MB), far less.
    expect(run.peakMb).toBeLessThan(250);
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a data set beyond DICOM_INFLATE_MAX_MB, naming that limit', () => {
    const run = runCli(['anonymize', bomb, '--out', join(dir, 'size-out')], {
      env: { DICOM_DATA_DIR: join(dir, 'data-size'), DICOM_ANON_SECRET: 'a-test-secret-of-32-characters!!', DICOM_INFLATE_MAX_RATIO: '1032', DICOM_INFLATE_MAX_MB: '32' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${bomb}: Unsupported DICOM: the deflated data set inflates to more than 32 MB (DICOM_INFLATE_MAX_MB); refused as a possible deflate bomb (raise the limit for a file you trust) (byte offset 342)`);
  });

  it('has the watch daemon quarantine a bomb intact, with the limit it set in the reason', async () => {
    const base = join(dir, 'daemon-bomb');
    const [sources, quarantine] = [join(base, 'sources'), join(base, 'quarantine')];
    mkdirSync(sources, { recursive: true });
    copyFileSync(bomb, join(sources, 'upload.dcm'));
    const daemon = startDaemon(sources, {
      DICOM_ANONYMIZE_ON_UPLOAD: 'true',
      DICOM_DATA_DIR: join(base, 'data'),
      DICOM_QUARANTINE_DIR: quarantine,
      DICOM_ANON_SECRET: 'a-test-secret-of-32-characters!!',
      DICOM_WATCH_STABLE_MS: '300',
      DICOM_WATCH_RETRY_MS: '100',
      DICOM_INFLATE_MAX_RATIO: '1032',
      DICOM_INFLATE_MAX_MB: '32',
    });
    try {
      await waitUntil(() => filesBelow(quarantine).length === 2, 'the bomb to be quarantined', 60_000);
      const [quarantined, reason] = filesBelow(quarantine);
      expect(readFileSync(join(quarantine, quarantined ?? '')).equals(readFileSync(bomb))).toBe(true);
      expect(readFileSync(join(quarantine, reason ?? ''), 'utf8')).toContain('the deflated data set inflates to more than 32 MB (DICOM_INFLATE_MAX_MB)');
      expect(filesBelow(sources)).toEqual([]);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  }, 90_000);

  it('reads the same file once the limits allow it, and writes an output dcmdump reads whole', () => {
    const out = join(dir, 'trusted-out');
    const run = runCli(['anonymize', bomb, '--out', out], {
      env: { DICOM_DATA_DIR: join(dir, 'data-trusted'), DICOM_ANON_SECRET: 'a-test-secret-of-32-characters!!', DICOM_INFLATE_MAX_RATIO: '1032', DICOM_INFLATE_MAX_MB: '256' },
    });
    expect(run.stderr).not.toContain('failed');
    expect(run.status).toBe(0);
    const [output] = readdirSync(out);
    expect(runDcmdump(join(out, output ?? ''), ['+P', '7fe0,0010', '-M'])).toMatch(/^\(7fe0,0010\) OB .* # 134217728, 1 PixelData$/m);
  }, 60_000);
});

describe('a valid large deflated file round-trips (issue 18, point 11)', () => {
  it('anonymizes a 24 MB data set that deflates about 4:1 under the default limits, pixel data intact', async () => {
    // Two bits of noise per byte: a ratio near 4, like real image data and unlike a bomb.
    let state = 12345;
    const noise = (index: number) => {
      const chunk = Buffer.alloc(MB);
      for (let byte = 0; byte < MB; byte += 1) {
        state = (Math.imul(state, 1103515245) + 12345 + index) >>> 0;
        chunk[byte] = state >>> 30;
      }
      return chunk;
    };
    const file = await deflatedWithPixelData('large.dcm', 24 * MB, noise, 1);
    const out = join(dir, 'large-out');
    mkdirSync(out);
    const run = runCli(['anonymize', file, '--out', out], { env: { DICOM_DATA_DIR: join(dir, 'data-large'), DICOM_ANON_SECRET: 'a-test-secret-of-32-characters!!' } });
    expect(run.stderr).not.toContain('failed');
    expect(run.status).toBe(0);
    const [output] = readdirSync(out);
    const input = readDicomFile(file);
    const written = readDicomFile(join(out, output ?? ''));
    const pixels = (read: typeof input) => {
      const element = read.dataSet.find((item) => item.tag === 0x7fe00010);
      return read.inflated?.subarray(element?.valueOffset, (element?.valueOffset ?? 0) + (element?.valueLength ?? 0));
    };
    expect(pixels(written)?.length).toBe(24 * MB);
    expect(pixels(written)?.equals(pixels(input) ?? Buffer.alloc(0))).toBe(true);
    expect(runDcmdump(join(out, output ?? ''), ['-M'])).toMatch(/^\(7fe0,0010\) OB .* # 25165824, 1 PixelData$/m);
  }, 120_000);
});

// Values made of letters that are no hex digit and pair into no VR, so a message can hold a
// fragment of them only by copying the file's bytes.
const PLANTS = ['JHOZZQXWKYRJMGTV', 'XJQZWKYHVGRJZQXW', 'WQZXJHKYTVGRMOZJ'] as const;
const [NAME, ID, MEANING] = PLANTS;

/**
 * Fragments of the planted values a message holds: any two characters in a row; any tag
 * `(GGGG,EEEE)` with two planted characters in a row among its bytes (either byte order); any
 * number equal to two or four planted bytes read as an unsigned integer (either byte order).
 */
function plantedFragments(message: string): string[] {
  const found: string[] = [];
  const pairs = new Set(PLANTS.flatMap((plant) => [...plant].slice(1).map((char, index) => `${plant[index] ?? ''}${char}`)));
  const numbers = new Set<number>();
  for (const plant of PLANTS) {
    const bytes = Buffer.from(plant, 'latin1');
    for (let index = 0; index + 2 <= bytes.length; index += 1) numbers.add(bytes.readUInt16LE(index)).add(bytes.readUInt16BE(index));
    for (let index = 0; index + 4 <= bytes.length; index += 1) numbers.add(bytes.readUInt32LE(index)).add(bytes.readUInt32BE(index));
  }
  for (const pair of pairs) if (message.includes(pair)) found.push(`text ${pair}`);
  for (const [, group, element] of message.matchAll(/\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)/g)) {
    for (const half of [group, element]) {
      const value = Number.parseInt(half ?? '', 16);
      const texts = [String.fromCharCode(value & 0xff, value >> 8), String.fromCharCode(value >> 8, value & 0xff)];
      if (texts.some((text) => pairs.has(text))) found.push(`tag part ${half ?? ''}`);
    }
  }
  for (const [number] of message.matchAll(/\d+/g)) if (numbers.has(Number(number))) found.push(`number ${number}`);
  return found;
}

function implicitElement(group: number, element: number, value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value.length % 2 === 0 ? value : `${value} `, 'latin1') : value;
  const header = Buffer.alloc(8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.writeUInt32LE(bytes.length, 4);
  return Buffer.concat([header, bytes]);
}

/** A small data set holding the plants: Patient's Name, Patient ID, and a Code Meaning inside a sequence item. */
function plantedDataSet(explicit: boolean): Buffer {
  const element = (group: number, number: number, vr: string, value: Buffer | string) => (explicit ? explicitElement(group, number, vr, value) : implicitElement(group, number, value));
  const meaning = element(0x0008, 0x0104, 'LO', MEANING);
  const item = Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0]), Buffer.alloc(4), meaning]);
  item.writeUInt32LE(meaning.length, 4);
  return Buffer.concat([
    element(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    element(0x0008, 0x0018, 'UI', '1.2.3.4.5.6.7.8.9'),
    element(0x0008, 0x0060, 'CS', 'OT'),
    element(0x0010, 0x0010, 'PN', NAME),
    element(0x0010, 0x0020, 'LO', ID),
    element(0x0032, 0x1064, 'SQ', item),
    element(0x0040, 0x0254, 'LO', 'CHEST'),
  ]);
}

const PLANTED_FILES = {
  explicit: () => part10(plantedDataSet(true)),
  implicit: () => part10(plantedDataSet(false), '1.2.840.10008.1.2'),
  deflated: () => part10(deflateRawSync(plantedDataSet(true)), '1.2.840.10008.1.2.1.99'),
};

/**
 * Broken copies of `original`, each meant to make the reader meet planted bytes where it expects
 * structure: each length field set to land the next header on every byte of every plant, bytes
 * inserted and removed at every offset before the last plant, and every truncation.
 */
function brokenCopies(original: Buffer, file: ReturnType<typeof readDicomFile>): Buffer[] {
  const copies: Buffer[] = [];
  const data = file.inflated ?? original;
  const plantOffsets = PLANTS.map((plant) => data.indexOf(plant, 0, 'latin1'));
  const lastPlantEnd = Math.max(...plantOffsets) + 16;
  for (const field of lengthFields(file)) {
    for (const start of plantOffsets) {
      for (let target = start - 6; target < start + 16; target += 1) {
        const value = target - field.valueOffset;
        if (value >= 0 && value < 2 ** (8 * field.size) && value !== field.value) copies.push(withLength(original, file, field, value));
      }
    }
  }
  const space = file.inflated ? 'data set' : 'file';
  const firstOffset = file.inflated ? 0 : file.dataSetStart;
  for (let offset = firstOffset; offset < lastPlantEnd; offset += 1) {
    for (const shift of [1, 2, 3, 5]) {
      copies.push(editBytes(original, file, space, (bytes) => Buffer.concat([bytes.subarray(0, offset), bytes.subarray(offset + shift)])));
      copies.push(editBytes(original, file, space, (bytes) => Buffer.concat([bytes.subarray(0, offset), Buffer.alloc(shift, 0x20), bytes.subarray(offset)])));
    }
  }
  for (let size = 1; size < original.length; size += 1) copies.push(original.subarray(0, size));
  return copies;
}

describe('error messages hold no bytes of the file (issue 18, point 13)', () => {
  it.each(Object.keys(PLANTED_FILES) as (keyof typeof PLANTED_FILES)[])('names offsets, never planted bytes, reading %s files corrupted at every offset', (kind) => {
    const original = PLANTED_FILES[kind]();
    const folder = join(dir, `planted-${kind}`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'good.dcm'), original);
    const file = readDicomFile(join(folder, 'good.dcm'));
    const copies = brokenCopies(original, file);
    const leaks: string[] = [];
    let errors = 0;
    copies.forEach((bytes, index) => {
      const path = join(folder, `broken-${index}.dcm`);
      writeFileSync(path, bytes);
      try {
        const read = readDicomFile(path);
        for (const warning of read.warnings) for (const fragment of plantedFragments(warning)) leaks.push(`${index}: ${fragment} in warning ${warning}`);
      } catch (error) {
        errors += 1;
        const message = (error as Error).message.split(path).join('');
        for (const fragment of plantedFragments(message)) leaks.push(`${index}: ${fragment} in ${message}`);
      }
    });
    expect(errors).toBeGreaterThan(copies.length / 2);
    expect(leaks).toEqual([]);
  });

  it('keeps them out of the CLI\'s standard error and --json report too', () => {
    const folder = join(dir, 'planted-cli');
    mkdirSync(folder);
    for (const [kind, make] of Object.entries(PLANTED_FILES)) {
      const original = make();
      writeFileSync(join(folder, `${kind}-good.dcm`), original);
      const copies = brokenCopies(original, readDicomFile(join(folder, `${kind}-good.dcm`)));
      rmSync(join(folder, `${kind}-good.dcm`));
      // Every fourth copy: the folder stays small enough for one CLI run.
      copies.filter((_, index) => index % 4 === 0).forEach((bytes, index) => writeFileSync(join(folder, `${kind}-${index}.dcm`), bytes));
    }
    const env = { DICOM_DATA_DIR: join(dir, 'data-planted'), DICOM_ANON_SECRET: 'a-test-secret-of-32-characters!!' };
    const text = runCli(['anonymize', folder, '--out', join(dir, 'planted-out-text')], { env });
    const json = runCli(['anonymize', folder, '--out', join(dir, 'planted-out-json'), '--json'], { env });
    const report = JSON.parse(json.stdout) as { files: { status: string; reason?: string; warnings?: string[] }[] };
    const failed = report.files.filter((entry) => entry.status === 'failed');
    expect(failed.length).toBeGreaterThan(100);
    const messages = [
      ...text.stderr.split('\n').filter((line) => line.startsWith('dicom-tools: ')),
      ...json.stderr.split('\n').filter((line) => line.startsWith('dicom-tools: ')),
      ...report.files.flatMap((entry) => [entry.reason ?? '', ...(entry.warnings ?? [])]),
    ].map((message) => message.split(folder).join(''));
    expect(messages.flatMap((message) => plantedFragments(message).map((fragment) => `${fragment} in ${message}`))).toEqual([]);
  }, 120_000);
});
