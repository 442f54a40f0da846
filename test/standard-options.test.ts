import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { optionsFromFlags } from '../src/cli/option-flags.js';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/config.js';
import { ruleFor } from '../src/deid/nested-rules.js';
import { methodCodes, methodText } from '../src/deid/markers.js';
import { appliedStandardOptions, dateModeOf, DEFAULT_OPTIONS, describeOptions, profileLabel, type DeidOptions } from '../src/deid/options.js';
import { PROFILE, PROFILE_EDITION, profileEntryByKeyword } from '../src/deid/profile.js';
import { resolveAction } from '../src/deid/resolve-action.js';
import { profileOptions, STANDARD_OPTION_NAMES, STANDARD_OPTIONS, type StandardOption } from '../src/deid/standard-options.js';

// The PS3.15 options that come from Table E.1-1's own columns, and how they combine with the
// product's six options.

const withOptions = (...standardOptions: StandardOption[]): DeidOptions => ({ ...DEFAULT_OPTIONS, standardOptions });
const tagOf = (keyword: string) => {
  const entry = profileEntryByKeyword(keyword);
  if (!entry) throw new Error(`no row ${keyword}`);
  return entry.tag;
};
const actionOf = (keyword: string, options: DeidOptions) => resolveAction(tagOf(keyword), options);
const exactRows = PROFILE.filter((entry) => entry.mask === 0xffffffff);

describe('the options table', () => {
  it('names eleven options by their CID 7050 codes, each but Clean Pixel Data and Retain Safe Private reading a column of Table E.1-1, meanings fit an LO', () => {
    expect(STANDARD_OPTION_NAMES.map((name) => STANDARD_OPTIONS[name].code)).toEqual(['113101', '113103', '113104', '113105', '113106', '113107', '113108', '113109', '113110', '113111', '113112']);
    for (const name of STANDARD_OPTION_NAMES) {
      const { column } = STANDARD_OPTIONS[name];
      // Retain Safe Private's only cell is C on the private attributes row: the safe private list.
      // Clean Pixel Data changes Pixel Data, which no column speaks of.
      if (column === undefined) expect(['retain-safe-private', 'clean-pixel-data']).toContain(name);
      else expect(PROFILE.some((entry) => entry.actions[column] !== undefined)).toBe(true);
      expect(STANDARD_OPTIONS[name].meaning.length).toBeLessThanOrEqual(64);
    }
  });

  it('is what the README lists as kept, option by option', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of ['retain-patient-characteristics', 'retain-device-identity', 'retain-institution-identity'] as const) {
      const { column, meaning } = STANDARD_OPTIONS[name];
      const kept = PROFILE.filter((entry) => entry.actions[column] === 'K').map((entry) => entry.keyword);
      expect(readme).toContain(`<summary>${meaning.replace(/ Option$/, '')} keeps (${kept.length} attributes)</summary>\n\n${kept.join(', ')}\n`);
      expect(readme).toContain(`| \`${name}\` | ${STANDARD_OPTIONS[name].code} ${meaning.replace(/ Option$/, '')} | ${kept.length} attributes: `);
    }
  });
});

