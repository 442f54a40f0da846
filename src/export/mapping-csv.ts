import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { MappingRecord } from '../store/mapping-record.js';
import { sinkInto, writeFileAtomically } from './atomic-file.js';

/** The product's columns, in its order. */
export const MAPPING_CSV_COLUMNS = [
  { key: 'originalFilename', header: 'Original Filename' },
  { key: 'anonymizedFilename', header: 'Anonymized Filename' },
  { key: 'originalPatientId', header: 'Original Patient ID' },
  { key: 'anonymizedPatientId', header: 'Anonymized ID' },
  { key: 'tagsAnonymized', header: 'Tags Anonymized' },
  { key: 'uidsRegenerated', header: 'UIDs Regenerated' },
] as const satisfies readonly { key: keyof MappingRecord; header: string }[];

/**
 * Writes the mapping as CSV (RFC 4180 quoting, UTF-8 without BOM, `\n` line ends): a header row
 * and one row per record. The file holds patient data, so it is readable by the owner only (0600)
 * from the moment it exists. It is written to a temporary file and renamed, so an existing
 * `outPath` is replaced atomically and a failure leaves no partial file.
 *
 * @throws ExportError when the file cannot be written.
 */
export async function writeMappingCsv(records: Iterable<MappingRecord>, outPath: string): Promise<void> {
  await writeFileAtomically(outPath, 0o600, async (handle) => {
    await pipeline(Readable.from(records), stringify({ header: true, columns: MAPPING_CSV_COLUMNS }), sinkInto(handle));
  });
}
