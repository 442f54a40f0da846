import path from 'node:path';
import { loadConfig, type Config } from '../config/config.js';
import { loadSecret, SECRET_FILENAME } from '../config/secret.js';
import { existsSync } from 'node:fs';
import { collectInputs } from '../io/collect-inputs.js';
import { Pseudonymizer } from '../deid/pseudonyms.js';
import { verifyOutput, type Finding } from '../pipeline/verify.js';
import { appliedStandardOptions, type DeidOptions } from '../deid/options.js';
import { optionsFromMarkers, type MarkedOptions, type MarkerProblem } from '../deid/options-from-markers.js';
import { siteRulesLabel } from '../deid/site-rules.js';
import { DicomError } from '../dicom/errors.js';
import { readDicomFile } from '../dicom/read-file.js';
import { printableText } from '../io/printable-text.js';
import { openMappingStore } from '../store/open-mapping-store.js';
import { plural } from '../text/plural.js';
import { EXIT_FAILED, EXIT_OK, type CommandIo } from './command.js';
import { mappingUrlFlag, storeConfigFrom } from './mapping-url-flag.js';
import { optionFlags, optionsFromFlags, OPTION_FLAGS_HELP } from './option-flags.js';
import { parseCommandArgs } from './parse-command-args.js';
import { optionsWithSiteRules, siteRulesFlags } from './site-rules-flags.js';
import { subjectIdFlags, subjectIdsFromFlags } from './subject-id-flags.js';
import { UsageError } from './usage-error.js';
import { leaksAgainst, leaksByMapping, type AgainstResult } from './verify-leak-gate.js';