describe('resolveAction with a standard option', () => {
  it('Retain Patient Characteristics keeps the rows its column marks K, and only those', () => {
    const options = withOptions('retain-patient-characteristics');
    for (const keyword of ['PatientSex', 'PatientAge', 'PatientSize', 'PatientWeight', 'EthnicGroup', 'SmokingStatus', 'PregnancyStatus']) {
      expect([keyword, actionOf(keyword, options)]).toEqual([keyword, 'keep']);
    }
    // C (free text such as Allergies) is cleaned, as the Clean options clean.
    for (const keyword of ['Allergies', 'SpecialNeeds', 'PatientState', 'PreMedication']) expect([keyword, actionOf(keyword, options)]).toEqual([keyword, 'clean']);
    expect(actionOf('PatientName', options)).toBe('empty');
    expect(actionOf('PatientBirthDate', options)).toBe('empty');
    const changed = exactRows.filter((entry) => resolveAction(entry.tag, options) !== resolveAction(entry.tag, DEFAULT_OPTIONS));
    expect(changed.every((entry) => entry.actions.retainPatientCharacteristics !== undefined)).toBe(true);
    expect(changed.length).toBe(exactRows.filter((entry) => entry.actions.retainPatientCharacteristics !== undefined).length);
  });

  it('Retain Device Identity keeps device rows marked K; AE titles (C) still go', () => {
    const options = withOptions('retain-device-identity');
    for (const keyword of ['DeviceSerialNumber', 'StationName', 'DeviceUID', 'XRaySourceID', 'CalibrationDate']) expect([keyword, actionOf(keyword, options)]).toEqual([keyword, 'keep']);
    expect(actionOf('StationAETitle', options)).toBe('remove');
    expect(actionOf('InstitutionName', options)).toBe('dummy');
  });

  it('Retain Institution Identity keeps institution rows, not the staff', () => {
    const options = withOptions('retain-institution-identity');
    for (const keyword of ['InstitutionName', 'InstitutionAddress', 'InstitutionalDepartmentName']) expect(actionOf(keyword, options)).toBe('keep');
    expect(actionOf('ReferringPhysicianName', options)).toBe('empty');
    expect(actionOf('StationName', options)).toBe('dummy');
  });

  it('where two options speak of a row, the one that reveals less wins', () => {
    expect(actionOf('CalibrationDate', withOptions('retain-device-identity', 'retain-modified-dates'))).toBe('shift');
    expect(actionOf('DeviceUID', withOptions('retain-device-identity', 'retain-uids'))).toBe('keep');
  });

  it('a product group switched off still keeps all of it', () => {
    const options: DeidOptions = { ...withOptions('retain-patient-characteristics'), patient: false };
    expect(actionOf('PatientName', options)).toBe('keep');
    expect(actionOf('Allergies', options)).toBe('keep');
  });

  it.each<[StandardOption, Partial<DeidOptions>]>([
    ['retain-uids', { regenerateUids: false }],
    ['retain-full-dates', { dates: 'keep' }],
    ['retain-modified-dates', { dates: 'shift' }],
  ])('%s is the product setting %j by another name: every row, the markers\' codes', (option, product) => {
    const standard = withOptions(option);
    const same: DeidOptions = { ...DEFAULT_OPTIONS, ...product };
    const differing = exactRows.filter((entry) => resolveAction(entry.tag, standard) !== resolveAction(entry.tag, same));
    expect(differing.map((entry) => entry.keyword)).toEqual([]);
    expect(methodCodes(standard)).toEqual(methodCodes(same));
    expect(dateModeOf(standard)).toBe(dateModeOf(same));
  });
});

describe('combining the two layers', () => {
  it('dates: the product setting when not clear, else the dates option, Modified over Full', () => {
    expect(dateModeOf(withOptions())).toBe('clear');
    expect(dateModeOf(withOptions('retain-full-dates'))).toBe('keep');
    expect(dateModeOf(withOptions('retain-modified-dates'))).toBe('shift');
    expect(dateModeOf(withOptions('retain-full-dates', 'retain-modified-dates'))).toBe('shift');
    expect(dateModeOf({ ...withOptions('retain-modified-dates'), dates: 'keep' })).toBe('keep');
  });

  it('lists each option applied once, chosen or implied, in code order', () => {
    expect(appliedStandardOptions({ ...withOptions('retain-institution-identity', 'retain-device-identity', 'retain-uids'), institution: false, regenerateUids: false })).toEqual([
      'retain-device-identity',
      'retain-uids',
      'retain-institution-identity',
    ]);
    expect(appliedStandardOptions({ ...withOptions('retain-modified-dates'), dates: 'keep' })).toEqual(['retain-full-dates']);
  });
});

describe('markers', () => {
  it('(0012,0064) lists the Basic Profile and each option applied once; (0012,0063) names the ones the product settings do not', () => {
    const options: DeidOptions = { ...withOptions('retain-patient-characteristics', 'retain-device-identity', 'retain-full-dates'), institution: false };
    expect(methodCodes(options).map(([code]) => code)).toEqual(['113100', '113106', '113108', '113109', '113112']);
    expect(methodText(options)).toEqual([
      'DICOM Tools',
      'PS3.15 2024b Basic Application Confidentiality Profile',
      'institution data retained',
      'Retain Longitudinal Temporal Information Full Dates Option',
      'Retain Patient Characteristics Option',
    ]);
    for (const value of methodText(options)) expect(value.length).toBeLessThanOrEqual(64);
    expect(describeOptions(DEFAULT_OPTIONS)).toEqual([]);
  });
});

