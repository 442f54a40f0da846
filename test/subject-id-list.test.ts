import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSubjectIdList, readSubjectIdList, SubjectIdListError } from '../src/config/subject-id-list.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { patientPseudonym, UnlistedPatientError, type SubjectIds } from '../src/deid/subject-ids.js';

const FILE = '/lists/subjects.csv';
const keys = new Pseudonymizer(Buffer.from('a secret for the subject-ID tests', 'utf8'));

function problem(text: string): string {
  try {
    parseSubjectIdList(text, FILE);
  } catch (error) {
    if (error instanceof SubjectIdListError) return error.message;
    throw error;
  }
  return 'no error';
}

describe('parseSubjectIdList', () => {
  it('reads the two columns, or three in any order, trimming cells; an empty issuer means any issuer', () => {
    expect(parseSubjectIdList('Original Patient ID,Subject ID\r\nPAT-1, SUBJ-001 \n"PAT,2",SUBJ-002\n', FILE)).toEqual([
      { originalId: 'PAT-1', issuer: undefined, subjectId: 'SUBJ-001' },
      { originalId: 'PAT,2', issuer: undefined, subjectId: 'SUBJ-002' },
    ]);
    expect(parseSubjectIdList('Subject ID,Issuer of Patient ID,Original Patient ID\nS1,HOSP-A,P1\nS2,HOSP-B,P1\nS3,,P3\n', FILE)).toEqual([
      { originalId: 'P1', issuer: 'HOSP-A', subjectId: 'S1' },
      { originalId: 'P1', issuer: 'HOSP-B', subjectId: 'S2' },
      { originalId: 'P3', issuer: undefined, subjectId: 'S3' },
    ]);
  });

  // Every message names the file and the line, and none repeats a value of the list.
  it.each([
    ['an empty file', '', 'line 1: the file is empty: the header must be "Original Patient ID,Subject ID", optionally with "Issuer of Patient ID"'],
    ['a missing header', 'PAT-1,SUBJ-001\n', 'line 1: column 1 of the header is not a known column (is the header missing?): the header must be "Original Patient ID,Subject ID", optionally with "Issuer of Patient ID"'],
    ['an unknown column', 'Original Patient ID,Subject ID,Name\nP1,S1,X\n', 'line 1: column 3 of the header is not a known column (is the header missing?): the header must be "Original Patient ID,Subject ID", optionally with "Issuer of Patient ID"'],
    ['a column named twice', 'Original Patient ID,Subject ID,Subject ID\nP1,S1,S2\n', 'line 1: the header names the Subject ID column twice'],
    ['no Subject ID column', 'Original Patient ID,Issuer of Patient ID\nP1,H\n', 'line 1: the header has no Subject ID column: the header must be "Original Patient ID,Subject ID", optionally with "Issuer of Patient ID"'],
    ['no Original Patient ID column', 'Subject ID\nS1\n', 'line 1: the header has no Original Patient ID column: the header must be "Original Patient ID,Subject ID", optionally with "Issuer of Patient ID"'],
    ['no rows', 'Original Patient ID,Subject ID\n', 'line 1: the list has a header but no patients'],
    ['a row of the wrong width', 'Original Patient ID,Subject ID\nP1,S1\nP2\n', 'line 3: 1 field, but the header has 2 columns'],
    ['an empty Original Patient ID', 'Original Patient ID,Subject ID\nP1,S1\n ,S2\n', 'line 3: the Original Patient ID is empty'],
    ['an empty Subject ID', 'Original Patient ID,Subject ID\nP1,S1\n\nP2,  \n', 'line 4: the Subject ID is empty'],
    ['a Subject ID over 64 characters', `Original Patient ID,Subject ID\nP1,${'S'.repeat(65)}\n`, 'line 2: the Subject ID is longer than 64 characters (a Patient ID is LO)'],
    ['a backslash', 'Original Patient ID,Subject ID\nP1,S\\1\n', 'line 2: the Subject ID contains a backslash (it separates values in DICOM)'],
    ['a control character', 'Original Patient ID,Subject ID\nP1,"S\t1"\n', 'line 2: the Subject ID contains a control or non-ASCII character (use printable ASCII)'],
    ['a line break in a quoted Subject ID', 'Original Patient ID,Subject ID\nP1,"S\n1"\n', 'line 2: the Subject ID contains a control or non-ASCII character (use printable ASCII)'],
    ['a non-ASCII character', 'Original Patient ID,Subject ID\nP1,Sübject\n', 'line 2: the Subject ID contains a control or non-ASCII character (use printable ASCII)'],
    ['the original as its own subject ID', 'Original Patient ID,Subject ID\nP1,P1\n', "line 2: the Subject ID is the Original Patient ID itself: the patient's ID would stay in the files"],
    ['a duplicate Original Patient ID', 'Original Patient ID,Subject ID\nP1,S1\nP2,S2\nP1,S3\n', 'line 4: the Original Patient ID is already listed on line 2'],
    ['a duplicate ID with the same issuer', 'Original Patient ID,Subject ID,Issuer of Patient ID\nP1,S1,H\nP1,S2,H\n', 'line 3: the Original Patient ID with this Issuer of Patient ID is already listed on line 2'],
    ['an ID with and without an issuer', 'Original Patient ID,Subject ID,Issuer of Patient ID\nP1,S1,H\nP1,S2,\n', 'line 3: the Original Patient ID is listed on line 2 with an Issuer of Patient ID and here without one: an empty issuer matches any issuer'],
    ['an ID without and then with an issuer', 'Original Patient ID,Subject ID,Issuer of Patient ID\nP1,S1,\nP1,S2,H\n', 'line 3: the Original Patient ID is listed on line 2 without an Issuer of Patient ID and here with one: an empty issuer matches any issuer'],
    ['two originals with one Subject ID', 'Original Patient ID,Subject ID\nP1,S1\nP2,S1\n', 'line 3: the Subject ID is already assigned on line 2 to another patient'],
    ['broken CSV', 'Original Patient ID,Subject ID\nP1,"S1\n', 'line 2: not valid CSV: a quoted field is never closed'],
  ])('rejects %s, naming the file and line', (_case, text, message) => {
    expect(problem(text)).toBe(`${FILE}: ${message}`);
  });

  it('names an unreadable list without guessing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dicom-subjects-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const missing = path.join(dir, 'missing.csv');
    expect(() => readSubjectIdList(missing, 'refuse')).toThrow(`${missing}: cannot read the subject-ID list: `);
    const good = path.join(dir, 'good.csv');
    writeFileSync(good, 'Original Patient ID,Subject ID\nP1,S1\n');
    expect(readSubjectIdList(good, 'pseudonym')).toEqual({ source: good, entries: [{ originalId: 'P1', issuer: undefined, subjectId: 'S1' }], unlisted: 'pseudonym' });
  });
});

