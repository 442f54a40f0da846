import { readFileSync } from 'node:fs';
import type { SubjectIdEntry, SubjectIds, UnlistedPatients } from '../deid/subject-ids.js';
import { DicomToolsError } from '../errors/dicom-tools-error.js';
import { describeFsError } from '../io/durable-files.js';
import { plural } from '../text/plural.js';
import { CsvSyntaxError, parseCsv } from './parse-csv.js';

/**
 * A subject-ID list that cannot be used. The message names the file and the line, never a value:
 * the list holds patient IDs (a header cell may be a patient ID too, when the header row is missing).
 */
export class SubjectIdListError extends DicomToolsError {
  readonly code = 'SUBJECT_IDS';
  readonly kind = 'abort';
  readonly path: string;

  constructor(path: string, problem: string, cause?: unknown) {
    super(`${path}: ${problem}`, cause);
    this.path = path;
  }
}

export const ORIGINAL_PATIENT_ID_COLUMN = 'Original Patient ID';
export const SUBJECT_ID_COLUMN = 'Subject ID';
export const ISSUER_COLUMN = 'Issuer of Patient ID';
const COLUMNS = [ORIGINAL_PATIENT_ID_COLUMN, SUBJECT_ID_COLUMN, ISSUER_COLUMN] as const;

/** LO (PS3.5 6.2): at most 64 characters. Printable ASCII only, so that every file can carry it whatever its character set. */
const MAX_SUBJECT_ID_LENGTH = 64;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Reads and checks a subject-ID list (CSV with the header `Original Patient ID,Subject ID` and
 * optionally `Issuer of Patient ID`, in any order), all of it before any DICOM file is touched.
 *
 * @throws SubjectIdListError naming the file and line of the first problem.
 */
export function readSubjectIdList(file: string, unlisted: UnlistedPatients): SubjectIds {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SubjectIdListError(file, `cannot read the subject-ID list: ${describeFsError(error)}`, error);
  }
  return { source: file, entries: parseSubjectIdList(text, file), unlisted };
}

/** The entries of a subject-ID list's text; `file` names it in errors. */
export function parseSubjectIdList(text: string, file: string): SubjectIdEntry[] {
  const fail = (line: number, problem: string): never => {
    throw new SubjectIdListError(file, `line ${line}: ${problem}`);
  };
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) fail(error.line, `not valid CSV: ${error.problem}`);
    throw error;
  }
  const [header, ...rows] = records;
  const expected = `the header must be "${ORIGINAL_PATIENT_ID_COLUMN},${SUBJECT_ID_COLUMN}", optionally with "${ISSUER_COLUMN}"`;
  if (!header) return fail(1, `the file is empty: ${expected}`);
  const names = header.fields.map((name) => name.trim());
  names.forEach((name, index) => {
    // The cell is not quoted: without a header row it is a patient's ID.
    if (!(COLUMNS as readonly string[]).includes(name)) fail(header.line, `column ${index + 1} of the header is not a known column (is the header missing?): ${expected}`);
    if (names.indexOf(name) !== index) fail(header.line, `the header names the ${name} column twice`);
  });
  const originalAt = names.indexOf(ORIGINAL_PATIENT_ID_COLUMN);
  const subjectAt = names.indexOf(SUBJECT_ID_COLUMN);
  const issuerAt = names.indexOf(ISSUER_COLUMN);
  if (originalAt < 0) fail(header.line, `the header has no ${ORIGINAL_PATIENT_ID_COLUMN} column: ${expected}`);
  if (subjectAt < 0) fail(header.line, `the header has no ${SUBJECT_ID_COLUMN} column: ${expected}`);
  if (rows.length === 0) fail(header.line, 'the list has a header but no patients');

  const entries: SubjectIdEntry[] = [];
  // Where each original (with its issuer, or "any issuer") and each subject ID was first listed.
  const originals = new Map<string, { readonly line: number; readonly anyIssuer: boolean }>();
  const issuersOf = new Map<string, { readonly line: number; readonly anyIssuer: boolean }>();
  const subjects = new Map<string, number>();
  for (const { fields, line } of rows) {
    if (fields.length !== names.length) fail(line, `${plural(fields.length, 'field')}, but the header has ${names.length} columns`);
    const originalId = (fields[originalAt] ?? '').trim();
    const subjectId = (fields[subjectAt] ?? '').trim();
    const issuerCell = issuerAt < 0 ? '' : (fields[issuerAt] ?? '').trim();
    // An empty issuer (or no issuer column) matches the Patient ID under any issuer.
    const issuer = issuerCell === '' ? undefined : issuerCell;
    if (originalId === '') fail(line, `the ${ORIGINAL_PATIENT_ID_COLUMN} is empty`);
    if (subjectId === '') fail(line, `the ${SUBJECT_ID_COLUMN} is empty`);
    if (subjectId.length > MAX_SUBJECT_ID_LENGTH) fail(line, `the ${SUBJECT_ID_COLUMN} is longer than ${MAX_SUBJECT_ID_LENGTH} characters (a Patient ID is LO)`);
    if (subjectId.includes('\\')) fail(line, `the ${SUBJECT_ID_COLUMN} contains a backslash (it separates values in DICOM)`);
    if (!PRINTABLE_ASCII.test(subjectId)) fail(line, `the ${SUBJECT_ID_COLUMN} contains a control or non-ASCII character (use printable ASCII)`);
    if (subjectId === originalId) fail(line, `the ${SUBJECT_ID_COLUMN} is the ${ORIGINAL_PATIENT_ID_COLUMN} itself: the patient's ID would stay in the files`);
    const key = `${originalId}\u0000${issuer ?? ''}`;
    const same = originals.get(key);
    if (same) fail(line, `the ${ORIGINAL_PATIENT_ID_COLUMN}${issuer === undefined ? '' : ` with this ${ISSUER_COLUMN}`} is already listed on line ${same.line}`);
    // With and without an issuer, one ID would match two rows: which subject ID would win?
    const other = issuersOf.get(originalId);
    if (other && other.anyIssuer !== (issuer === undefined)) {
      fail(line, `the ${ORIGINAL_PATIENT_ID_COLUMN} is listed on line ${other.line} ${other.anyIssuer ? 'without' : 'with'} an ${ISSUER_COLUMN} and here ${issuer === undefined ? 'without' : 'with'} one: an empty issuer matches any issuer`);
    }
    const earlier = subjects.get(subjectId);
    if (earlier !== undefined) fail(line, `the ${SUBJECT_ID_COLUMN} is already assigned on line ${earlier} to another patient`);
    originals.set(key, { line, anyIssuer: issuer === undefined });
    if (!other) issuersOf.set(originalId, { line, anyIssuer: issuer === undefined });
    subjects.set(subjectId, line);
    entries.push({ originalId, issuer, subjectId });
  }
  return entries;
}

/** The list at `file` (none without one); unlisted patients are refused unless `unlisted` says otherwise. */
export function loadSubjectIds(file: string | undefined, unlisted: UnlistedPatients | undefined): SubjectIds | undefined {
  return file === undefined ? undefined : readSubjectIdList(file, unlisted ?? 'refuse');
}
