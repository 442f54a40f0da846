import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { loadSecret } from '../config/secret.js';
import { anonymizeFiles, ensureOutDir, type AnonymizeRequest, type AnonymizeSummary, type ShardCount } from '../pipeline/anonymize-files.js';
import { collectInputs, type CollectedInputs } from '../io/collect-inputs.js';
import { outDirInsideInput, outDirProblem } from '../pipeline/out-dir-problem.js';
import type { FileResult } from '../pipeline/file-result.js';
import { batchStart, runOptions } from '../pipeline/run-options.js';
import { filesInShard, shardLabel, type Shard } from '../pipeline/shard.js';
import { describeOptions, profileLabel, type DeidOptions } from '../deid/options.js';
import { PROFILE_EDITION } from '../deid/profile.js';
import { Pseudonymizer } from '../deid/pseudonyms.js';
import { optionsForRecord } from '../deid/site-rules.js';
import { exportTargetsProblem, type ExportTarget } from '../export/export-target.js';
import type { RecordedFile } from '../store/mapping-record.js';
import { openMappingStore } from '../store/open-mapping-store.js';
import { printableText } from '../io/printable-text.js';
import { plural } from '../text/plural.js';
import { EXIT_FAILED, EXIT_OK, type CommandIo } from './command.js';
import { MAPPING_URL_FLAG_HELP, mappingUrlFlag, storeConfigFrom } from './mapping-url-flag.js';
import { optionFlags, optionsFromFlags, OPTION_FLAGS_HELP } from './option-flags.js';
import { ProgressLine } from './progress-line.js';
import { parseCommandArgs } from './parse-command-args.js';
import { SHARD_FLAG_HELP, shardFlag, shardFromFlag } from './shard-flag.js';
import { optionsWithSiteRules, siteRulesFlags, SITE_RULES_FLAGS_HELP } from './site-rules-flags.js';
import { optionsWithPixelRegions, pixelRegionsFlags, PIXEL_REGIONS_FLAGS_HELP } from './pixel-regions-flags.js';
import { subjectIdFlags, subjectIdsFromFlags, SUBJECT_ID_FLAGS_HELP } from './subject-id-flags.js';
import { UsageError } from './usage-error.js';
import { BURNED_IN_ACCEPTED_WARNING } from '../pixels/burned-in-risk.js';

export const ANONYMIZE_USAGE = `Usage: dicom-tools anonymize PATH... --out DIR [--zip FILE] [--mapping FILE] [options]

De-identifies every DICOM file among PATH (folders are walked recursively; files are recognised by
content, with or without .dcm) into DIR, following DICOM PS3.15 Table E.1-1 (edition ${PROFILE_EDITION}),
Basic Application Level Confidentiality Profile. Outputs are named after their new SOP Instance UID.
The link back to each original is kept in the mapping store (DICOM_DATA_DIR, or DICOM_MAPPING_URL).

Options:
  -o, --out DIR        folder for the anonymized files (created if missing)
  --zip FILE           also write a ZIP of this run's anonymized files (never the mapping)
  --mapping FILE       also write this run's mapping CSV (mode 0600: it links back to patients)
  --force              replace an existing --zip or --mapping file (never an input, the output
                       folder or anything in the data folder)
${OPTION_FLAGS_HELP}
${SUBJECT_ID_FLAGS_HELP}
${SITE_RULES_FLAGS_HELP}
${PIXEL_REGIONS_FLAGS_HELP}
${SHARD_FLAG_HELP}
${MAPPING_URL_FLAG_HELP}
  --json               print a JSON report on stdout instead of the summary
  -h, --help

Exit status: 0 all files anonymized, 1 some failed or none found (or a file named by an option cannot
be used, e.g. a malformed --patient-ids list), 2 usage error (a malformed --rules or --pixel-regions file, or a --zip,
--mapping or --out that would replace an input, the store or another file too).`;

