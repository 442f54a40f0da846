import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { anonymizeFiles } from '../src/pipeline/anonymize-files.js';
import { makeInstances } from './helpers/daemon-process.js';
import { corpusDir } from './helpers/corpus.js';
import { parseCsv } from './helpers/parse-csv.js';
import { runCli } from './helpers/run-cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'dicom-cli-anon-'));
const input = path.join(root, 'in');
const out = path.join(root, 'out');
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'a secret for the cli tests, 0123456789' };
afterAll(() => rmSync(root, { recursive: true, force: true }));

function csvRows(file: string): string[][] {
  return parseCsv(readFileSync(file, 'utf8'));
}

function zipEntries(file: string): string[] {
  const listing = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', file], { encoding: 'utf8' });
  return listing.trim().split('\n').sort();
}

beforeAll(() => {
  mkdirSync(path.join(input, 'nested', 'deeper'), { recursive: true });
  copyFileSync(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), path.join(input, 'DOE^JANE_IM1.dcm'));
  copyFileSync(path.join(corpusDir, 'dcmqats_2_ILE.dcm'), path.join(input, 'nested', 'IM2'));
  copyFileSync(path.join(corpusDir, 'dicomparser_report_dfl.dcm'), path.join(input, 'nested', 'deeper', 'report.dicom'));
  copyFileSync(path.join(corpusDir, 'fodicom_GH179B.dcm'), path.join(input, 'broken.dcm'));
  writeFileSync(path.join(input, 'nested', 'notes.txt'), 'not an image\n');
  copyFileSync(path.join(corpusDir, 'dcm4che_DICOMDIR'), path.join(input, 'DICOMDIR'));
});