describe('patientPseudonym', () => {
  const subjects = (unlisted: SubjectIds['unlisted']): SubjectIds => ({
    source: FILE,
    unlisted,
    entries: parseSubjectIdList('Original Patient ID,Subject ID,Issuer of Patient ID\nP1,S-A,HOSP-A\nP1,S-B,HOSP-B\nP2,S-ANY,\n', FILE),
  });

  it('matches the Patient ID with its issuer; an empty issuer in the list matches any issuer, or none', () => {
    const list = subjects('refuse');
    expect(patientPseudonym({ id: 'P1', issuer: 'HOSP-A' }, 'P1', keys, list)).toBe('S-A');
    expect(patientPseudonym({ id: 'P1', issuer: 'HOSP-B' }, ' P1 ', keys, list)).toBe('S-B');
    expect(patientPseudonym({ id: 'P2', issuer: 'HOSP-A' }, 'P2', keys, list)).toBe('S-ANY');
    expect(patientPseudonym({ id: 'P2', issuer: '' }, 'P2', keys, list)).toBe('S-ANY');
  });

  it('refuses a patient the list does not name (another issuer, or no Patient ID at all), naming only the list', () => {
    const list = subjects('refuse');
    for (const [key, id] of [[{ id: 'P1', issuer: 'HOSP-C' }, 'P1'], [{ id: 'P1', issuer: '' }, 'P1'], [{ id: 'P3', issuer: '' }, 'P3'], [{ id: 'name:P1|', issuer: '' }, '']] as const) {
      expect(() => patientPseudonym(key, id, keys, list)).toThrow(UnlistedPatientError);
    }
    expect(() => patientPseudonym({ id: 'P3', issuer: '' }, 'P3', keys, list)).toThrow(`patient not in the subject-ID list ${FILE} (add the patient to the list, or give --unlisted-patients pseudonym)`);
  });

  it('gives an unlisted patient the keyed pseudonym when told to, and everyone the pseudonym without a list', () => {
    expect(patientPseudonym({ id: 'P3', issuer: '' }, 'P3', keys, subjects('pseudonym'))).toBe(keys.patient({ id: 'P3', issuer: '' }));
    expect(patientPseudonym({ id: 'P1', issuer: 'HOSP-A' }, 'P1', keys, undefined)).toMatch(/^ANON-[A-Z2-7]{10}$/);
  });
});
