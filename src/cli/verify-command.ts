import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { collectInputs } from '../deid/collect-inputs.js';
import { isOurOutput } from '../deid/our-output.js';
import { findLeaks, identifyingValues, verifyOutput, type Finding, type IdentifyingValue } from '../deid/verify.js';
import { DicomError } from '../dicom/index.js';
import { MappingStore } from '../store/mapping-store.js';
import { EXIT_FAILED, EXIT_OK, type CommandIo } from './command.js';
import { optionFlags, optionsFromFlags, OPTION_FLAGS_HELP } from './option-flags.js';
import { parseCommandArgs } from './parse-command-args.js';
import { optionsWithSiteRules, siteRulesFlags } from './site-rules-flags.js';
import { subjectIdFlags, subjectIdsFromFlags } from './subject-id-flags.js';
import { UsageError } from './usage-error.js';

export const VERIFY_USAGE = `Usage: dicom-tools verify PATH... [--against DIR | --mapping] [options]

Checks anonymized files: reports any private element, any attribute the profile removes, empties or
replaces that still holds its value, UIDs that are not keyed, and missing de-identification markers.
With the originals it is also a leak gate: every output byte (the inflated data set of a deflated
file; all but the unchanged Pixel Data) and every file name is searched for the originals'
identifying values. Findings name the file, tag and offset, never the value.

Options:
  --against DIR        the originals (folder or files): search the outputs for their values;
                       files there that are our own de-identified outputs (an earlier run's
                       anonymized/ folder) are skipped, and counted
  --mapping            find each output's original through the mapping store
${OPTION_FLAGS_HELP}
                       (give the options the files were anonymized with)
  --patient-ids FILE   the subject-ID list the files were anonymized with (default:
                       DICOM_PATIENT_IDS): its subject IDs count as pseudonyms
  --rules FILE.json    the site rules the files were anonymized with (default: DICOM_RULES):
                       what a rule keeps is no finding, what it removes must be gone
  --json               print the findings as JSON
  -h, --help

Exit status: 0 no findings, 1 findings, 2 usage error (a malformed --rules file too).`;

export async function verifyCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      against: { type: 'string', multiple: true },
      mapping: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...optionFlags,
      'patient-ids': subjectIdFlags['patient-ids'],
      ...siteRulesFlags,
    },
  });
  if (values.help) {
    io.stdout.write(`${VERIFY_USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('verify needs at least one PATH');
  if (values.against && values.mapping) throw new UsageError('--against and --mapping exclude each other');
  const config = loadConfig();
  const options = optionsWithSiteRules(values, config, optionsFromFlags(values, config.defaults));
  // Kept patient data keeps the original IDs: there is nothing for a list to accept.
  const subjectIds = new Set(options.patient ? subjectIdsFromFlags(values, config, options)?.entries.map((entry) => entry.subjectId) : []);
  const { files, missing } = collectInputs(positionals);
  const outputs = files.map((file) => file.path);
  const findings: Finding[] = missing.map((file) => ({ file, kind: 'unreadable', detail: `${file}: no such file or folder` }));
  for (const output of outputs) findings.push(...verifyOutput(output, options, subjectIds));

  let originalCount = 0;
  let skippedOriginals = 0;
  if (values.against) {
    // Earlier outputs lying among the originals are no originals: their dummies and pseudonyms would
    // all be reported as leaks. A genuine leak in an output is still found through the real original.
    const candidates = collectInputs(values.against).files.map((file) => file.path);
    const originals = candidates.filter((candidate) => !isOurOutput(candidate));
    originalCount = originals.length;
    skippedOriginals = candidates.length - originals.length;
    const needles = dedupe(originals.flatMap((original) => valuesOf(original, options)));
    for (const output of outputs) findings.push(...leaksIn(output, needles));
  }
  if (values.mapping) {
    const store = MappingStore.open(config.dataDir);
    try {
      const byOutput = new Map(store.records().map((record) => [record.anonymizedFilename, record.originalFilename]));
      for (const output of outputs) {
        const original = byOutput.get(path.basename(output));
        if (!original) {
          findings.push({ file: output, kind: 'unreadable', detail: `${output}: not in the mapping store; cannot search it for its original's values` });
          continue;
        }
        findings.push(...leaksIn(output, valuesOf(original, options)));
      }
    } finally {
      store.close();
    }
  }

  if (values.json) io.stdout.write(`${JSON.stringify({ files: outputs.length, ...(values.against ? { originals: originalCount, skippedOriginals } : {}), findings }, null, 2)}\n`);
  else {
    for (const finding of findings) io.stdout.write(`${finding.file}: ${finding.kind}: ${finding.detail}\n`);
    if (skippedOriginals > 0) io.stderr.write(`Skipped ${skippedOriginals} file${skippedOriginals === 1 ? '' : 's'} under --against: our own de-identified outputs, not originals.\n`);
    // A leak gate with nothing to compare passes by default; say so rather than look reassuring.
    if (values.against && originalCount === 0) io.stderr.write('Warning: --against gave no originals, so nothing was searched for leaks (to check outputs made from our own outputs, use --mapping).\n');
    io.stderr.write(`Verified ${outputs.length} file${outputs.length === 1 ? '' : 's'}: ${findings.length === 0 ? 'no findings' : `${findings.length} finding${findings.length === 1 ? '' : 's'}`}.\n`);
  }
  return findings.length > 0 ? EXIT_FAILED : EXIT_OK;
}

function valuesOf(original: string, options: Parameters<typeof identifyingValues>[1]): IdentifyingValue[] {
  try {
    return identifyingValues(original, options);
  } catch (error) {
    if (error instanceof DicomError) return [];
    throw error;
  }
}

function leaksIn(output: string, needles: readonly IdentifyingValue[]): Finding[] {
  try {
    return findLeaks(output, needles);
  } catch (error) {
    if (error instanceof DicomError) return []; // already reported as unreadable by verifyOutput
    throw error;
  }
}

function dedupe(values: readonly IdentifyingValue[]): IdentifyingValue[] {
  return [...new Map(values.map((entry) => [entry.value, entry])).values()];
}
