import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { writeMappingCsv } from '../export/mapping-csv.js';
import { MappingStore } from '../store/mapping-store.js';
import { EXIT_OK, UsageError, type CommandIo } from './io.js';

export const MAPPING_USAGE = `Usage: dicom-tools mapping export --out FILE.csv [--batch ID]
       dicom-tools mapping batches

The mapping store (DICOM_DATA_DIR/mapping.sqlite) links every anonymized file back to its original
file name and patient ID. It is the only place, with the CSV exported from it, that holds them.

  export     write the mapping CSV (columns: Original Filename, Anonymized Filename, Original Patient ID,
             Anonymized ID, Tags Anonymized, UIDs Regenerated), mode 0600; all batches or --batch ID
  batches    list the batches: id, start time, source, number of files`;

export async function mappingCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, batch: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [action] = positionals;
  if (values.help) {
    io.stdout.write(`${MAPPING_USAGE}\n`);
    return EXIT_OK;
  }
  if (action !== 'export' && action !== 'batches') throw new UsageError("mapping needs 'export' or 'batches'");
  if (action === 'export' && !values.out) throw new UsageError('mapping export needs --out FILE.csv');
  const store = MappingStore.open(loadConfig().dataDir);
  try {
    if (action === 'batches') {
      for (const batch of store.batches()) io.stdout.write(`${batch.id}\t${batch.startedAt}\t${batch.source}\t${batch.fileCount}\n`);
      return EXIT_OK;
    }
    const records = store.records(values.batch === undefined ? {} : { batchId: values.batch });
    await writeMappingCsv(records, values.out ?? '');
    io.stderr.write(`Wrote ${records.length} mapping row${records.length === 1 ? '' : 's'} to ${values.out} (mode 0600: keep it separate and secure).\n`);
    return EXIT_OK;
  } finally {
    store.close();
  }
}
