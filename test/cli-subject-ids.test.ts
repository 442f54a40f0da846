import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_EDITION } from '../src/deid/profile.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';
import { parseCsv } from './helpers/parse-csv.js';
import { generatePlantedStudy, type PlantedStudy } from './helpers/planted-study.js';
import { runCli } from './helpers/run-cli.js';

// Pre-assigned subject IDs end to end: two planted patients, real CLI processes, outputs read back
// by dcmdump (an independent reader), the mapping CSV and the store's patient pairs.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-cli-subjects-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'a secret for the subject-ID cli tests';
const keys = new Pseudonymizer(Buffer.from(SECRET, 'utf8'));
const input = path.join(root, 'in');
const SUBJECT_A = 'STUDY42-SUBJ-001';
const SUBJECT_B = 'STUDY42-SUBJ-002';
let studyA: PlantedStudy;
let studyB: PlantedStudy;
/** The inputs per patient, under names without patient data (the planted names carry the Patient ID). */
const inputsOf = { A: [] as string[], B: [] as string[] };

const PATIENT_ID = 0x00100020;
const PATIENT_NAME = 0x00100010;
const DEIDENTIFICATION_METHOD = 0x00120063;

let cases = 0;
function run(args: readonly string[], list?: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const dir = path.join(root, `case-${++cases}`);
  mkdirSync(dir);
  // The planted studies carry secondary capture device attributes, so may carry burned-in text:
  // accepted, as these tests are about subject IDs.
  const env = { DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET, DICOM_BURNED_IN: 'accept', ...extraEnv };
  const out = path.join(dir, 'out');
  const listArgs = list === undefined ? [] : ['--patient-ids', writeList(dir, list)];
  const result = runCli(['anonymize', input, '--out', out, '--mapping', path.join(dir, 'mapping.csv'), ...listArgs, ...args], { env });
  return { ...result, dir, out, env, list: path.join(dir, 'subjects.csv') };
}

function writeList(dir: string, text: string): string {
  const file = path.join(dir, 'subjects.csv');
  writeFileSync(file, text);
  return file;
}

/** Patient ID and Name of every output, as dcmdump reads them. */
function patientsOf(out: string): { id: string; name: string }[] {
  return readdirSync(out).map((name) => {
    const elements = dcmdumpElements(path.join(out, name)).filter((element) => element.depth === 0);
    return { id: elements.find((element) => element.tag === PATIENT_ID)?.value ?? '', name: elements.find((element) => element.tag === PATIENT_NAME)?.value ?? '' };
  });
}

beforeAll(async () => {
  studyA = await generatePlantedStudy(path.join(root, 'planted-a'), { seed: 'A', files: 2 });
  studyB = await generatePlantedStudy(path.join(root, 'planted-b'), { seed: 'B', files: 2 });
  mkdirSync(input);
  for (const [patient, study] of [['A', studyA], ['B', studyB]] as const) {
    study.files.forEach((file, index) => {
      const target = path.join(input, `${patient.toLowerCase()}${index + 1}.dcm`);
      copyFileSync(file, target);
      inputsOf[patient].push(target);
    });
  }
});

const fullList = () => `Original Patient ID,Subject ID,Issuer of Patient ID\r\n${studyA.patientId},${SUBJECT_A},${studyA.issuerOfPatientId}\r\n"${studyB.patientId}",${SUBJECT_B},\r\n`;

/** No original or subject ID, and no patient name, in what the program prints. */
function expectNoPatientValues(text: string): void {
  for (const value of [studyA.patientId, studyB.patientId, studyA.patientName, studyB.patientName, SUBJECT_A, SUBJECT_B]) expect(text).not.toContain(value);
}

