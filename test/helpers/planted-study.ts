// Generates realistic test studies with distinctive identifying values planted everywhere a
// de-identifier must find them: every Table E.1-1 text attribute at the top level, a subset three
// sequence levels deep, private elements and a private sequence, and the file names. End-to-end
// tests de-identify such a study and assert that no planted value survives anywhere.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_OPTIONS } from '../../src/deid/options.js';
import { PROFILE, type ProfileEntry } from '../../src/deid/profile.js';
import { resolveAction } from '../../src/deid/resolve-action.js';
import { lookupTag, tagForKeyword } from '../../src/dicom/dictionary.js';
import type { ElementEdit, NewElement, NewItem } from '../../src/dicom/edits.js';
import { textAt } from '../../src/dicom/element-access.js';
import { readDicomFile } from '../../src/dicom/read-file.js';
import { SOP_CLASS_UID, type Tag } from '../../src/dicom/tag.js';
import type { Vr } from '../../src/dicom/vr.js';
import { writeDicomFile } from '../../src/dicom/write-dicom-file.js';
import { corpusDir } from './corpus.js';

export type PlantLocation = 'top' | 'nested' | 'private' | 'private-sequence' | 'file-name';

export interface PlantedValue {
  readonly value: string;
  /** The attribute's keyword; 'PrivateTag' for private elements. */
  readonly keyword: string;
  /** Where it was planted; for 'file-name' the attribute the file name was made from. */
  readonly tag: Tag;
  readonly location: PlantLocation;
}

export interface PlantedStudy {
  readonly dir: string;
  /** Absolute paths of the generated inputs. */
  readonly files: readonly string[];
  /**
   * Every value that must not survive de-identification with DEFAULT_OPTIONS. Only values of at
   * least 6 bytes that cannot occur by chance; no value is a substring of another, except that the
   * Patient ID is listed twice (location 'top' and 'file-name').
   */
  readonly planted: readonly PlantedValue[];
  readonly patientId: string;
  readonly patientName: string;
  readonly issuerOfPatientId: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly frameOfReferenceUid: string;
  /** Per file, same order as `files`. */
  readonly sopInstanceUids: readonly string[];
  /** Absolute path of the corpus file the pixel data (and everything not planted) came from. */
  readonly baseFile: string;
}

export interface PlantOptions {
  /** Number of files (instances of one series). @default 3 */
  readonly files?: number;
  /** Corpus file name to build every file from. @default 'dcmqats_1_ELE.dcm' */
  readonly base?: string;
  /** 1 to 4 letters or digits that make the values unique per study (upper-cased). @default 'A' */
  readonly seed?: string;
  /** Name the files without the `.dcm` extension. @default false */
  readonly withoutExtension?: boolean;
}

/** The three sequences, kept by the profile, that hold the nested plants (innermost last). */
export const NESTED_PATH: readonly Tag[] = [
  0x00081115, // ReferencedSeriesSequence
  0x0008114a, // ReferencedInstanceSequence
  0x0040a170, // PurposeOfReferenceCodeSequence
];

export const PRIVATE_CREATOR = 'PLANT CORP';
export const PRIVATE_SEQUENCE: Tag = 0x00091020;
const PRIVATE_CREATOR_TAG: Tag = 0x00090010;

