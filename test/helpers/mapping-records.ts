// Mapping records for the store tests: a patient's name in the file name, lists of every length,
// UID pairs shared across records and per record.
import type { MappingRecord, RecordedFile } from '../../src/store/mapping-record.js';

export function sample(batchId: string, index: number, overrides: Partial<MappingRecord> = {}): MappingRecord {
  return {
    batchId,
    processedAt: new Date(Date.UTC(2024, 4, 1, 12, 0, 0, index)).toISOString(),
    originalFilename: `Müller, Hans ${index}.dcm`,
    anonymizedFilename: `ANON-${String(index).padStart(5, '0')}.dcm`,
    originalPatientId: `PID-${index}`,
    anonymizedPatientId: `ANON-PAT${index % 7}`,
    tagsAnonymized: ['PatientName', 'PatientID', 'StudyDate', '(0009,1001)'].slice(0, index % 5),
    uidsRegenerated: ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID'].slice(0, index % 4),
    uidPairs: [
      { original: '1.2.826.0.1.3680043.10.9999.1', anonymized: '2.25.100' },
      { original: `1.2.826.0.1.3680043.10.9999.1.${index}`, anonymized: `2.25.100${index}` },
    ],
    ...overrides,
  };
}

/** A record as the store gives it back: its UID pairs are kept per batch, not per file. */
export function readBack(record: MappingRecord): RecordedFile {
  const { uidPairs: _pairs, ...file } = record;
  return file;
}