export async function anonymizeCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseAnonymizeArgs(args);
  if (values.help) {
    io.stdout.write(`${ANONYMIZE_USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('anonymize needs at least one PATH');
  if (!values.out) throw new UsageError('anonymize needs --out DIR');
  const shard = shardFromFlag(values);
  const config = loadConfig();
  const flagOptions: DeidOptions = optionsFromFlags(values, config.defaults);
  // Read and checked before the output folder, the store or any input is touched.
  const subjectIds = subjectIdsFromFlags(values, config, flagOptions);
  const run = runOptions(optionsWithPixelRegions(values, config, optionsWithSiteRules(values, config, flagOptions)), { subjectIds, inflateLimits: config.inflateLimits });
  const { options } = run;
  const storeConfig = storeConfigFrom(values, config);
  checkWritePlaces(values, positionals, values.out, config.dataDir);
  const collected = collectInputs(positionals, [values.out]);
  const skippedOutDir = outDirInsideInput(positionals, values.out);
  if ((shard ? filesInShard(collected.files, positionals, shard) : collected.files).length === 0) {
    return nothingToAnonymize(io, { collected, shard, skippedOutDir, json: values.json, options, outDir: values.out });
  }
  ensureOutDir(values.out);
  const keys = new Pseudonymizer(loadSecret(config, (notice) => io.stderr.write(`dicom-tools anonymize: ${notice}\n`)));
  const store = await openMappingStore(storeConfig);
  try {
    // The shard goes with the options on record, so the batch shows it was one part of an export.
    const batchId = await store.startBatch(batchStart('cli', run, shard && { shard: shardLabel(shard) }));
    // Said once, before any file: the run writes images whose pixels may show a patient's name.
    if (run.options.burnedIn === 'accept') io.stderr.write(`dicom-tools anonymize: warning: ${BURNED_IN_ACCEPTED_WARNING}\n`);
    const progress = new ProgressLine(io);
    const started = Date.now();
    const summary = await anonymizeFiles({
      inputs: positionals,
      collected,
      outDir: values.out,
      run,
      keys,
      batchId,
      shard,
      record: (records) => store.record(records),
      onResult: reportProgress(progress, started),
    });
    progress.done();
    for (const missing of summary.missing) io.stderr.write(`dicom-tools: ${printableText(missing)}: no such file or folder\n`);
    await writeExports(values, summary, () => store.records({ batchId }));
    const seconds = (Date.now() - started) / 1000;
    if (values.json) io.stdout.write(`${JSON.stringify(jsonReport(summary, options, values.out, seconds, values.zip, values.mapping), null, 2)}\n`);
    else io.stderr.write(`${textSummary(summary, options, values.out, seconds, values.zip, values.mapping)}\n`);
    if (skippedOutDir && !values.json) io.stderr.write(`The output folder ${values.out} lies inside an input folder and was not read.\n`);
    return summary.failed > 0 || summary.missing.length > 0 ? EXIT_FAILED : EXIT_OK;
  } finally {
    await store.close();
  }
}

function parseAnonymizeArgs(args: readonly string[]) {
  return parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      zip: { type: 'string' },
      mapping: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...optionFlags,
      ...subjectIdFlags,
      ...siteRulesFlags,
      ...pixelRegionsFlags,
      ...shardFlag,
      ...mappingUrlFlag,
    },
  });
}

type AnonymizeValues = ReturnType<typeof parseAnonymizeArgs>['values'];

/**
 * Every place this run writes is checked before the first output, the store or the batch.
 *
 * @throws UsageError for an output folder, --zip or --mapping that would replace an input, the store or another file.
 */
function checkWritePlaces(values: AnonymizeValues, inputs: readonly string[], outDir: string, dataDir: string): void {
  const outProblem = outDirProblem(inputs, outDir);
  if (outProblem !== undefined) throw new UsageError(outProblem);
  const targets: ExportTarget[] = [
    ...(values.zip === undefined ? [] : [{ flag: '--zip', path: values.zip }]),
    ...(values.mapping === undefined ? [] : [{ flag: '--mapping', path: values.mapping }]),
  ];
  const targetProblem = exportTargetsProblem(targets, { dataDir, inputs, outDir, force: values.force });
  if (targetProblem !== undefined) throw new UsageError(targetProblem);
}

interface NothingFound {
  readonly collected: CollectedInputs;
  readonly shard: Shard | undefined;
  readonly skippedOutDir: boolean;
  readonly json: boolean;
  readonly options: DeidOptions;
  readonly outDir: string;
}

/** Says there is nothing to anonymize: no output folder, no batch, no export. The exit status. */
function nothingToAnonymize(io: CommandIo, { collected, shard, skippedOutDir, json, options, outDir }: NothingFound): number {
  for (const missing of collected.missing) io.stderr.write(`dicom-tools: ${missing}: no such file or folder\n`);
  io.stderr.write(`Nothing to anonymize: no file found${shard ? ` in shard ${shardLabel(shard)}` : ''}${skippedOutDir ? ' (the output folder inside the input was not read)' : ''}; no batch recorded.\n`);
  if (json) {
    const empty: AnonymizeSummary = { batchId: '', results: [], anonymized: 0, failed: 0, skipped: 0, alreadyAnonymized: 0, cancelled: false, missing: collected.missing };
    io.stdout.write(`${JSON.stringify({ ...jsonReport(empty, options, outDir, 0), batchId: null }, null, 2)}\n`);
  }
  return collected.missing.length > 0 || (!shard && collected.files.length === 0) ? EXIT_FAILED : EXIT_OK;
}

/** Each failure and warning on its own line above a progress line that counts the files done. */
function reportProgress(progress: ProgressLine, started: number): NonNullable<AnonymizeRequest['onResult']> {
  return (result, { done, total }) => {
    if (result.status === 'failed') progress.message(`dicom-tools: ${printableText(result.reason ?? result.input)}`);
    for (const warning of result.warnings ?? []) progress.message(`dicom-tools: ${printableText(`${result.input}: warning: ${warning}`)}`);
    progress.update(done, total, started);
  };
}

/** The --zip of this run's outputs and the --mapping CSV of its batch, when asked for. */
async function writeExports(values: AnonymizeValues, summary: AnonymizeSummary, records: () => Promise<readonly RecordedFile[]>): Promise<void> {
  const outputs = summary.results.filter((result): result is FileResult & { output: string } => result.output !== undefined);
  if (values.zip) await (await import('../export/zip-export.js')).writeZip(outputs.map((result) => ({ sourcePath: result.output, name: path.basename(result.output) })), values.zip, { replace: values.force });
  if (values.mapping) await (await import('../export/mapping-csv.js')).writeMappingCsv(await records(), values.mapping, { replace: values.force });
}

function textSummary(summary: AnonymizeSummary, options: DeidOptions, outDir: string, seconds: number, zip?: string, mapping?: string): string {
  const notDicom = summary.skipped - summary.alreadyAnonymized;
  const lines = [
    `Anonymized ${plural(summary.anonymized, 'file')} into ${outDir} in ${seconds.toFixed(1)} s` +
      `${summary.failed > 0 ? `; ${summary.failed} failed` : ''}${notDicom > 0 ? `; ${notDicom} skipped (not DICOM images)` : ''}` +
      `${summary.alreadyAnonymized > 0 ? `; ${summary.alreadyAnonymized} skipped (already anonymized by dicom-tools)` : ''}.`,
    `Profile: PS3.15 ${PROFILE_EDITION} Basic${describeOptions(options).map((part) => `, ${part}`).join('')}. Mapping batch ${summary.batchId}.`,
  ];
  if (zip) lines.push(`ZIP: ${zip}`);
  if (summary.shard) lines.push(shardLine(summary.shard));
  if (mapping) lines.push(`Mapping CSV: ${mapping} (it links back to patients: keep it separate and secure)`);
  return lines.map(printableText).join('\n');
}

function jsonReport(summary: AnonymizeSummary, options: DeidOptions, outDir: string, seconds: number, zip?: string, mapping?: string) {
  return {
    batchId: summary.batchId,
    profile: profileLabel(options),
    options: optionsForRecord(options),
    outDir,
    seconds,
    anonymized: summary.anonymized,
    failed: summary.failed,
    skipped: summary.skipped,
    alreadyAnonymized: summary.alreadyAnonymized,
    missing: summary.missing,
    shard: summary.shard ?? null,
    zip: zip ?? null,
    mapping: mapping ?? null,
    files: summary.results,
  };
}

function shardLine(shard: ShardCount): string {
  return `Shard ${shardLabel(shard)}: ${shard.files} of the ${plural(shard.collected, 'file')} collected.`;
}