/** Attributes planted in the innermost nested item (values distinct from the top level's). */
export const NESTED_KEYWORDS: readonly string[] = [
  'PatientName', 'PatientID', 'IssuerOfPatientID', 'OtherPatientIDs', 'OtherPatientNames', 'PatientBirthName',
  'PatientMotherBirthName', 'PatientBirthDate', 'PatientBirthTime', 'PatientAddress', 'PatientTelephoneNumbers',
  'MedicalRecordLocator', 'Occupation', 'PatientComments', 'AdditionalPatientHistory', 'InstitutionName',
  'InstitutionAddress', 'InstitutionalDepartmentName', 'StationName', 'StationAETitle', 'PerformedStationAETitle',
  'ReferringPhysicianName', 'ReferringPhysicianAddress', 'PhysiciansOfRecord', 'PerformingPhysicianName',
  'NameOfPhysiciansReadingStudy', 'OperatorsName', 'AccessionNumber', 'StudyID', 'StudyDate', 'StudyTime',
  'SeriesDate', 'ContentDate', 'ContentTime', 'AcquisitionDateTime', 'StudyDescription', 'SeriesDescription',
  'ProtocolName', 'RequestedProcedureDescription', 'DerivationDescription', 'ImageComments', 'DeviceSerialNumber',
  'StudyInstanceUID', 'SeriesInstanceUID', 'FrameOfReferenceUID', 'ReferencedSOPInstanceUID', 'TextString',
  'SpecimenDetailedDescription', 'ReasonForVisit', 'XRaySourceID', 'SelectorURValue',
];

const PRIVATE_SEQUENCE_KEYWORDS: readonly string[] = ['InstitutionName', 'StudyDate', 'PatientName', 'PatientID', 'OtherPatientNames'];

/** The VRs we plant values for: the character string VRs (PS3.5 6.2). */
const SETTABLE_VRS: ReadonlySet<string> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
/** Too short or too common to prove a leak: planted, never listed. */
const UNLISTED_VRS: ReadonlySet<string> = new Set(['AS', 'DS', 'IS']);
const MIN_LISTED_BYTES = 6;
const UID_ROOT = '1.2.826.0.1.3680043.10.9999';

const TAG = {
  SOPInstanceUID: 0x00080018,
  ReferencedImageSequence: 0x00081140,
  ReferencedSOPClassUID: 0x00081150,
  ReferencedSOPInstanceUID: 0x00081155,
  SourceImageSequence: 0x00082112,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  IssuerOfPatientID: 0x00100021,
  PatientBirthDate: 0x00100030,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  InstanceNumber: 0x00200013,
  FrameOfReferenceUID: 0x00200052,
  CodeValue: 0x00080100,
  CodingSchemeDesignator: 0x00080102,
  CodeMeaning: 0x00080104,
} as const;

/**
 * Writes `options.files` instances of one series into `dir` (created if missing), each built from
 * the corpus file `options.base` with planted values; deterministic for equal options.
 */
