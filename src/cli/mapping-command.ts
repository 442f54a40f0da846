import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { writeIdPairsCsv, writeMappingCsv } from '../export/mapping-csv.js';
import { openMappingStore } from '../store/open-mapping-store.js';
import { EXIT_OK, type CommandIo } from './command.js';
import { MAPPING_URL_FLAG_HELP, mappingUrlFlag, storeConfigFrom } from './mapping-url-flag.js';
import { didYouMean, parseCommandArgs } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

export const MAPPING_USAGE = `Usage: dicom-tools mapping export [--out FILE.csv] [--uids FILE.csv] [--patients FILE.csv] [--batch ID] [--mapping-url URL]
       dicom-tools mapping batches [--mapping-url URL]

The mapping store (DICOM_DATA_DIR/mapping.sqlite, or the PostgreSQL database of DICOM_MAPPING_URL) links every anonymized file back to its original
file name, patient ID and UIDs. It is the only place, with the files exported from it, that holds them.

  export     write one or more of (at least one), each mode 0600, from all batches or --batch ID:
             --out       the mapping CSV (columns: Original Filename, Anonymized Filename, Original
                         Patient ID, Anonymized ID, Tags Anonymized, UIDs Regenerated; the last two
                         list keywords separated by ";"; both are empty for files recorded by an older
                         dicom-tools, which kept only their counts)
             --uids      original-to-new UIDs as CSV (id_old,id_new), one row per distinct pair
             --patients  original-to-pseudonymous patient IDs as CSV (id_old,id_new), one row per
                         distinct pair
  batches    list the batches: id, start time, source, number of files, profile

${MAPPING_URL_FLAG_HELP}`;

export async function mappingCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      uids: { type: 'string' },
      patients: { type: 'string' },
      batch: { type: 'string' },
      ...mappingUrlFlag,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [action] = positionals;
  if (values.help) {
    io.stdout.write(`${MAPPING_USAGE}\n`);
    return EXIT_OK;
  }
  if (action === undefined) throw new UsageError("mapping needs 'export' or 'batches'");
  if (action !== 'export' && action !== 'batches') throw new UsageError(`mapping needs 'export' or 'batches', not '${action}'${didYouMean(action, ['export', 'batches'])}`);
  const targets = [values.out, values.uids, values.patients].filter((target): target is string => target !== undefined);
  if (action === 'export' && targets.length === 0) throw new UsageError('mapping export needs --out FILE.csv, --uids FILE.csv or --patients FILE.csv');
  if (targets.some((target) => target === '')) throw new UsageError('mapping export needs a file name after --out, --uids and --patients');
  // One export written over another would leave only the last, silently.
  if (new Set(targets.map((target) => path.resolve(target))).size < targets.length) throw new UsageError('mapping export needs a different file for each of --out, --uids and --patients');
  const store = await openMappingStore(storeConfigFrom(values, loadConfig()));
  try {
    if (action === 'batches') {
      for (const batch of await store.batches()) io.stdout.write(`${batch.id}\t${batch.startedAt}\t${batch.source}\t${batch.fileCount}\t${batch.profile}\n`);
      return EXIT_OK;
    }
    const filter = values.batch === undefined ? {} : { batchId: values.batch };
    const keep = '(mode 0600: keep it separate and secure)';
    if (values.out !== undefined) {
      const records = await store.records(filter);
      await writeMappingCsv(records, values.out);
      io.stderr.write(`Wrote ${plural(records.length, 'mapping row')} to ${values.out} ${keep}.\n`);
    }
    if (values.uids !== undefined) {
      const pairs = await store.uidPairs(filter);
      await writeIdPairsCsv(pairs, values.uids);
      io.stderr.write(`Wrote ${plural(pairs.length, 'UID pair')} to ${values.uids} ${keep}.\n`);
    }
    if (values.patients !== undefined) {
      const pairs = await store.patientPairs(filter);
      await writeIdPairsCsv(pairs, values.patients);
      io.stderr.write(`Wrote ${plural(pairs.length, 'patient ID pair')} to ${values.patients} ${keep}.\n`);
    }
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? '' : 's'}`;
}
