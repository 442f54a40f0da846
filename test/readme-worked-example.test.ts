import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusDir } from './helpers/corpus.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';
import { CLI } from './helpers/run-cli.js';

// The README's worked example ("Prepare a research export") is run as it is written, in bash, with
// `npx dicom-tools` being this build: every output line it shows must be what the commands print
// (batch ids, times and durations aside), and what its prose says of the outputs must hold.

const repo = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### Prepare a research export'), readme.indexOf('### Conformance notes'));
const block = section.slice(section.indexOf('```sh\n') + 6, section.indexOf('\n```', section.indexOf('```sh\n')));

const normalise = (text: string) =>
  text
    .replace(/b-\d{8}T\d{6}Z-[0-9a-f]{12}/g, 'b-…')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, 'TIME')
    .replace(/ in \d+(\.\d+)? s\./g, ' in … s.')
    .replace(/\s+/g, ' ');

describe('the README worked example', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'dicom-worked-example-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const script = `set -euo pipefail\nnpx() { shift; node ${JSON.stringify(CLI)} "$@"; }\n${block}\n`;
  const run = spawnSync('bash', ['-c', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, HOME: root, CORPUS: corpusDir.replace(/\/$/, ''), DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'the worked example secret, 0123456789' },
  });
  const printed = normalise((run.stdout + run.stderr).replaceAll(root, '~'));

  it('runs as written', () => {
    expect(block).toContain('npx dicom-tools anonymize');
    expect({ status: run.status, stderr: run.stderr }).toMatchObject({ status: 0 });
  });

  it('prints every output line it shows', () => {
    const shown = block.split('\n').filter((line) => line.startsWith('#   ')).map((line) => normalise(line.slice(4)).trim());
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.filter((line) => !printed.includes(line))).toEqual([]);
  });

  it('names its rules file by the hash its bytes have', () => {
    const hash = spawnSync('sha256sum', [path.join(root, 'site-rules.json')], { encoding: 'utf8' }).stdout.slice(0, 12);
    expect(block).toContain(`sha256:${hash}`);
  });

  it('makes outputs that look as its prose says', () => {
    const outputs = readdirSync(path.join(root, 'export')).map((name) => dcmdumpElements(path.join(root, 'export', name)));
    const value = (elements: (typeof outputs)[number], tag: number) => elements.find((element) => element.tag === tag && element.depth === 0)?.value;
    const mr = outputs.find((elements) => value(elements, 0x00080060) === 'MR');
    const ct = outputs.find((elements) => value(elements, 0x00080060) === 'CT');
    expect(value(mr!, 0x0008103e)).toBe('Accelerated SAG IR-SPGR');
    expect(section).toContain('`Accelerated SAG IR-SPGR`');
    for (const [elements, original] of [[mr!, '20240425'], [ct!, '20040826']] as const) {
      expect(section).toContain(original);
      expect(value(elements, 0x00080020)).toMatch(/^\d{8}$/);
      expect(value(elements, 0x00080020)).not.toBe(original);
    }
    expect(value(ct!, 0x00100040)).toBe('O');
    const codes = (elements: (typeof outputs)[number]) => elements.filter((element) => element.tag === 0x00080100 && element.depth === 1 && element.path[0] === 0x00120064).map((element) => element.value);
    expect(codes(ct!)).toEqual(['113100', '113101', '113105', '113107', '113108', '113109', '113111']);
    // The MR came de-identified once before (113102): its earlier code stays after ours.
    expect(codes(mr!)).toEqual(['113100', '113101', '113105', '113107', '113108', '113109', '113111', '113102']);
    expect(section.replace(/\s+/g, ' ')).toContain('the MR keeps the 113102 it came with');
    expect(section).toContain('113100, 113101, 113105, 113107, 113108, 113109 and 113111');
    expect(mr!.some((element) => element.depth === 0 && (element.tag >>> 16) % 2 === 1 && (element.tag & 0xffff) >= 0x1000)).toBe(true);
  });
});
