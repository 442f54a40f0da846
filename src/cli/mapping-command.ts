import { loadConfig } from '../config/config.js';
import { exportTargetsProblem, type ExportTarget } from '../export/export-target.js';
import { writeIdPairsCsv, writeMappingCsv } from '../export/mapping-csv.js';
import { printableText } from '../io/printable-text.js';
import { openMappingStore } from '../store/open-mapping-store.js';
import { plural } from '../text/plural.js';
import { EXIT_OK, type CommandIo } from './command.js';
import { MAPPING_URL_FLAG_HELP, mappingUrlFlag, storeConfigFrom } from './mapping-url-flag.js';
import { didYouMean, parseCommandArgs } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

export const MAPPING_USAGE = `Usage: dicom-tools mapping export [--out FILE.csv [--pixels]] [--uids FILE.csv] [--patients FILE.csv] [--batch ID] [--force] [--mapping-url URL]
       dicom-tools mapping batches [--mapping-url URL]

The mapping store (DICOM_DATA_DIR/mapping.sqlite, or the PostgreSQL database of DICOM_MAPPING_URL) links every anonymized file back to its original
file name, patient ID and UIDs. It is the only place, with the files exported from it, that holds them.

  export     write one or more of (at least one), each mode 0600, from all batches or --batch ID:
             --out       the mapping CSV (columns: Original Filename, Anonymized Filename, Original
                         Patient ID, Anonymized ID, Tags Anonymized, UIDs Regenerated; the last two
                         list keywords separated by ";"; both are empty for files recorded by an older
                         dicom-tools, which kept only their counts)
             --pixels    add a seventh column to --out, Pixel Cleaning: how each image at risk of
                         burned-in text was treated (the region list entry or the ultrasound regions
                         that cleaned it, or "accepted as it is"); empty for the other images
             --uids      original-to-new UIDs as CSV (id_old,id_new), one row per distinct pair
             --patients  original-to-pseudonymous patient IDs as CSV (id_old,id_new), one row per
                         distinct pair
             --force     replace an existing file (never an input, anything in the data folder, or
                         a folder, device or pipe)
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
      force: { type: 'boolean', default: false },
      pixels: { type: 'boolean', default: false },
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
  const targets: ExportTarget[] = (['out', 'uids', 'patients'] as const).flatMap((flag) => (values[flag] === undefined ? [] : [{ flag: `--${flag}`, path: values[flag] }]));
  if (action === 'export' && targets.length === 0) throw new UsageError('mapping export needs --out FILE.csv, --uids FILE.csv or --patients FILE.csv');
  if (action === 'export' && values.pixels && values.out === undefined) throw new UsageError('--pixels adds a column to the mapping CSV: give --out FILE.csv too');
  const config = loadConfig();
  // Checked before the store is opened: a bad target costs nothing and replaces nothing.
  const problem = exportTargetsProblem(targets, { dataDir: config.dataDir, force: values.force });
  if (problem !== undefined) throw new UsageError(problem);
  const store = await openMappingStore(storeConfigFrom(values, config));
  try {
    if (action === 'batches') {
      for (const batch of await store.batches()) io.stdout.write(`${batch.id}\t${batch.startedAt}\t${batch.source}\t${batch.fileCount}\t${printableText(batch.profile)}\n`);
      return EXIT_OK;
    }
    const filter = values.batch === undefined ? {} : { batchId: values.batch };
    const keep = '(mode 0600: keep it separate and secure)';
    if (values.out !== undefined) {
      const records = await store.records(filter);
      await writeMappingCsv(records, values.out, { replace: values.force, pixels: values.pixels });
      io.stderr.write(`Wrote ${plural(records.length, 'mapping row')} to ${printableText(values.out)} ${keep}.\n`);
    }
    if (values.uids !== undefined) {
      const pairs = await store.uidPairs(filter);
      await writeIdPairsCsv(pairs, values.uids, { replace: values.force });
      io.stderr.write(`Wrote ${plural(pairs.length, 'UID pair')} to ${printableText(values.uids)} ${keep}.\n`);
    }
    if (values.patients !== undefined) {
      const pairs = await store.patientPairs(filter);
      await writeIdPairsCsv(pairs, values.patients, { replace: values.force });
      io.stderr.write(`Wrote ${plural(pairs.length, 'patient ID pair')} to ${printableText(values.patients)} ${keep}.\n`);
    }
    return EXIT_OK;
  } finally {
    await store.close();
  }
}
