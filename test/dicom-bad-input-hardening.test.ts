// Hostile input the reader must survive without leaking or exhausting the machine: deflate bombs
// (issue 18, point 11) and error messages built from corrupt bytes (point 13).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflateRaw } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { corpusDir } from './helpers/corpus.js';
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
