import path from 'node:path';
import { printableText, type FileResult } from '../src/index.js';
import type { Messages } from './messages.js';
import { fit, truncateMiddle } from './truncate.js';

const PATIENT_ID_WIDTH = 15;
const COUNT_WIDTH = 5;

/** The results table's columns for a width: fixed ones first, the two names share the rest. */
export function reviewColumns(width: number, messages: Messages) {
  const status = Math.max(messages.review.columns.status.length, ...Object.values(messages.review.status).map((label) => label.length));
  const names = Math.max(16, width - 2 - status - PATIENT_ID_WIDTH - 2 * COUNT_WIDTH - 5);
  const original = Math.ceil(names / 2);
  return { original, anonymized: names - original, status, patientId: PATIENT_ID_WIDTH, count: COUNT_WIDTH };
}

type Columns = ReturnType<typeof reviewColumns>;

export function headerLine(columns: Columns, messages: Messages): string {
  const names = messages.review.columns;
  return [
    `  ${fit(names.original, columns.original)}`,
    fit(names.anonymized, columns.anonymized),
    fit(names.status, columns.status),
    fit(names.patientId, columns.patientId),
    fit(names.tags, columns.count, 'right'),
    fit(names.uids, columns.count, 'right'),
  ].join(' ');
}

/** One result as a table line (without the cursor marker). */
export function resultLine(result: FileResult, columns: Columns, messages: Messages): string {
  const anonymized = result.output === undefined ? '-' : path.basename(result.output);
  return [
    fit(truncateMiddle(printableText(path.basename(result.input)), columns.original), columns.original),
    fit(truncateMiddle(anonymized, columns.anonymized), columns.anonymized),
    fit(messages.review.status[result.status], columns.status),
    fit(result.anonymizedPatientId ?? '-', columns.patientId),
    fit(result.tagsAnonymized === undefined ? '-' : String(result.tagsAnonymized), columns.count, 'right'),
    fit(result.uidsRegenerated === undefined ? '-' : String(result.uidsRegenerated), columns.count, 'right'),
  ].join(' ');
}