describe('nested rules', () => {
  it('follow the options inside a sequence the profile dummies (scrub scope)', () => {
    const sex = tagOf('PatientSex');
    expect(ruleFor(sex, 'CS', false, 'scrub', DEFAULT_OPTIONS).action).toBe('empty');
    expect(ruleFor(sex, 'CS', false, 'scrub', withOptions('retain-patient-characteristics')).action).toBe('keep');
    expect(ruleFor(tagOf('DeviceSerialNumber'), 'LO', false, 'scrub', withOptions('retain-device-identity')).action).toBe('keep');
    // Attributes the table does not name follow the options too: a date shifts, a UID stays.
    const itemInventoryDateTime = 0x00080404;
    const multiFrameSourceSopInstanceUid = 0x00081167;
    expect(ruleFor(itemInventoryDateTime, 'DT', false, 'scrub', DEFAULT_OPTIONS).action).toBe('dummy');
    expect(ruleFor(itemInventoryDateTime, 'DT', false, 'scrub', withOptions('retain-modified-dates')).action).toBe('shift');
    expect(ruleFor(itemInventoryDateTime, 'DT', false, 'scrub', withOptions('retain-full-dates')).action).toBe('keep');
    expect(ruleFor(multiFrameSourceSopInstanceUid, 'UI', false, 'scrub', DEFAULT_OPTIONS).action).toBe('uid');
    expect(ruleFor(multiFrameSourceSopInstanceUid, 'UI', false, 'scrub', withOptions('retain-uids')).action).toBe('keep');
  });
});

describe('command-line flags', () => {
  const none = {};
  it('read --option, repeatable, each once; --profile basic adds none', () => {
    expect(optionsFromFlags({ option: ['retain-uids', 'retain-device-identity', 'retain-uids'] }, DEFAULT_OPTIONS).standardOptions).toEqual(['retain-uids', 'retain-device-identity']);
    expect(optionsFromFlags({ profile: 'basic' }, withOptions('retain-uids'))).toEqual(DEFAULT_OPTIONS);
    expect(optionsFromFlags(none, DEFAULT_OPTIONS)).toEqual(DEFAULT_OPTIONS);
    expect('standardOptions' in optionsFromFlags(none, DEFAULT_OPTIONS)).toBe(false);
  });

  it('read --profile research as its options, with --option adding to them, and record the preset', () => {
    const research = optionsFromFlags({ profile: 'research' }, DEFAULT_OPTIONS);
    expect(research).toEqual({ ...DEFAULT_OPTIONS, standardOptions: [...profileOptions('research')], profile: 'research' });
    expect(profileLabel(research)).toBe(`PS3.15 ${PROFILE_EDITION} research`);
    expect(profileLabel(DEFAULT_OPTIONS)).toBe(`PS3.15 ${PROFILE_EDITION} basic`);
    expect(optionsFromFlags({ profile: 'research', option: ['retain-uids', 'retain-device-identity'] }, DEFAULT_OPTIONS).standardOptions).toEqual([...profileOptions('research'), 'retain-uids']);
  });

  it('replace the configured options as a whole', () => {
    expect(optionsFromFlags(none, withOptions('retain-uids')).standardOptions).toEqual(['retain-uids']);
    expect(optionsFromFlags({ option: ['retain-device-identity'] }, withOptions('retain-uids')).standardOptions).toEqual(['retain-device-identity']);
  });

  it.each<[string, Parameters<typeof optionsFromFlags>[0], DeidOptions, string]>([
    ['an unknown option', { option: ['clean-everything'] }, DEFAULT_OPTIONS, `--option must be one of ${STANDARD_OPTION_NAMES.join(', ')}, not "clean-everything"`],
    ['an unknown profile', { profile: 'tcia' }, DEFAULT_OPTIONS, '--profile must be one of basic, research, not "tcia"'],
    ["a preset's dates option against --keep-dates", { profile: 'research', 'keep-dates': true }, DEFAULT_OPTIONS, '--profile research (retain-modified-dates) and --keep-dates exclude each other'],
    ['both dates options', { option: ['retain-full-dates', 'retain-modified-dates'] }, DEFAULT_OPTIONS, '--option retain-modified-dates and --option retain-full-dates exclude each other'],
    ['a dates option against --keep-dates', { option: ['retain-modified-dates'], 'keep-dates': true }, DEFAULT_OPTIONS, '--option retain-modified-dates and --keep-dates exclude each other'],
    ['a dates option against DICOM_DATES', { option: ['retain-full-dates'] }, { ...DEFAULT_OPTIONS, dates: 'shift' }, '--option retain-full-dates and DICOM_DATES=shift exclude each other'],
    ['a configured option against --shift-dates', { 'shift-dates': true }, withOptions('retain-full-dates'), 'DICOM_PROFILE_OPTIONS retain-full-dates and --shift-dates exclude each other'],
  ])('refuse %s', (_name, values, defaults, message) => {
    expect(() => optionsFromFlags(values, defaults)).toThrow(message);
  });
});