describe('dicom-tools anonymize', () => {
  let result: ReturnType<typeof runCli>;
  beforeAll(() => {
    result = runCli(['anonymize', input, '--out', out, '--zip', path.join(root, 'study.zip'), '--mapping', path.join(root, 'mapping.csv')], { env });
  });

  it('anonymizes every DICOM file found by content, reports the broken one and exits 1', () => {
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${path.join(input, 'broken.dcm')}: Malformed DICOM: invalid VR bytes (not two upper-case letters) (at (0028,0120), byte offset 1402)`);
    expect(result.stderr).toContain('Anonymized 3 files into');
    expect(result.stderr).toContain('1 failed; 2 skipped (not DICOM images).');
    expect(readdirSync(out).sort()).toHaveLength(3);
    for (const name of readdirSync(out)) expect(name).toMatch(/^2\.25\.\d+\.dcm$/);
  });

  it('never writes patient data into names, logs or the ZIP', () => {
    expect(result.stderr).not.toContain('crlab'); // the Patient ID of the MR files
    expect(zipEntries(path.join(root, 'study.zip'))).toEqual(readdirSync(out).sort());
  });

  it('writes the mapping CSV with the product columns, mode 0600', () => {
    const rows = csvRows(path.join(root, 'mapping.csv'));
    expect(rows[0]).toEqual(['Original Filename', 'Anonymized Filename', 'Original Patient ID', 'Anonymized ID', 'Tags Anonymized', 'UIDs Regenerated']);
    expect(rows).toHaveLength(4);
    const mr = rows.find((row) => row[0]?.endsWith('DOE^JANE_IM1.dcm'));
    expect(mr?.[2]).toBe('crlab');
    expect(mr?.[3]).toMatch(/^ANON-[A-Z2-7]{10}$/);
    expect(mr?.[4]?.split(';').length).toBeGreaterThan(50);
    expect(mr?.[5]?.split(';')).toEqual(expect.arrayContaining(['SOPInstanceUID', 'StudyInstanceUID', 'SeriesInstanceUID']));
    expect(statSync(path.join(root, 'mapping.csv')).mode & 0o777).toBe(0o600);
    const output = readDicomFile(path.join(out, mr?.[1] ?? ''));
    expect(textAt(output, [], 0x00100020)).toEqual([mr?.[3]]);
  });

  it('keeps the mapping store and secret readable by the owner only', () => {
    for (const name of readdirSync(env.DICOM_DATA_DIR)) expect([name, statSync(path.join(env.DICOM_DATA_DIR, name)).mode & 0o077]).toEqual([name, 0]);
  });

  it('prints a JSON report with --json', () => {
    const json = runCli(['anonymize', path.join(input, 'DOE^JANE_IM1.dcm'), '--out', path.join(root, 'json-out'), '--json'], { env });
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as { anonymized: number; files: { status: string; output: string; anonymizedPatientId: string }[] };
    expect(report.anonymized).toBe(1);
    expect(report.files[0]?.status).toBe('anonymized');
    expect(json.stdout).not.toContain('crlab');
  });

  it('rejects usage errors with exit 2', () => {
    expect(runCli(['anonymize', input], { env }).status).toBe(2);
    expect(runCli(['anonymize', '--out', out], { env }).status).toBe(2);
    expect(runCli(['anonymize', input, '--out', out, '--keep-dates', '--shift-dates'], { env }).status).toBe(2);
  });

  it('fails a file whose output cannot be written, leaving no partial output', () => {
    const blocked = path.join(root, 'blocked');
    writeFileSync(blocked, 'a file where the output folder should be');
    const failed = runCli(['anonymize', path.join(input, 'DOE^JANE_IM1.dcm'), '--out', path.join(blocked, 'sub')], { env });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toBe(`dicom-tools anonymize: ${path.join(blocked, 'sub')}: cannot create the output folder: a file is in the way\n`);
    expect(existsSync(path.join(blocked, 'sub'))).toBe(false);
  });
});

describe('dicom-tools anonymize on a batch large enough for worker threads', () => {
  it('gives the same outputs as the in-process path, each recorded once', async () => {
    const many = path.join(root, 'many');
    const uids = await makeInstances(path.join(corpusDir, 'fodicom_GH223.dcm'), many, 80);
    const manyOut = path.join(root, 'many-out');
    const run = runCli(['anonymize', many, '--out', manyOut, '--mapping', path.join(root, 'many.csv')], { env });
    expect(run.status).toBe(0);
    const keys = new Pseudonymizer(Buffer.from(env.DICOM_ANON_SECRET, 'utf8'));
    expect(readdirSync(manyOut).sort()).toEqual(uids.map((uid) => `${keys.uid(uid)}.dcm`).sort());
    const rows = csvRows(path.join(root, 'many.csv'));
    expect(rows).toHaveLength(81);
    // The lists and UID pairs come back from the worker threads with each record.
    for (const row of rows.slice(1)) expect(row[5]?.split(';')).toContain('SOPInstanceUID');
    const batchId = /Mapping batch (b-\S+)\./.exec(run.stderr)?.[1] ?? '';
    const uidCsv = path.join(root, 'many-uids.csv');
    expect(runCli(['mapping', 'export', '--batch', batchId, '--uids', uidCsv], { env }).status).toBe(0);
    expect(csvRows(uidCsv)).toEqual(expect.arrayContaining(uids.map((uid) => [uid, keys.uid(uid)])));
    const inProcess = path.join(root, 'many-in-process');
    await anonymizeFiles({ inputs: [path.join(many, 'IM7')], outDir: inProcess, run: { options: DEFAULT_OPTIONS }, keys, batchId: 'x' });
    const [single] = readdirSync(inProcess);
    expect(readFileSync(path.join(manyOut, single ?? '')).equals(readFileSync(path.join(inProcess, single ?? '')))).toBe(true);
  });
});

describe('dicom-tools verify and mapping', () => {
  it('finds nothing in the outputs, against the originals or through the mapping', () => {
    const against = runCli(['verify', out, '--against', input], { env });
    // broken.dcm cannot be read, but every output was paired with its own original: said, not a finding.
    expect(against.stderr).toBe('1 file under --against could not be read; every output was paired with an original that could.\nVerified 3 files: no findings.\n');
    expect(against.status).toBe(0);
    const mapped = runCli(['verify', out, '--mapping'], { env });
    expect(mapped.status).toBe(0);
  });

  it('finds the identity in files that were not anonymized, naming tags and never values', () => {
    const originals = runCli(['verify', path.join(input, 'DOE^JANE_IM1.dcm'), '--against', input], { env });
    expect(originals.status).toBe(1);
    expect(originals.stdout).toContain('not-replaced: (0010,0010) PatientName');
    expect(originals.stdout).toContain('leak: the value of (0010,0020) PatientID');
    expect(originals.stdout).not.toContain('crlab');
  });

  it('exports the mapping from the store', () => {
    const csv = path.join(root, 'all.csv');
    const exported = runCli(['mapping', 'export', '--out', csv], { env });
    expect(exported.status).toBe(0);
    expect(csvRows(csv).length).toBe(1 + 3 + 1 + 80);
    const batches = runCli(['mapping', 'batches'], { env });
    expect(batches.stdout.trim().split('\n')).toHaveLength(3);
  });
});
