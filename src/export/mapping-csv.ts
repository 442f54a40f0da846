import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { IdPair, RecordedFile } from '../store/mapping-record.js';
import { sinkInto, writeExportFile, type ExportWriteOptions } from './export-file.js';

/** The product's columns, in its order. */
export const MAPPING_CSV_COLUMNS = [
  { key: 'originalFilename', header: 'Original Filename' },
  { key: 'anonymizedFilename', header: 'Anonymized Filename' },
  { key: 'originalPatientId', header: 'Original Patient ID' },
  { key: 'anonymizedPatientId', header: 'Anonymized ID' },
  { key: 'tagsAnonymized', header: 'Tags Anonymized' },
  { key: 'uidsRegenerated', header: 'UIDs Regenerated' },
] as const satisfies readonly { key: keyof RecordedFile; header: string }[];

/** The column `mapping export --pixels` adds after the product's: how an at-risk image's pixels were treated. */
export const MAPPING_CSV_PIXELS_COLUMN = { key: 'pixelCleaning', header: 'Pixel Cleaning' } as const satisfies { key: keyof RecordedFile; header: string };

/** What a mapping CSV holds, and how it meets a file already at its path. */
export interface MappingCsvOptions extends ExportWriteOptions {
  /**
   * Adds the Pixel Cleaning column after the product's six: the region list entry or method that
   * cleaned an at-risk image, or "accepted as it is"; empty for an image not at risk.
   * @default false
   */
  readonly pixels?: boolean;
}

/** Separates the keywords in the Tags Anonymized and UIDs Regenerated cells. */
export const MAPPING_CSV_LIST_SEPARATOR = ';';

/**
 * A cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
 * is written with a leading `'` (OWASP's advice against CSV injection; a file name or Patient ID is
 * whatever the original held). A cell that starts with `'` before such a character gets one too,
 * so that the rule can be undone exactly: `csvCellValue`.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/** A value as written into a CSV cell: neutralised for spreadsheets (see FORMULA_START). */
export function spreadsheetSafe(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The exact value of a cell of our CSV exports: the one leading `'` that spreadsheetSafe added is removed. */
export function csvCellValue(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell) ? cell.slice(1) : cell;
}

/** The header of the UID and patient pair exports: the format the MIDI-B benchmark takes a tool's mappings in. */
export const ID_PAIRS_CSV_COLUMNS = [
  { key: 'original', header: 'id_old' },
  { key: 'anonymized', header: 'id_new' },
] as const satisfies readonly { key: keyof IdPair; header: string }[];

/**
 * Writes the mapping as CSV (RFC 4180 quoting, UTF-8 without BOM, `\n` line ends): a header row
 * and one row per record. Tags Anonymized and UIDs Regenerated hold `;`-separated keywords; a
 * file recorded before the store kept those lists gets empty cells there. The file holds patient
 * data, so it is readable by the owner only (0600) from the moment it exists. It is written to a
 * temporary file and renamed, so an existing `outPath` is replaced atomically (with `replace:
 * false`, refused) and a failure leaves no partial file. A cell a spreadsheet would take for a
 * formula starts with `'` (spreadsheetSafe; csvCellValue gives the exact value back). With
 * `pixels`, a seventh column, Pixel Cleaning, says how each at-risk image's pixels were treated.
 *
 * @throws ExportError when the file cannot be written.
 */
export async function writeMappingCsv(records: Iterable<RecordedFile>, outPath: string, options: MappingCsvOptions = {}): Promise<void> {
  const { pixels = false, ...writeOptions } = options;
  await writeCsv(mappingRows(records), pixels ? [...MAPPING_CSV_COLUMNS, MAPPING_CSV_PIXELS_COLUMN] : MAPPING_CSV_COLUMNS, outPath, writeOptions);
}

/**
 * Writes original-to-new identifier pairs (UIDs or Patient IDs) as CSV with the header
 * `id_old,id_new`, one row per pair, with the same format, mode 0600 and atomic replacement as
 * `writeMappingCsv`, formula cells included: the original identifiers are patient data.
 *
 * @throws ExportError when the file cannot be written.
 */
export async function writeIdPairsCsv(pairs: Iterable<IdPair>, outPath: string, options: ExportWriteOptions = {}): Promise<void> {
  await writeCsv(pairs, ID_PAIRS_CSV_COLUMNS, outPath, options);
}

type MappingCsvKey = (typeof MAPPING_CSV_COLUMNS)[number]['key'] | typeof MAPPING_CSV_PIXELS_COLUMN.key;

function* mappingRows(records: Iterable<RecordedFile>): Generator<Record<MappingCsvKey, string>> {
  for (const record of records) {
    yield {
      ...record,
      tagsAnonymized: record.tagsAnonymized?.join(MAPPING_CSV_LIST_SEPARATOR) ?? '',
      uidsRegenerated: record.uidsRegenerated?.join(MAPPING_CSV_LIST_SEPARATOR) ?? '',
      pixelCleaning: record.pixelCleaning ?? '',
    };
  }
}

async function writeCsv(rows: Iterable<object>, columns: readonly { key: string; header: string }[], outPath: string, options: ExportWriteOptions): Promise<void> {
  await writeExportFile(
    outPath,
    0o600,
    async (handle) => {
      await pipeline(Readable.from(rows), stringify({ header: true, columns: [...columns], cast: { string: spreadsheetSafe } }), sinkInto(handle));
    },
    options,
  );
}