describe('configuration', () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'config-options-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const load = (env: NodeJS.ProcessEnv) => loadConfig({ env: { HOME: '/h', ...env }, cwd });
  const refusal = (env: NodeJS.ProcessEnv): ConfigError => {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads DICOM_PROFILE and DICOM_PROFILE_OPTIONS (any case, spaces, each once)', () => {
    expect(load({ DICOM_PROFILE: 'Basic', DICOM_PROFILE_OPTIONS: ' retain-uids, RETAIN-DEVICE-IDENTITY,retain-uids' }).defaults.standardOptions).toEqual(['retain-uids', 'retain-device-identity']);
    expect('standardOptions' in load({ DICOM_PROFILE: 'basic' }).defaults).toBe(false);
    expect(load({ DICOM_PROFILE: ' Research ', DICOM_PROFILE_OPTIONS: 'retain-uids' }).defaults).toMatchObject({ profile: 'research', standardOptions: [...profileOptions('research'), 'retain-uids'] });
  });

  it.each<[NodeJS.ProcessEnv, string, string]>([
    [{ DICOM_PROFILE: 'tcia' }, 'DICOM_PROFILE', 'DICOM_PROFILE must be one of basic, research, not "tcia"'],
    [{ DICOM_PROFILE: 'research', DICOM_DATES: 'keep' }, 'DICOM_PROFILE', 'DICOM_PROFILE: retain-modified-dates and DICOM_DATES=keep exclude each other'],
    [{ DICOM_PROFILE_OPTIONS: 'retain-uids,clean-everything' }, 'DICOM_PROFILE_OPTIONS',
      `DICOM_PROFILE_OPTIONS must be a comma-separated list of ${STANDARD_OPTION_NAMES.join(', ')}, not "retain-uids,clean-everything"`],
    [{ DICOM_PROFILE_OPTIONS: 'retain-uids,,retain-full-dates' }, 'DICOM_PROFILE_OPTIONS',
      `DICOM_PROFILE_OPTIONS must be a comma-separated list of ${STANDARD_OPTION_NAMES.join(', ')}, not "retain-uids,,retain-full-dates"`],
    [{ DICOM_PROFILE_OPTIONS: 'retain-full-dates,retain-modified-dates' }, 'DICOM_PROFILE_OPTIONS', 'DICOM_PROFILE_OPTIONS: retain-modified-dates and retain-full-dates exclude each other'],
    [{ DICOM_PROFILE_OPTIONS: 'retain-modified-dates', DICOM_DATES: 'keep' }, 'DICOM_PROFILE_OPTIONS', 'DICOM_PROFILE_OPTIONS: retain-modified-dates and DICOM_DATES=keep exclude each other'],
  ])('refuses %j', (env, variable, message) => {
    const error = refusal(env);
    expect(error).toMatchObject({ code: 'CONFIG', variable });
    expect(error.message).toBe(message);
  });
});
