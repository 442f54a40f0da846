import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataGroupOf, GROUP_RULES, keywordsOf, type DataGroup } from '../src/deid/option-groups.js';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { ACTION_CODES, PROFILE, PROFILE_EDITION, profileEntryByKeyword, profileEntryFor } from '../src/deid/profile.js';
import { resolveAction } from '../src/deid/resolve-action.js';
import { lookupTag, tagForKeyword } from '../src/dicom/dictionary.js';
import { referenceDir } from './helpers/corpus.js';

const tableRows = readFileSync(path.join(referenceDir, 'ps3.15-table-e.1-1.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line.length > 0)
  .map((line) => line.split('\t'));

describe('the profile table (PS3.15 Table E.1-1)', () => {
  it('is edition 2024b with every row of the reference table', () => {
    expect(PROFILE_EDITION).toBe('2024b');
    expect(tableRows).toHaveLength(621);
    expect(PROFILE).toHaveLength(620); // plus the private-attributes rule
  });

  it('names only tags of the data dictionary, with their keywords', () => {
    const unknown = PROFILE.filter((entry) => entry.mask === 0xffffffff && entry.tag >>> 16 !== 0 && lookupTag(entry.tag)?.keyword !== entry.keyword);
    expect(unknown.map((entry) => entry.keyword)).toEqual([]);
  });

  it('has only the standard action codes', () => {
    for (const entry of PROFILE) {
      for (const code of Object.values(entry.actions)) if (code !== undefined) expect(ACTION_CODES).toContain(code);
      expect(entry.actions.basic).toBeDefined();
    }
  });

  it('agrees with the reference table on every Basic Profile action', () => {
    for (const [tag = '', , keyword = '', , basic = ''] of tableRows) {
      if (tag === 'ggggeeee') continue;
      expect(profileEntryByKeyword(keyword || 'CurveData')?.actions.basic, tag).toBe(basic);
    }
  });

  it('spot checks from the reference README', () => {
    const basic = (keyword: string) => profileEntryFor(tagForKeyword(keyword) ?? 0)?.actions;
    expect(basic('PatientName')?.basic).toBe('Z');
    expect(basic('PatientID')?.basic).toBe('Z/D');
    expect(basic('StudyInstanceUID')).toMatchObject({ basic: 'U', retainUids: 'K' });
    expect(basic('StudyDate')).toMatchObject({ basic: 'Z', retainFullDates: 'K', retainModifiedDates: 'C' });
    expect(basic('InstitutionName')).toMatchObject({ basic: 'X/Z/D', retainInstitution: 'K' });
    expect(profileEntryFor(0x60023000)?.keyword).toBe('OverlayData');
    expect(profileEntryFor(0x501e0010)?.keyword).toBe('CurveData');
    expect(profileEntryFor(0x00291010)).toBeUndefined(); // private: the private rule applies
  });
});

describe('the product option groups', () => {
  it('name only attributes of the table', () => {
    for (const rule of Object.values(GROUP_RULES)) {
      for (const keyword of rule.keywords) expect(profileEntryByKeyword(keyword), keyword).toBeDefined();
    }
  });

  it('cover what the product page promises', () => {
    expect(keywordsOf('patient')).toEqual(expect.arrayContaining(['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'PatientAge', 'PatientAddress', 'PatientWeight', 'PatientTelephoneNumbers', 'OtherPatientIDs']));
    expect(keywordsOf('institution')).toEqual(expect.arrayContaining(['InstitutionName', 'InstitutionAddress', 'ReferringPhysicianName', 'PerformingPhysicianName', 'OperatorsName', 'StationName']));
    expect(keywordsOf('study')).toEqual(expect.arrayContaining(['AccessionNumber', 'StudyID', 'StudyDescription']));
  });

  it('do not overlap', () => {
    const groups: DataGroup[] = ['patient', 'institution', 'study'];
    const all = groups.flatMap((group) => keywordsOf(group));
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('resolving actions', () => {
  const tag = (keyword: string) => tagForKeyword(keyword) ?? 0;
  const off = (change: Partial<DeidOptions>): DeidOptions => ({ ...DEFAULT_OPTIONS, ...change });

  it('follows the Basic Profile by default, keeping present elements present for combined codes', () => {
    expect(resolveAction(tag('PatientBirthDate'), DEFAULT_OPTIONS)).toBe('empty');
    expect(resolveAction(tag('PatientAddress'), DEFAULT_OPTIONS)).toBe('remove');
    expect(resolveAction(tag('InstitutionName'), DEFAULT_OPTIONS)).toBe('dummy'); // X/Z/D
    expect(resolveAction(tag('AcquisitionDate'), DEFAULT_OPTIONS)).toBe('empty'); // X/Z
    expect(resolveAction(tag('ReferencedImageSequence'), DEFAULT_OPTIONS)).toBe('uid'); // X/Z/U*
    expect(resolveAction(tag('SOPInstanceUID'), DEFAULT_OPTIONS)).toBe('uid');
    expect(resolveAction(tag('Modality'), DEFAULT_OPTIONS)).toBe('keep'); // not in the table
    expect(resolveAction(0x00091010, DEFAULT_OPTIONS)).toBe('remove');
  });

  it('keeps exactly the switched-off group, and nothing of the others', () => {
    const cases: [Partial<DeidOptions>, DataGroup][] = [
      [{ patient: false }, 'patient'],
      [{ institution: false }, 'institution'],
      [{ study: false }, 'study'],
    ];
    for (const [change, group] of cases) {
      for (const entry of PROFILE) {
        const expected = dataGroupOf(entry) === group ? 'keep' : resolveAction(entry.tag, DEFAULT_OPTIONS);
        expect([entry.keyword, resolveAction(entry.tag, off(change))]).toEqual([entry.keyword, expected]);
      }
    }
  });

  it('keeps UIDs with --keep-uids, private tags with --keep-private', () => {
    const uidRows = PROFILE.filter((row) => row.actions.retainUids === 'K' && row.actions.retainFullDates === undefined);
    expect(uidRows.length).toBeGreaterThan(50);
    for (const entry of uidRows) expect(resolveAction(entry.tag, off({ regenerateUids: false })), entry.keyword).toBe('keep');
    for (const entry of uidRows) expect(resolveAction(entry.tag, DEFAULT_OPTIONS), entry.keyword).not.toBe('keep');
    expect(resolveAction(tag('StudyInstanceUID'), off({ regenerateUids: false }))).toBe('keep');
    expect(resolveAction(0x00091010, off({ removePrivate: false }))).toBe('keep');
  });

  it('keeps or shifts dates, but never the birth date, which is patient data', () => {
    expect(resolveAction(tag('StudyDate'), off({ dates: 'keep' }))).toBe('keep');
    expect(resolveAction(tag('StudyDate'), off({ dates: 'shift' }))).toBe('shift');
    expect(resolveAction(tag('AcquisitionDateTime'), off({ dates: 'shift' }))).toBe('shift');
    expect(resolveAction(tag('PatientBirthDate'), off({ dates: 'keep' }))).toBe('empty');
    expect(resolveAction(tag('PatientBirthDate'), off({ dates: 'keep', patient: false }))).toBe('keep');
  });
});