export async function generatePlantedStudy(dir: string, options: PlantOptions = {}): Promise<PlantedStudy> {
  const count = options.files ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`files must be a positive integer, not ${String(count)}`);
  const values = new ValueFactory(options.seed ?? 'A');
  const baseFile = path.join(corpusDir, options.base ?? 'dcmqats_1_ELE.dcm');
  const base = readDicomFile(baseFile);
  const sopClassUid = textAt(base, [], SOP_CLASS_UID)[0] ?? '1.2.840.10008.5.1.4.1.1.7';

  const planted: PlantedValue[] = [];
  const list = (value: string, keyword: string, tag: Tag, location: PlantLocation, vr: string) => {
    if (!UNLISTED_VRS.has(vr) && Buffer.byteLength(value, 'latin1') >= MIN_LISTED_BYTES) planted.push({ value, keyword, tag, location });
  };

  // The study's identity: the same in every file.
  const patientName = values.make('PN');
  const patientId = values.make('LO');
  const issuerOfPatientId = values.make('LO', 'HOSPITAL');
  const patientBirthDate = values.make('DA');
  const studyInstanceUid = values.make('UI');
  const seriesInstanceUid = values.make('UI');
  const frameOfReferenceUid = values.make('UI');
  const sopInstanceUids = Array.from({ length: count }, () => values.make('UI'));
  const identity = new Map<Tag, string>([
    [TAG.PatientName, patientName],
    [TAG.PatientID, patientId],
    [TAG.IssuerOfPatientID, issuerOfPatientId],
    [TAG.PatientBirthDate, patientBirthDate],
    [TAG.StudyInstanceUID, studyInstanceUid],
    [TAG.SeriesInstanceUID, seriesInstanceUid],
    [TAG.FrameOfReferenceUID, frameOfReferenceUid],
  ]);

  // 1. Top level: every profile row that is not kept, with a text VR.
  const common = new Map<Tag, ElementEdit>();
  for (const row of plantableRows()) {
    if (row.tag === TAG.SOPInstanceUID) continue; // per file, below
    const vr = row.vr as Vr;
    const value = identity.get(row.tag) ?? values.make(vr, row.keyword, minValues(row.tag));
    common.set(row.tag, { op: 'set', vr, value });
    for (const single of typeof value === 'string' ? [value] : value) list(single, row.keyword, row.tag, 'top', vr);
  }
  for (const tag of identity.keys()) if (!common.has(tag)) throw new Error(`profile row for ${tag.toString(16)} not planted`);
  for (const uid of sopInstanceUids) list(uid, 'SOPInstanceUID', TAG.SOPInstanceUID, 'top', 'UI');

  // 2. Three sequence levels deep, inside sequences the profile keeps.
  const innermost: NewElement[] = [
    { tag: TAG.CodeValue, vr: 'SH', value: '121079' },
    { tag: TAG.CodingSchemeDesignator, vr: 'SH', value: 'DCM' },
    { tag: TAG.CodeMeaning, vr: 'LO', value: 'Baseline' },
  ];
  for (const keyword of NESTED_KEYWORDS) {
    const { tag, vr } = standard(keyword);
    const value = values.make(vr, keyword);
    innermost.push({ tag, vr, value });
    list(value, keyword, tag, 'nested', vr);
  }
  const [seriesSequence, instanceSequence, purposeSequence] = NESTED_PATH as [Tag, Tag, Tag];
  const nested: NewItem = [
    { tag: TAG.SeriesInstanceUID, vr: 'UI', value: seriesInstanceUid },
    {
      tag: instanceSequence,
      value: {
        items: [[
          { tag: TAG.ReferencedSOPClassUID, vr: 'UI', value: sopClassUid },
          { tag: TAG.ReferencedSOPInstanceUID, vr: 'UI', value: sopInstanceUids[0] ?? '' },
          { tag: purposeSequence, value: { items: [innermost] } },
        ]],
      },
    },
  ];
  common.set(seriesSequence, { op: 'set', vr: 'SQ', value: { items: [nested] } });

  // 3. A private block, with copies of the patient's name and ID, and a private sequence.
  const privateElements: [Tag, Vr, string][] = [
    [0x00091001, 'LO', values.make('LO', 'PRIVATE NOTE')],
    [0x00091002, 'SH', values.make('SH')],
    [0x00091003, 'UT', values.make('UT', 'Private report')],
    [0x00091004, 'LO', values.make('LO', 'PRIVATE REFERRER')],
  ];
  common.set(PRIVATE_CREATOR_TAG, { op: 'set', vr: 'LO', value: PRIVATE_CREATOR });
  for (const [tag, vr, value] of privateElements) {
    common.set(tag, { op: 'set', vr, value });
    list(value, 'PrivateTag', tag, 'private', vr);
  }
  // Copies of the patient's name and ID: planted, listed already (location 'top').
  common.set(0x00091010, { op: 'set', vr: 'PN', value: patientName });
  common.set(0x00091011, { op: 'set', vr: 'LO', value: patientId });
  const nestedPrivate = values.make('LO', 'NESTED PRIVATE');
  const privateItem: NewElement[] = [
    { tag: PRIVATE_CREATOR_TAG, vr: 'LO', value: PRIVATE_CREATOR },
    { tag: 0x00091001, vr: 'LO', value: nestedPrivate },
  ];
  list(nestedPrivate, 'PrivateTag', 0x00091001, 'private-sequence', 'LO');
  for (const keyword of PRIVATE_SEQUENCE_KEYWORDS) {
    const { tag, vr } = standard(keyword);
    const value = values.make(vr, keyword);
    privateItem.push({ tag, vr, value });
    list(value, keyword, tag, 'private-sequence', vr);
  }
  common.set(PRIVATE_SEQUENCE, { op: 'set', vr: 'SQ', value: { items: [privateItem] } });

  // 4. The files, named after the patient, each referring to the one before.
  mkdirSync(dir, { recursive: true });
  const nameStem = `${patientName.replace(/\^/g, '_')}_${patientId}`;
  list(patientName.replace(/\^/g, '_'), 'PatientName', TAG.PatientName, 'file-name', 'PN');
  planted.push({ value: patientId, keyword: 'PatientID', tag: TAG.PatientID, location: 'file-name' });
  const files: string[] = [];
  for (const [index, sopInstanceUid] of sopInstanceUids.entries()) {
    const edits = new Map(common);
    edits.set(TAG.SOPInstanceUID, { op: 'set', vr: 'UI', value: sopInstanceUid });
    edits.set(TAG.InstanceNumber, { op: 'set', vr: 'IS', value: String(index + 1) });
    const previous = sopInstanceUids[index - 1];
    const reference = previous === undefined ? undefined : { items: [[
      { tag: TAG.ReferencedSOPClassUID, vr: 'UI', value: sopClassUid },
      { tag: TAG.ReferencedSOPInstanceUID, vr: 'UI', value: previous },
    ] as NewItem] };
    for (const tag of [TAG.ReferencedImageSequence, TAG.SourceImageSequence]) {
      edits.set(tag, reference ? { op: 'set', vr: 'SQ', value: reference } : { op: 'remove' });
    }
    const file = path.resolve(dir, `${nameStem}_IM${index + 1}${options.withoutExtension ? '' : '.dcm'}`);
    await writeDicomFile(base, edits, file);
    files.push(file);
  }

  return {
    dir: path.resolve(dir),
    files,
    planted,
    patientId,
    patientName,
    issuerOfPatientId,
    studyInstanceUid,
    seriesInstanceUid,
    frameOfReferenceUid,
    sopInstanceUids,
    baseFile,
  };
}