describe('anonymize --patient-ids', () => {
  let result: ReturnType<typeof run>;
  beforeAll(() => {
    result = run([], fullList());
  });

  it('writes each patient\'s subject ID as Patient ID and Patient Name (read back by dcmdump)', () => {
    expect(result.stderr).toContain('Anonymized 4 files into');
    expect(result.status).toBe(0);
    const patients = patientsOf(result.out);
    expect(patients).toHaveLength(4);
    expect(patients.filter((patient) => patient.id === SUBJECT_A && patient.name === SUBJECT_A)).toHaveLength(2);
    expect(patients.filter((patient) => patient.id === SUBJECT_B && patient.name === SUBJECT_B)).toHaveLength(2);
  });

  it('says so in the De-identification Method and the summary', () => {
    const name = readdirSync(result.out)[0] as string;
    const method = dcmdumpElements(path.join(result.out, name)).find((element) => element.depth === 0 && element.tag === DEIDENTIFICATION_METHOD)?.value;
    expect(method).toBe(`DICOM Tools\\PS3.15 ${PROFILE_EDITION} Basic Application Confidentiality Profile\\burned-in pixel data accepted\\pre-assigned subject IDs`);
    expect(result.stderr).toContain(`Profile: PS3.15 ${PROFILE_EDITION} Basic, burned-in pixel data accepted, pre-assigned subject IDs.`);
  });

  it('records the subject IDs as Anonymized ID in the mapping CSV and the patient pairs export', () => {
    const rows = parseCsv(readFileSync(path.join(result.dir, 'mapping.csv'), 'utf8'));
    const pairs = rows.slice(1).map((row) => `${row[2]} -> ${row[3]}`).sort();
    expect(pairs).toEqual([`${studyA.patientId} -> ${SUBJECT_A}`, `${studyA.patientId} -> ${SUBJECT_A}`, `${studyB.patientId} -> ${SUBJECT_B}`, `${studyB.patientId} -> ${SUBJECT_B}`].sort());
    const patients = path.join(result.dir, 'patients.csv');
    expect(runCli(['mapping', 'export', '--patients', patients], { env: result.env }).status).toBe(0);
    expect(parseCsv(readFileSync(patients, 'utf8'))).toEqual([['id_old', 'id_new'], ...[[studyA.patientId, SUBJECT_A], [studyB.patientId, SUBJECT_B]].sort()]);
  });

  it('passes verify given the same list, and not without it', () => {
    const verified = runCli(['verify', result.out, '--patient-ids', result.list, '--against', input], { env: result.env });
    expect(verified.stdout).toBe('');
    expect(verified.status).toBe(0);
    const without = runCli(['verify', result.out], { env: result.env });
    expect(without.status).toBe(1);
    expect(without.stdout).toContain('(0010,0020) PatientID: holds something other than the pseudonym');
  });

  it('prints no original or subject ID', () => {
    expectNoPatientValues(result.stderr + result.stdout);
  });

  it('takes the list from DICOM_PATIENT_IDS too', () => {
    const fromEnv = run([], undefined, { DICOM_PATIENT_IDS: writeList(path.join(root), fullList()) });
    expect(fromEnv.status).toBe(0);
    expect(new Set(patientsOf(fromEnv.out).map((patient) => patient.id))).toEqual(new Set([SUBJECT_A, SUBJECT_B]));
  });
});

describe('anonymize --patient-ids with a patient missing from the list', () => {
  const partialList = () => `Original Patient ID,Subject ID\n${studyA.patientId},${SUBJECT_A}\n`;

  it('fails that patient\'s files with the reason and writes nothing for them; the others succeed', () => {
    const result = run([], partialList());
    expect(result.status).toBe(1);
    for (const file of inputsOf.B) {
      expect(result.stderr).toContain(`dicom-tools: ${file}: patient not in the subject-ID list ${result.list} (add the patient to the list, or give --unlisted-patients pseudonym)\n`);
    }
    expect(result.stderr).toContain('Anonymized 2 files into');
    expect(result.stderr).toContain('; 2 failed.');
    expect(patientsOf(result.out)).toEqual([{ id: SUBJECT_A, name: SUBJECT_A }, { id: SUBJECT_A, name: SUBJECT_A }]);
    const rows = parseCsv(readFileSync(path.join(result.dir, 'mapping.csv'), 'utf8'));
    expect(rows.slice(1).map((row) => row[3])).toEqual([SUBJECT_A, SUBJECT_A]);
    expectNoPatientValues(result.stderr);
  });

  it('gives the unlisted patient the keyed pseudonym with --unlisted-patients pseudonym (or DICOM_UNLISTED_PATIENTS)', () => {
    const pseudonym = keys.patient({ id: studyB.patientId, issuer: studyB.issuerOfPatientId });
    for (const result of [run(['--unlisted-patients', 'pseudonym'], partialList()), run([], partialList(), { DICOM_UNLISTED_PATIENTS: 'pseudonym' })]) {
      expect(result.status).toBe(0);
      const ids = patientsOf(result.out).map((patient) => patient.id).sort();
      expect(ids).toEqual([pseudonym, pseudonym, SUBJECT_A, SUBJECT_A].sort());
    }
  });

  it('matches on the issuer when the list gives one', () => {
    const otherIssuer = `Original Patient ID,Subject ID,Issuer of Patient ID\n${studyA.patientId},${SUBJECT_A},ANOTHER-HOSPITAL\n${studyB.patientId},${SUBJECT_B},\n`;
    const result = run([], otherIssuer);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Anonymized 2 files into');
    expect(patientsOf(result.out).map((patient) => patient.id)).toEqual([SUBJECT_B, SUBJECT_B]);
  });
});

