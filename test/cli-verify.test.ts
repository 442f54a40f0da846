import { copyFileSync, cpSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOurOutput } from '../src/pipeline/our-output.js';
import type { ElementEdit } from '../src/dicom/edits.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { corpusDir } from './helpers/corpus.js';
import { generatePlantedStudy, type PlantedStudy } from './helpers/planted-study.js';
import { runCli } from './helpers/run-cli.js';

// `verify OUT --against DIR` where DIR also holds earlier outputs (the TUI writes DIR/anonymized/):
// those are no originals, and their dummies and pseudonyms must not be searched for as leaks.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-cli-verify-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'a secret for the verify tests, 0123456789' };
const IMAGE_COMMENTS: Tag = 0x00204000;

let study: PlantedStudy;
/** A study folder with its anonymized outputs inside, in DIR/anonymized, made by the built CLI. */
let template: string;

beforeAll(async () => {
  template = path.join(root, 'template');
  study = await generatePlantedStudy(template, { files: 3 });
  // The planted study fills the secondary capture device attributes, so its images are at risk of
  // burned-in text: accepted, as this test is about verify.
  const made = runCli(['anonymize', template, '--out', path.join(template, 'anonymized'), '--burned-in', 'accept'], { env });
  expect(made.status).toBe(0);
});

let counter = 0;
/** A fresh copy of the study and its outputs, for a test to change. */
function studyCopy(): { dir: string; outputs: string } {
  const dir = path.join(root, `case-${++counter}`);
  cpSync(template, dir, { recursive: true });
  return { dir, outputs: path.join(dir, 'anonymized') };
}

interface Report {
  readonly files: number;
  readonly originals?: number;
  readonly skippedOriginals?: number;
  readonly findings: readonly { readonly file: string; readonly kind: string; readonly tag?: string; readonly detail: string }[];
}

function verifyJson(args: readonly string[]): { status: number | null; report: Report } {
  const result = runCli(['verify', ...args, '--json'], { env });
  return { status: result.status, report: JSON.parse(result.stdout) as Report };
}

/**
 * No planted value (or the patient's name and ID) in what verify printed. Findings name the original
 * by its path, which the planted study builds from the Patient ID: the originals' names are taken out
 * first (naming files is verify.ts's business; this checks that no value from inside a file shows).
 */
function expectNoValues(text: string, dir: string): void {
  let shown = text;
  for (const file of study.files) shown = shown.replaceAll(path.join(dir, path.basename(file)), '<original>');
  for (const value of [...study.planted.map((entry) => entry.value), study.patientName, study.patientId]) expect(shown).not.toContain(value);
}

describe('dicom-tools verify --against a folder holding earlier outputs', () => {
  it('skips our own outputs among the originals, says how many, and finds nothing', () => {
    const { dir, outputs } = studyCopy();
    const text = runCli(['verify', outputs, '--against', dir], { env });
    expect(text.stdout).toBe('');
    expect(text.stderr).toBe('Skipped 3 files under --against: our own de-identified outputs, not originals.\nVerified 3 files: no findings.\n');
    expect(text.status).toBe(0);
    expect(verifyJson([outputs, '--against', dir])).toEqual({ status: 0, report: { files: 3, originals: 3, skippedOriginals: 3, unreadableOriginals: 0, findings: [] } });
  });

  it('still flags an original copied unchanged into the outputs folder, naming tags, never values', () => {
    const { dir, outputs } = studyCopy();
    const copy = path.join(outputs, 'copied.dcm');
    copyFileSync(study.files[0] ?? '', copy);
    const { status, report } = verifyJson([outputs, '--against', dir]);
    expect(status).toBe(1);
    expect(report).toMatchObject({ files: 4, originals: 4, skippedOriginals: 3 });
    const leaks = report.findings.filter((finding) => finding.kind === 'leak');
    expect(new Set(leaks.map((finding) => finding.file))).toEqual(new Set([copy]));
    expect(leaks.map((finding) => finding.tag)).toContain('(0010,0010)');
    expectNoValues(JSON.stringify(report), dir);
    const text = runCli(['verify', outputs, '--against', dir], { env });
    expect(text.stderr).toContain('Skipped 3 files under --against: our own de-identified outputs, not originals.\n');
    expectNoValues(text.stdout + text.stderr, dir);
  });

  it('still finds an original value planted into one of our outputs, which keeps our markers', async () => {
    const { dir, outputs } = studyCopy();
    const [name] = readdirSync(outputs);
    const doctored = path.join(outputs, name ?? '');
    const edits = new Map<Tag, ElementEdit>([[IMAGE_COMMENTS, { op: 'set', value: study.patientName }]]);
    await writeDicomFile(readDicomFile(doctored), edits, `${doctored}.new`);
    renameSync(`${doctored}.new`, doctored);
    expect(isOurOutput(doctored)).toBe(true);

    const { status, report } = verifyJson([outputs, '--against', dir]);
    expect(status).toBe(1);
    expect(report).toMatchObject({ originals: 3, skippedOriginals: 3 });
    const leaks = report.findings.filter((finding) => finding.kind === 'leak');
    expect(leaks.length).toBeGreaterThan(0);
    // Which original attribute is named depends on where the study also holds the name; the file is what counts.
    expect(new Set(leaks.map((finding) => finding.file))).toEqual(new Set([doctored]));
    expectNoValues(JSON.stringify(report), dir);
  });

  it('warns when every file under --against is one of our outputs, and fails: no output could be checked', () => {
    const { outputs } = studyCopy();
    const text = runCli(['verify', outputs, '--against', outputs], { env });
    expect(text.stderr).toBe(
      'Skipped 3 files under --against: our own de-identified outputs, not originals.\n' +
        'Warning: --against gave no originals, so nothing was searched for leaks (to check outputs made from our own outputs, use --mapping).\n' +
        'Verified 3 files: 3 findings.\n',
    );
    expect(text.status).toBe(1);
    const { report } = verifyJson([outputs, '--against', outputs]);
    expect(report).toMatchObject({ originals: 0, skippedOriginals: 3 });
    expect(report.findings.map((finding) => finding.kind)).toEqual(['cannot-check', 'cannot-check', 'cannot-check']);
  });
});

describe('isOurOutput', () => {
  it('is true for our outputs only: not for originals, another tool\'s de-identified files, or files that are not DICOM', async () => {
    const outputs = path.join(template, 'anonymized');
    for (const name of readdirSync(outputs)) expect(isOurOutput(path.join(outputs, name))).toBe(true);
    for (const file of study.files) expect(isOurOutput(file)).toBe(false);
    const other = path.join(root, 'other-tool.dcm');
    const otherMethod = new Map<Tag, ElementEdit>([[0x00120063, { op: 'set', value: ['Other Tool', 'DICOM Tools'] }]]);
    await writeDicomFile(readDicomFile(path.join(corpusDir, 'dcmqats_1_ELE.dcm')), otherMethod, other);
    expect(isOurOutput(other)).toBe(false);
    const text = path.join(root, 'notes.txt');
    writeFileSync(text, 'not DICOM\n');
    expect(isOurOutput(text)).toBe(false);
  });
});