export const VERIFY_USAGE = `Usage: dicom-tools verify PATH... [--against DIR | --mapping] [options]

Checks anonymized files: reports any private element, any attribute the profile removes, empties or
replaces that still holds its value, UIDs that are not keyed, and missing de-identification markers.
With the originals it is also a leak gate: every output byte (the inflated data set of a deflated
file; all but the unchanged Pixel Data) and its file name is searched for the identifying values
of its own original (paired by SOP Instance UID, kept or keyed with the secret), as whole values
or tokens; an output it cannot pair or whose original it cannot read is a cannot-check finding.
Findings name the file, tag and offset, never the value.

Options:
  --against DIR        the originals (folder or files): search the outputs for their values;
                       files there that are our own de-identified outputs (an earlier run's
                       anonymized/ folder) are skipped, and counted
  --mapping            find each output's original through the mapping store
  --mapping-url URL    with --mapping: the store in PostgreSQL (default: DICOM_MAPPING_URL)
  --from-markers       check each output against the options its own markers say it was made
                       with (De-identification Method and its codes); instead of the flags below
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
  const { values, positionals } = parseVerifyArgs(args);
  if (values.help) {
    io.stdout.write(`${VERIFY_USAGE}\n`);
    return EXIT_OK;
  }
  checkFlagsAgree(values, positionals);
  const config = loadConfig();
  const storeConfig = storeConfigFrom(values, config);
  const flagOptions = optionsWithSiteRules(values, config, optionsFromFlags(values, config.defaults));
  // Kept patient data keeps the original IDs: there is nothing for a list to accept.
  const subjectIds = new Set(flagOptions.patient ? subjectIdsFromFlags(values, config, flagOptions)?.entries.map((entry) => entry.subjectId) : []);
  const { files, missing } = collectInputs(positionals);
  const outputs = files.map((file) => file.path);
  const checked = checkOutputs(outputs, flagOptions, subjectIds, values['from-markers']);
  const findings: Finding[] = [...missing.map((file): Finding => ({ file, kind: 'unreadable', detail: `${file}: no such file or folder` })), ...checked.findings];

  const against = values.against ? leaksAgainst(values.against, checked.optionsOf, secretIfPresent(config)) : undefined;
  if (against) findings.push(...against.findings);
  if (values.mapping) {
    const store = await openMappingStore(storeConfig);
    try {
      findings.push(...(await leaksByMapping(store, checked.optionsOf)));
    } finally {
      await store.close();
    }
  }

  if (values.json) io.stdout.write(`${JSON.stringify({ files: outputs.length, ...(against ? { originals: against.originals, skippedOriginals: against.skippedOriginals, unreadableOriginals: against.unreadableOriginals } : {}), findings }, null, 2)}\n`);
  else writeSummary(io, { files: outputs.length, findings, against, againstGiven: values.against !== undefined, madeOtherwise: checked.madeOtherwise });
  return findings.length > 0 ? EXIT_FAILED : EXIT_OK;
}

function parseVerifyArgs(args: readonly string[]) {
  return parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      against: { type: 'string', multiple: true },
      mapping: { type: 'boolean', default: false },
      'from-markers': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...optionFlags,
      'patient-ids': subjectIdFlags['patient-ids'],
      ...siteRulesFlags,
      ...mappingUrlFlag,
    },
  });
}

type VerifyValues = ReturnType<typeof parseVerifyArgs>['values'];

/** @throws UsageError for no PATH, or flags that exclude each other. */
function checkFlagsAgree(values: VerifyValues, positionals: readonly string[]): void {
  if (positionals.length === 0) throw new UsageError('verify needs at least one PATH');
  if (values.against && values.mapping) throw new UsageError('--against and --mapping exclude each other');
  if (values['from-markers']) {
    const given = Object.keys(optionFlags).filter((flag) => values[flag as keyof typeof optionFlags] !== undefined);
    if (given.length > 0) throw new UsageError(`--from-markers reads the options from each file: drop --${given.join(', --')}`);
  }
}

interface OutputsChecked {
  readonly findings: readonly Finding[];
  /** The options each readable output was checked with, for the leak gate. */
  readonly optionsOf: ReadonlyMap<string, DeidOptions>;
  /** Outputs whose markers name other options than the flags' (not counted with --from-markers). */
  readonly madeOtherwise: number;
}

/** Verifies each output with the flags' options or, with --from-markers, the options its own markers name. */
function checkOutputs(outputs: readonly string[], flagOptions: DeidOptions, subjectIds: ReadonlySet<string>, fromMarkers: boolean): OutputsChecked {
  const findings: Finding[] = [];
  const optionsOf = new Map<string, DeidOptions>();
  const rulesLabel = flagOptions.siteRules && siteRulesLabel(flagOptions.siteRules);
  let madeOtherwise = 0;
  for (const output of outputs) {
    const marked = markedOptionsOf(output);
    if (marked === undefined) {
      findings.push(...verifyOutput(output, flagOptions, subjectIds)); // reports it unreadable
      continue;
    }
    if (fromMarkers && !('options' in marked)) {
      findings.push({ file: output, kind: 'missing-marker', detail: `${output}: ${MARKER_PROBLEMS[marked.problem]}` });
      continue;
    }
    // A rules file is named in the markers, not contained: the one given must be the one named.
    const rulesMismatch = 'options' in marked && marked.siteRulesLabel !== rulesLabel;
    if (fromMarkers && 'options' in marked) {
      if (rulesMismatch) {
        const detail = marked.siteRulesLabel ? `made with ${marked.siteRulesLabel}: give that file with --rules` : 'made without site rules, but --rules gives some';
        findings.push({ file: output, kind: 'missing-marker', detail: `${output}: ${detail}` });
        continue;
      }
    } else if ('options' in marked && (rulesMismatch || !sameOptions(marked.options, flagOptions))) madeOtherwise++;
    const options = fromMarkers && 'options' in marked ? withRules(marked.options, flagOptions.siteRules) : flagOptions;
    optionsOf.set(output, options);
    findings.push(...verifyOutput(output, options, subjectIds));
  }
  return { findings, optionsOf, madeOtherwise };
}

interface VerifySummary {
  readonly files: number;
  readonly findings: readonly Finding[];
  readonly against: AgainstResult | undefined;
  /** Whether --against was given, even when it gave no originals. */
  readonly againstGiven: boolean;
  readonly madeOtherwise: number;
}

/** The findings on stdout, one a line; the counts and warnings on stderr. */
function writeSummary(io: CommandIo, { files, findings, against, againstGiven, madeOtherwise }: VerifySummary): void {
  const originalCount = against?.originals ?? 0;
  const skippedOriginals = against?.skippedOriginals ?? 0;
  for (const finding of findings) io.stdout.write(`${printableText(`${finding.file}: ${finding.kind}: ${finding.detail}`)}\n`);
  if (skippedOriginals > 0) io.stderr.write(`Skipped ${plural(skippedOriginals, 'file')} under --against: our own de-identified outputs, not originals.\n`);
  if (madeOtherwise > 0) {
    io.stderr.write(`${plural(madeOtherwise, 'file was', 'files were')} made with other options than the ones checked (${madeOtherwise === 1 ? 'its' : 'their'} markers say so): check with --from-markers, or give the options used.\n`);
  }
  // Nothing to compare: each output is a cannot-check finding, and the reason is worth a line.
  if (againstGiven && originalCount === 0) io.stderr.write('Warning: --against gave no originals, so nothing was searched for leaks (to check outputs made from our own outputs, use --mapping).\n');
  const unreadable = against?.unreadableOriginals ?? 0;
  if (unreadable > 0 && !findings.some((finding) => finding.kind === 'cannot-check')) {
    io.stderr.write(`${plural(unreadable, 'file')} under --against could not be read; every output was paired with an original that could.\n`);
  }
  io.stderr.write(`Verified ${plural(files, 'file')}: ${findings.length === 0 ? 'no findings' : plural(findings.length, 'finding')}.\n`);
}

const MARKER_PROBLEMS: Readonly<Record<MarkerProblem, string>> = {
  'not-ours': 'no De-identification Method (0012,0063) of ours: the options it was made with are unknown',
  'unknown-note': 'De-identification Method (0012,0063) names an option this version does not know',
  'codes-disagree': 'De-identification Method Code Sequence (0012,0064) disagrees with De-identification Method (0012,0063)',
};

/** The options the output's own markers name; undefined for a file that cannot be read (verifyOutput reports it). */
function markedOptionsOf(output: string): MarkedOptions | undefined {
  try {
    return optionsFromMarkers(readDicomFile(output));
  } catch (error) {
    if (error instanceof DicomError) return undefined;
    throw error;
  }
}

/** Whether two sets of options de-identify alike: the same product settings and standard options applied (a subject-ID list is given apart). */
function sameOptions(a: DeidOptions, b: DeidOptions): boolean {
  const settings = (options: DeidOptions) => [options.regenerateUids, options.removePrivate, options.patient, options.institution, options.study, ...appliedStandardOptions(options)].join();
  return settings(a) === settings(b);
}

function withRules(options: DeidOptions, siteRules: DeidOptions['siteRules']): DeidOptions {
  return siteRules ? { ...options, siteRules } : options;
}

/** The secret the outputs were keyed with, when there is one: verify never creates a key file. */
function secretIfPresent(config: Config): Pseudonymizer | undefined {
  if (config.secretFromEnv === undefined && !existsSync(path.join(config.dataDir, SECRET_FILENAME))) return undefined;
  return new Pseudonymizer(loadSecret(config));
}