/** The planted values that occur in `bytes` (searched as Latin-1 and as UTF-8). */
export function findPlanted(bytes: Uint8Array, planted: readonly PlantedValue[]): PlantedValue[] {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return planted.filter((entry) => haystack.includes(Buffer.from(entry.value, 'latin1')) || haystack.includes(Buffer.from(entry.value, 'utf8')));
}

/**
 * Table E.1-1 rows planted at the top level: not kept under DEFAULT_OPTIONS, one text VR, not
 * command (0000), meta (0002) or repeating-group (50xx, 60xx) rows.
 */
export function plantableRows(): ProfileEntry[] {
  return PROFILE.filter((row) => {
    const group = row.tag >>> 16;
    if (row.mask !== 0xffffffff || group === 0x0000 || group === 0x0002) return false;
    if (!SETTABLE_VRS.has(row.vr) || lookupTag(row.tag)?.vrs.join() !== row.vr) return false;
    return resolveAction(row.tag, DEFAULT_OPTIONS) !== 'keep';
  });
}

function standard(keyword: string): { tag: Tag; vr: Vr } {
  const tag = tagForKeyword(keyword);
  const vr = tag === undefined ? undefined : lookupTag(tag)?.vrs[0];
  if (tag === undefined || vr === undefined) throw new Error(`unknown keyword ${keyword}`);
  if (resolveAction(tag, DEFAULT_OPTIONS) === 'keep') throw new Error(`${keyword} is kept by the profile; planting it proves nothing`);
  return { tag, vr };
}

/** The smallest value multiplicity the dictionary allows ("3" → 3, "2-2n" → 2, "1-n" → 1). */
function minValues(tag: Tag): number {
  const vm = lookupTag(tag)?.vm ?? '1';
  return Number.parseInt(vm, 10) || 1;
}