describe('anonymize --patient-ids with a malformed list', () => {
  const header = 'Original Patient ID,Subject ID';
  it.each([
    ['a missing header', () => `${studyA.patientId},${SUBJECT_A}\n`, 'line 1: column 1 of the header is not a known column (is the header missing?): the header must be "Original Patient ID,Subject ID", optionally with "Issuer of Patient ID"'],
    ['an unknown column', () => `${header},Patient Name\n${studyA.patientId},${SUBJECT_A},${studyA.patientName}\n`, 'line 1: column 3 of the header is not a known column (is the header missing?): the header must be "Original Patient ID,Subject ID", optionally with "Issuer of Patient ID"'],
    ['an empty Subject ID', () => `${header}\n${studyA.patientId},${SUBJECT_A}\n${studyB.patientId},\n`, 'line 3: the Subject ID is empty'],
    ['a duplicate Original Patient ID', () => `${header}\n${studyA.patientId},${SUBJECT_A}\n${studyA.patientId},${SUBJECT_B}\n`, 'line 3: the Original Patient ID is already listed on line 2'],
    ['a duplicate with the same issuer', () => `${header},Issuer of Patient ID\n${studyA.patientId},${SUBJECT_A},${studyA.issuerOfPatientId}\n\n${studyA.patientId},${SUBJECT_B},${studyA.issuerOfPatientId}\n`, 'line 4: the Original Patient ID with this Issuer of Patient ID is already listed on line 2'],
    ['two originals with one Subject ID', () => `${header}\n${studyA.patientId},${SUBJECT_A}\n${studyB.patientId},${SUBJECT_A}\n`, 'line 3: the Subject ID is already assigned on line 2 to another patient'],
    ['a Subject ID over 64 characters', () => `${header}\n${studyA.patientId},${SUBJECT_A.repeat(5)}\n`, 'line 2: the Subject ID is longer than 64 characters (a Patient ID is LO)'],
    ['a backslash in a Subject ID', () => `${header}\n${studyA.patientId},${SUBJECT_A}\\2\n`, 'line 2: the Subject ID contains a backslash (it separates values in DICOM)'],
    ['a control character in a Subject ID', () => `${header}\n${studyA.patientId},"${SUBJECT_A}\u0007"\n`, 'line 2: the Subject ID contains a control or non-ASCII character (use printable ASCII)'],
  ])('stops on %s before any file is touched (exit 1), naming the file and line, no value', (_case, list, message) => {
    const result = run([], list());
    expect(result.stderr).toBe(`dicom-tools anonymize: ${result.list}: ${message}\n`);
    expect(result.status).toBe(1);
    expect(existsSync(result.out)).toBe(false);
    expect(existsSync(path.join(result.dir, 'data'))).toBe(false);
    expect(existsSync(path.join(result.dir, 'mapping.csv'))).toBe(false);
  });

  it('names a list that does not exist', () => {
    const result = runCli(['anonymize', input, '--out', path.join(root, 'never'), '--patient-ids', path.join(root, 'absent.csv')], { env: { DICOM_DATA_DIR: path.join(root, 'never-data'), DICOM_ANON_SECRET: SECRET } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^dicom-tools anonymize: ${path.join(root, 'absent.csv').replace(/[.\\/]/g, '\\$&')}: cannot read the subject-ID list: `));
    expect(existsSync(path.join(root, 'never'))).toBe(false);
  });

  it('treats misused flags as usage errors (exit 2)', () => {
    const usage = (args: readonly string[]) => runCli(['anonymize', input, '--out', path.join(root, 'never'), ...args], { env: { DICOM_DATA_DIR: path.join(root, 'never-data'), DICOM_ANON_SECRET: SECRET } });
    const list = writeList(root, fullList());
    expect(usage(['--unlisted-patients', 'pseudonym']).stderr).toContain('dicom-tools anonymize: --unlisted-patients needs a subject-ID list: --patient-ids FILE or DICOM_PATIENT_IDS\n');
    expect(usage(['--patient-ids', list, '--unlisted-patients', 'keep']).stderr).toContain('dicom-tools anonymize: --unlisted-patients is one of refuse, pseudonym\n');
    const keep = usage(['--patient-ids', list, '--keep-patient']);
    expect(keep.stderr).toContain('--patient-ids (or DICOM_PATIENT_IDS) replaces the Patient ID, which --keep-patient (or DICOM_CLEAN_PATIENT=false) keeps: give one of them');
    expect(keep.status).toBe(2);
    expect(existsSync(path.join(root, 'never'))).toBe(false);
  });
});
