import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { profileEntryByKeyword, profileEntryFor } from '../src/deid/profile.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { STANDARD_OPTION_NAMES, type StandardOption } from '../src/deid/standard-options.js';
import { textAt, valueBytes } from '../src/dicom/element-access.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { anonymizeFiles } from '../src/pipeline/anonymize-files.js';
import { findLeaks, identifyingValues, verifyOutput } from '../src/pipeline/verify.js';
import { BURNED_IN_ACCEPTED_WARNING } from '../src/pixels/burned-in-risk.js';
import { corpusDir } from './helpers/corpus.js';
import { findPlanted, generatePlantedStudy, type PlantedStudy } from './helpers/planted-study.js';
import { runCli } from './helpers/run-cli.js';

// The standard options on real files and planted studies: what an option keeps comes through byte
// for byte, everything else still obeys the Basic Profile, and verify and the leak gate agree.

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
const root = mkdtempSync(path.join(tmpdir(), 'dicom-standard-options-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('standard options test secret 32!', 'utf8'));
const REAL_FILE = 'dicomparser_CT0012.not_fragmented_bot_rle.dcm';
const CHARACTERISTICS = ['PatientSex', 'PatientAge', 'PatientSize', 'PatientWeight'];
const DEVICE = ['StationName', 'DeviceSerialNumber'];

let study: PlantedStudy;
beforeAll(async () => {
  study = await generatePlantedStudy(path.join(root, 'planted'), { files: 2, seed: 'STD' });
});

// The planted study holds values in the secondary capture device attributes, so its images count as at
// risk of burned-in text: accepted for it, as this test is about the header.
const PLANTED: Partial<DeidOptions> = { burnedIn: 'accept' };

async function anonymize(name: string, inputs: readonly string[], standardOptions: StandardOption[], more: Partial<DeidOptions> = {}) {
  const options: DeidOptions = { ...DEFAULT_OPTIONS, ...more, standardOptions };
  const summary = await anonymizeFiles({ inputs: [...inputs], outDir: path.join(root, name), run: { options }, keys, batchId: name });
  expect(summary.failed).toBe(0);
  return { options, pairs: summary.results.map((result) => [result.input, result.output ?? ''] as const) };
}

const tagOf = (keyword: string) => profileEntryByKeyword(keyword)?.tag ?? 0;
const bytesOf = (file: DicomFile, keyword: string) => {
  const element = file.dataSet.find((candidate) => candidate.tag === tagOf(keyword));
  return element ? Buffer.from(valueBytes(file, element) ?? []).toString('hex') : undefined;
};

function expectKeptAsIs(input: string, output: string, keywords: readonly string[]): void {
  const before = readDicomFile(input);
  const after = readDicomFile(output);
  for (const keyword of keywords) {
    const original = bytesOf(before, keyword);
    expect([keyword, original === undefined || original === '']).toEqual([keyword, false]);
    expect([keyword, bytesOf(after, keyword)]).toEqual([keyword, original]);
  }
}

function expectBasicProfileElsewhere(options: DeidOptions, pairs: readonly (readonly [string, string])[]): void {
  for (const [input, output] of pairs) {
    expect(verifyOutput(output, options)).toEqual([]);
    expect(findLeaks(output, identifyingValues(input, options))).toEqual([]);
    const after = readDicomFile(output);
    expect(textAt(after, [], tagOf('PatientName'))[0]).not.toBe(textAt(readDicomFile(input), [], tagOf('PatientName'))[0]);
    expect(textAt(after, [], 0x00120062)).toEqual(['YES']);
  }
}

const codesOf = (file: DicomFile) =>
  (file.dataSet.find((element) => element.tag === 0x00120064)?.items ?? []).map((_item, index) => textAt(file, [{ tag: 0x00120064, item: index }], 0x00080100)[0]);

describe('Retain Patient Characteristics', () => {
  it('keeps sex, age, size and weight of a real file byte for byte; names and IDs still go', async () => {
    const { options, pairs } = await anonymize('real-characteristics', [path.join(corpusDir, REAL_FILE)], ['retain-patient-characteristics']);
    const [input, output] = pairs[0] ?? ['', ''];
    expectKeptAsIs(input, output, CHARACTERISTICS);
    expectBasicProfileElsewhere(options, pairs);
    const after = readDicomFile(output);
    expect(textAt(after, [], tagOf('PatientID'))[0]).not.toBe(textAt(readDicomFile(input), [], tagOf('PatientID'))[0]);
    expect(bytesOf(after, 'StationName')).not.toBe(bytesOf(readDicomFile(input), 'StationName'));
    expect(codesOf(after)).toEqual(['113100', '113108']);
    expect(textAt(after, [], 0x00120063)).toEqual(['DICOM Tools', 'PS3.15 2024b Basic Application Confidentiality Profile', 'Retain Patient Characteristics Option']);
  });

  it('lets through, of a planted study, only values of rows its column marks K, and C rows cleaned', async () => {
    const { options, pairs } = await anonymize('planted-characteristics', [study.dir], ['retain-patient-characteristics'], PLANTED);
    for (const [input, output] of pairs) expectKeptAsIs(input, output, ['PatientSex', 'EthnicGroup', 'PatientAge', 'PatientWeight']);
    const left = pairs.flatMap(([, output]) => findPlanted(readFileSync(output), study.planted));
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((value) => profileEntryFor(value.tag)?.actions.retainPatientCharacteristics !== 'K').map((value) => value.keyword)).toEqual(
      // C: free text kept, cleaned of the file's identity (a planted token names no one, so it stays).
      left.filter((value) => profileEntryFor(value.tag)?.actions.retainPatientCharacteristics === 'C').map((value) => value.keyword),
    );
    expectBasicProfileElsewhere(options, pairs);
  });
});

describe('Retain Device Identity', () => {
  it('keeps the device rows marked K at the top and nested, AE titles go, verify and the leak gate pass', async () => {
    const { options, pairs } = await anonymize('planted-device', [study.dir], ['retain-device-identity'], PLANTED);
    for (const [input, output] of pairs) expectKeptAsIs(input, output, DEVICE);
    const left = pairs.flatMap(([, output]) => findPlanted(readFileSync(output), study.planted));
    expect([...new Set(left.filter((value) => value.location === 'nested').map((value) => value.keyword))].sort()).toEqual(['DeviceSerialNumber', 'StationName', 'XRaySourceID']);
    expect(left.filter((value) => profileEntryFor(value.tag)?.actions.retainDevice !== 'K').map((value) => value.keyword)).toEqual([]);
    expectBasicProfileElsewhere(options, pairs);
    expect(codesOf(readDicomFile(pairs[0]?.[1] ?? ''))).toEqual(['113100', '113109']);
  });

  it('on a real file: station name and serial number stay', async () => {
    const { options, pairs } = await anonymize('real-device', [path.join(corpusDir, REAL_FILE)], ['retain-device-identity']);
    const [input, output] = pairs[0] ?? ['', ''];
    expectKeptAsIs(input, output, DEVICE);
    expectBasicProfileElsewhere(options, pairs);
  });
});

describe('the command line', () => {
  const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'a secret for the standard options tests, 0123' };
  let input: string;
  let out: string;
  let report: { options: DeidOptions; batchId: string };
  beforeAll(() => {
    input = path.join(root, 'cli-in');
    mkdirSync(input);
    for (const file of study.files) copyFileSync(file, path.join(input, path.basename(file)));
    out = path.join(root, 'cli-out');
    // The planted study's images are at risk of burned-in text (see PLANTED): accepted, which the CLI warns of once.
    const result = runCli(['anonymize', input, '--out', out, '--option', 'retain-patient-characteristics', '--option', 'retain-device-identity', '--burned-in', 'accept', '--json'], { env });
    expect(result.stderr).toBe(`dicom-tools anonymize: warning: ${BURNED_IN_ACCEPTED_WARNING}\n`);
    expect(result.status).toBe(0);
    report = JSON.parse(result.stdout) as typeof report;
  });

  it('anonymizes with --option and stores the options with the batch', () => {
    expect(report.options.standardOptions).toEqual(['retain-patient-characteristics', 'retain-device-identity']);
    const db = new Sqlite(path.join(env.DICOM_DATA_DIR, 'mapping.sqlite'), { readonly: true });
    try {
      const stored = db.prepare('SELECT options FROM batches WHERE id = ?').pluck().get(report.batchId) as string;
      expect((JSON.parse(stored) as DeidOptions).standardOptions).toEqual(['retain-patient-characteristics', 'retain-device-identity']);
    } finally {
      db.close();
    }
  });

  it('verify with the same options passes, also as a leak gate; without them it finds what the options kept', () => {
    const options = ['--option', 'retain-patient-characteristics', '--option', 'retain-device-identity'];
    const same = runCli(['verify', out, '--against', input, ...options, '--json'], { env });
    expect(JSON.parse(same.stdout)).toMatchObject({ findings: [] });
    expect(same.status).toBe(0);
    const plain = runCli(['verify', out, '--json'], { env });
    expect(plain.status).toBe(1);
    const findings = (JSON.parse(plain.stdout) as { findings: { tag: string }[] }).findings.map((finding) => finding.tag);
    expect(findings).toEqual(expect.arrayContaining(['(0010,0040)', '(0008,1010)']));
  });

  it('refuses an unknown option name and a bad DICOM_PROFILE, naming what is allowed', () => {
    const flag = runCli(['anonymize', input, '--out', out, '--option', 'clean-everything'], { env });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain(
      `--option must be one of ${STANDARD_OPTION_NAMES.join(', ')}, not "clean-everything"`,
    );
    const variable = runCli(['verify', out], { env: { ...env, DICOM_PROFILE: 'tcia' } });
    expect(variable.status).toBe(2); // a configuration error, as for every DICOM_* variable
    expect(variable.stderr).toBe('dicom-tools verify: DICOM_PROFILE must be one of basic, research, not "tcia"\n');
  });
});