/**
 * Distinctive values valid for each VR. Text values start with a token `PL<SEED><4 digits>` that
 * occurs nowhere else in them, so no value is a substring of another; UIDs all have the same
 * length; dates (year odd), date-times (year even, hours below 24) and times (with a 6-digit
 * fraction) are built so that none can occur inside another.
 */
class ValueFactory {
  private readonly seed: string;
  private readonly seedNumber: number;
  private readonly counters = { text: 0, uid: 0, da: 0, dt: 0, tm: 0, number: 0 };

  constructor(seed: string) {
    if (!/^[A-Za-z0-9]{1,4}$/.test(seed)) throw new Error('seed must be 1 to 4 letters or digits');
    this.seed = seed.toUpperCase();
    this.seedNumber = Number.parseInt(this.seed, 36) + 1;
  }

  make(vr: Vr, keyword: string, multiplicity: number): string | string[];
  make(vr: Vr, keyword?: string): string;
  make(vr: Vr, keyword = '', multiplicity = 1): string | string[] {
    if (multiplicity > 1) return Array.from({ length: multiplicity }, () => this.make(vr, keyword));
    switch (vr) {
      case 'AE':
      case 'CS':
      case 'SH':
        return this.token();
      case 'LO':
      case 'UC':
        return `${this.token()} ${keyword}`.slice(0, 64).trimEnd();
      case 'PN': {
        const token = this.token();
        return `${token}^GIVEN${token.slice(-4)}`;
      }
      case 'LT':
      case 'ST':
      case 'UT':
        // Every word of an address is an identity the safety net cuts from kept text: an address
        // shares no word with the other notes, as a real one would not.
        if (/Address|Telecom|Residence/.test(keyword)) return `${this.token()} ${keyword}\r\n${this.token()}`;
        return `${this.token()} ${keyword}: planted free text.\r\nSecond line of the note.`;
      case 'UR':
        return `http://plant-${this.seed.toLowerCase()}-${this.serial()}.example/${keyword}`;
      case 'UI':
        return `${UID_ROOT}.${this.seedNumber}.${1000 + this.next('uid')}`;
      case 'DA':
        return formatDate(this.daYear(), this.next('da'));
      case 'DT': {
        const index = this.next('dt');
        return `${formatDate(this.daYear() + 1, index)}${formatTime(index)}`;
      }
      case 'TM': {
        const index = this.next('tm');
        return `${formatTime(index)}.${String(this.seedNumber % 100).padStart(2, '0')}${String(index).padStart(4, '0')}`;
      }
      case 'AS':
        return `0${String(20 + (this.next('number') % 70)).padStart(2, '0')}Y`;
      case 'DS':
        return `${40 + (this.next('number') % 50)}.25`;
      case 'IS':
        return String(100 + this.next('number'));
      default:
        throw new Error(`no planted value for VR ${vr}`);
    }
  }

  private token(): string {
    return `PL${this.seed}${this.serial()}`;
  }

  /** The next text serial, 4 digits: fixed width, so no token is a prefix of another. */
  private serial(): string {
    const value = this.next('text');
    if (value > 9999) throw new Error('too many planted text values');
    return String(value).padStart(4, '0');
  }

  private next(counter: keyof ValueFactory['counters']): number {
    return ++this.counters[counter];
  }

  /** An odd year from 1925 to 1997: two digits after "19" that cannot be an hour, never 1900. */
  private daYear(): number {
    return 1925 + 2 * (this.seedNumber % 37);
  }
}

/** YYYYMMDD of day `index` (1-based, below 366) of `year`. */
function formatDate(year: number, index: number): string {
  if (index > 365) throw new Error('too many planted dates');
  const date = new Date(Date.UTC(year, 0, index));
  return `${year}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}`;
}

/** HHMMSS between 08:00:00 and 20:00:00, different for each `index` below 400. */
function formatTime(index: number): string {
  const seconds = 8 * 3600 + index * 107;
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  return [hh, mm, ss].map((part) => String(part).padStart(2, '0')).join('');
}

