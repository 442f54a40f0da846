import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDump } from '../src/dicom/dump.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { corpusDir } from './helpers/corpus.js';
import { runCli } from './helpers/run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dicom-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sample = path.join(corpusDir, 'dcmqats_1_ELE.dcm');

describe('dicom-tools (the built program)', () => {
  it('prints usage with --help and exits 0', () => {
    const result = runCli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: dicom-tools COMMAND [options]');
    expect(result.stdout).toContain('inspect');
  });

  it('exits 2 with usage for an unknown command, and for no command without a terminal', () => {
    const unknown = runCli(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(runCli([]).status).toBe(2);
  });

  it('inspect prints the same dump as the engine', () => {
    const result = runCli(['inspect', sample]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${formatDump(readDicomFile(sample))}\n`);
  });

  it('inspect --json gives a document with the transfer syntax and nested elements', () => {
    const result = runCli(['inspect', '--json', path.join(corpusDir, 'fodicom_GH223.dcm')]);
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as { transferSyntax: { uid: string }; dataSet: { tag: string; items?: unknown[][] }[] };
    expect(json.transferSyntax.uid).toBe('1.2.840.10008.1.2.1');
    expect(json.dataSet.find((element) => element.tag === '(01F3,1011)')?.items?.length).toBe(2);
  });

  it('inspect reports a non-DICOM file by name, goes on with the next, and exits 1', () => {
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'Patient: Jane Roe, born 1970-01-01\n');
    const result = runCli(['inspect', text, sample]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`dicom-tools: ${text}: File not recognized as DICOM: no DICM prefix at byte 128 and the first bytes are not a DICOM data set element (byte offset 0)\n`);
    expect(result.stdout).toContain('# File: ');
    expect(result.stdout).toContain('(7FE0,0010)');
  });

  it('inspect without a file is a usage error (exit 2)', () => {
    const result = runCli(['inspect']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('inspect needs at least one FILE');
  });
});
