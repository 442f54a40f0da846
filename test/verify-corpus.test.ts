// The leak gate must be believed: a clean default run of the shared corpus through `anonymize` then
// `verify --against` reports nothing, while a value that truly survives, or an original verify
// cannot read, still fails it (issue 18, point 20).
import { copyFileSync, readdirSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { burnedInSigns } from '../src/pixels/burned-in-risk.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { corpusDir } from './helpers/corpus.js';
import { runCli } from './helpers/run-cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'dicom-verify-corpus-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'a secret for the verify corpus tests, 0123456789';
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: SECRET };
const keys = new Pseudonymizer(Buffer.from(SECRET, 'utf8'));
const out = path.join(root, 'out');
const PATIENT_NAME = 0x00100010;
const SOP_INSTANCE_UID = 0x00080018;
const IMAGE_COMMENTS = 0x00204000;

interface Report {
  readonly files: number;
  readonly originals: number;
  readonly findings: readonly { readonly file: string; readonly kind: string; readonly tag?: string; readonly detail: string }[];
}

function verifyJson(outputs: string, against: string): { status: number | null; report: Report; stdout: string } {
  const result = runCli(['verify', outputs, '--against', against, '--json'], { env });
  return { status: result.status, report: JSON.parse(result.stdout) as Report, stdout: result.stdout };
}

/** A folder holding only the given files (copies), for verify to check a few outputs. */
function folderOf(name: string, files: readonly string[]): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const file of files) copyFileSync(file, path.join(dir, path.basename(file)));
  return dir;
}

/** The output the clean run made from a corpus file: named by its keyed SOP Instance UID. */
function outputOf(corpusName: string): string {
  const uid = textAt(readDicomFile(path.join(corpusDir, corpusName)), [], SOP_INSTANCE_UID)[0] ?? '';
  return path.join(out, `${keys.uid(uid)}.dcm`);
}

beforeAll(() => {
  // The corpus holds secondary captures and ultrasound: accepted, as this test is about the header.
  const made = runCli(['anonymize', corpusDir, '--out', out, '--burned-in', 'accept'], { env });
  expect(made.stderr).toMatch(/Anonymized \d+ files/);
});

describe('verify --against the shared corpus after a clean default run', () => {
  it('reports no finding but that the images which may carry burned-in text were passed uncleaned', () => {
    const { status, report } = verifyJson(out, corpusDir);
    expect(report.findings.filter((finding) => finding.kind !== 'pixels-not-cleaned')).toEqual([]);
    // Accepted as they are, so each at-risk output is reported, and only those.
    const atRisk = readdirSync(out).filter((name) => burnedInSigns(readDicomFile(path.join(out, name))).length > 0);
    expect(atRisk.length).toBeGreaterThan(5);
    expect(report.findings.map((finding) => path.basename(finding.file)).sort()).toEqual(atRisk.sort());
    expect(status).toBe(1);
    expect(report.files).toBeGreaterThan(50);
  });

  it('still finds an original copied among the outputs, naming tags, never values', () => {
    const original = path.join(corpusDir, 'dcmjs_sample-sr.dcm');
    const { status, report, stdout } = verifyJson(folderOf('copied', [outputOf('dcmqats_1_ELE.dcm'), original]), corpusDir);
    expect(status).toBe(1);
    const leaks = report.findings.filter((finding) => finding.kind === 'leak');
    expect(leaks.length).toBeGreaterThan(0);
    expect(new Set(leaks.map((finding) => path.basename(finding.file)))).toEqual(new Set(['dcmjs_sample-sr.dcm']));
    for (const name of textAt(readDicomFile(original), [], PATIENT_NAME)) expect(stdout).not.toContain(name);
  });

  it('still finds a patient\'s name written into a kept attribute of its own output', async () => {
    const name = textAt(readDicomFile(path.join(corpusDir, 'dcmqats_1_ELE.dcm')), [], PATIENT_NAME)[0] ?? '';
    expect(name.length).toBeGreaterThanOrEqual(5);
    const doctored = path.join(root, 'doctored', 'doctored.dcm');
    mkdirSync(path.dirname(doctored), { recursive: true });
    await writeDicomFile(readDicomFile(outputOf('dcmqats_1_ELE.dcm')), new Map([[IMAGE_COMMENTS, { op: 'set', vr: 'LT', value: `seen: ${name} ok` }]]), doctored);
    const { status, report } = verifyJson(path.dirname(doctored), corpusDir);
    expect(status).toBe(1);
    expect(report.findings.map((finding) => [finding.kind, finding.tag, path.basename(finding.file)])).toContainEqual(['leak', '(0010,0010)', 'doctored.dcm']);
  });

  it('fails ("cannot check") when the original of an output cannot be read, never passes', () => {
    const originals = folderOf('unreadable-original', [path.join(corpusDir, 'dcmjs_sample-sr.dcm')]);
    const original = path.join(originals, 'dcmjs_sample-sr.dcm');
    const outputs = path.join(root, 'unreadable-out');
    expect(runCli(['anonymize', originals, '--out', outputs], { env }).status).toBe(0);
    // Cut short after its first kilobyte: the reader refuses it.
    writeFileSync(original, readFileSync(original).subarray(0, 1024));
    const { status, report } = verifyJson(outputs, originals);
    expect(status).toBe(1);
    expect(report.findings.map((finding) => [finding.kind, path.basename(path.dirname(finding.file))])).toEqual([
      ['cannot-check', 'unreadable-out'],
      ['cannot-check', 'unreadable-original'],
    ]);
  });
});
