// Every output reads in an independent reader (DCMTK's dcmdump), or the file is refused with a
// typed reason: a few hundred deterministic mutants of small corpus files and planted files,
// anonymized through the batch's writer. What we cannot write validly is refused, never copied.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { planDeidentification } from '../src/deid/plan-deid.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { DicomError } from '../src/dicom/errors.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { writeDeidentifiedTemporary } from '../src/pipeline/write-deidentified.js';
import { seededRandom } from './helpers/broken-files.js';
import { corpusDir } from './helpers/corpus.js';
import { dcmdumpErrorsOfMany } from './helpers/dcmdump-meta.js';
import { mutantsOf, type Mutant } from './helpers/mutants.js';
import { generatePlantedStudy } from './helpers/planted-study.js';

const root = mkdtempSync(path.join(tmpdir(), 'dicom-writable-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('the writable outputs test secret!', 'utf8'));

/** Small Explicit VR LE corpus files with sequences, private elements and character sets. */
const CORPUS_SOURCES = ['fodicom_GH220.dcm', 'fodicom_chrSQEncoding1.dcm', 'fodicom_GH223.dcm', 'fodicom_GH178.dcm', 'dcmjs_sample-sr.dcm', 'fodicom_chrGreek.dcm'];
const PER_SOURCE = 50;

type Outcome = { readonly kind: 'refused' } | { readonly kind: 'written'; readonly output: string } | { readonly kind: 'bug'; readonly error: string };

let sources: { name: string; path: string }[] = [];
beforeAll(async () => {
  sources = CORPUS_SOURCES.map((name) => ({ name, path: path.join(corpusDir, name) }));
  // Planted files: a private sequence, nested sequences, in Explicit and in Implicit VR.
  for (const base of ['dcmqats_1_ELE.dcm', 'dcmqats_2_ILE.dcm']) {
    const study = await generatePlantedStudy(path.join(root, `planted-${base}`), { files: 1, base });
    sources.push({ name: `planted ${base}`, path: study.files[0] ?? '' });
  }
});

/** Anonymizes `file` to `output` as the batch and the daemon do (renamed into place, not flushed). */
function outcomeOf(file: string, options: DeidOptions, output: string): Outcome {
  try {
    const parsed = readDicomFile(file);
    // The planted files (secondary capture device attributes) and fodicom_chrGreek (a secondary capture) may
    // carry burned-in text: accepted, as this test is about what the writer writes.
    const { pending } = writeDeidentifiedTemporary(parsed, planDeidentification(parsed, { ...options, burnedIn: 'accept' }, keys), output);
    renameSync(pending.temporary, pending.target);
    return { kind: 'written', output };
  } catch (error) {
    // A typed refusal names the file and the problem: the batch reports it, the daemon quarantines it.
    if (error instanceof DicomError) return { kind: 'refused' };
    return { kind: 'bug', error: String(error) };
  }
}

function mutantsOfSources(): { source: string; mutant: Mutant }[] {
  const all: { source: string; mutant: Mutant }[] = [];
  sources.forEach((source, index) => {
    const random = seededRandom(1000 + index);
    const bytes = readFileSync(source.path);
    for (const mutant of mutantsOf(bytes, readDicomFile(source.path), random, PER_SOURCE)) all.push({ source: source.name, mutant });
  });
  return all;
}

describe.each([
  ['with the default options', DEFAULT_OPTIONS],
  ['with private tags kept', { ...DEFAULT_OPTIONS, removePrivate: false }],
] as const)('mutated files anonymized %s', (label, options) => {
  it('each give a typed refusal or an output dcmdump reads without error', () => {
    const dir = path.join(root, label.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    const failures: string[] = [];
    const written = new Map<string, string>();
    let refused = 0;
    mutantsOfSources().forEach(({ source, mutant }, index) => {
      const input = path.join(dir, 'in.dcm');
      writeFileSync(input, mutant.bytes);
      const outcome = outcomeOf(input, options, path.join(dir, `out-${index}.dcm`));
      if (outcome.kind === 'bug') failures.push(`${source}, ${mutant.name}: not a typed error: ${outcome.error}`);
      else if (outcome.kind === 'written') written.set(outcome.output, `${source}, ${mutant.name}`);
      else refused++;
    });
    for (const [output, errors] of dcmdumpErrorsOfMany([...written.keys()])) failures.push(`${written.get(output) ?? output}: dcmdump: ${errors.join(' | ')}`);
    expect(failures).toEqual([]);
    // The mix must exercise both ends: many outputs written, and refusals.
    expect(written.size).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(50);
  });
});
