import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedStandardOptions, DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { profileOptions } from '../src/deid/standard-options.js';
import type { ElementEdit } from '../src/dicom/edits.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { optionsFromMarkers } from '../src/deid/options-from-markers.js';
import { anonymizeOne } from './helpers/anonymize-one.js';
import { corpusDir } from './helpers/corpus.js';
import { generatePlantedStudy, type PlantedStudy } from './helpers/planted-study.js';
import { runCli } from './helpers/run-cli.js';
import { CORNER_REGIONS, writeCornerScript } from './helpers/corner-regions.js';

// verify --from-markers: each output is checked against the options its own markers name, so a
// research export passes without repeating its options, and a file whose markers cannot be trusted
// is a finding, never checked against a guess.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-from-markers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('from markers test secret, 32 b!!', 'utf8'));
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'a secret for the from-markers tests, 0123' };
const DEIDENTIFICATION_METHOD: Tag = 0x00120063;
const DEIDENTIFICATION_METHOD_CODES: Tag = 0x00120064;

// The planted study holds values in the secondary capture device attributes, so its images count as
// at risk of burned-in text: every run here accepts them, as this test is about the header.
const ACCEPT = { burnedIn: 'accept' } as const;

let study: PlantedStudy;
beforeAll(async () => {
  study = await generatePlantedStudy(path.join(root, 'planted'), { files: 2, seed: 'MRK' });
});

/** What decides a de-identification: the product's settings and the standard options applied. */
const decisive = (options: DeidOptions) => ({
  regenerateUids: options.regenerateUids,
  removePrivate: options.removePrivate,
  patient: options.patient,
  institution: options.institution,
  study: options.study,
  subjectIds: options.subjectIds === true,
  burnedIn: options.burnedIn ?? 'refuse',
  applied: appliedStandardOptions(options),
});

const research: DeidOptions = { ...DEFAULT_OPTIONS, standardOptions: profileOptions('research'), profile: 'research' };

describe('options read back from an output', () => {
  it.each<[string, DeidOptions]>([
    ['the defaults', DEFAULT_OPTIONS],
    ['the research preset', research],
    ['every product group kept, dates kept', { regenerateUids: false, removePrivate: false, patient: false, institution: false, study: false, dates: 'keep' }],
    ['dates shifted and Retain UIDs chosen', { ...DEFAULT_OPTIONS, dates: 'shift', standardOptions: ['retain-uids'] }],
    ['Full Dates as an option', { ...DEFAULT_OPTIONS, standardOptions: ['retain-full-dates', 'retain-institution-identity'] }],
  ])('are the options it was made with: %s', async (name, options) => {
    // Under the research preset's Clean Pixel Data a site list cleans the at-risk image, so it claims the option.
    const accepted: DeidOptions = { ...options, ...ACCEPT, pixelRegions: CORNER_REGIONS };
    const { output } = await anonymizeOne(study.files[0] as string, path.join(root, `roundtrip-${name.replace(/\W+/g, '-')}`), accepted, keys);
    const marked = optionsFromMarkers(readDicomFile(output));
    if (!('options' in marked)) throw new Error(`no options: ${marked.problem}`);
    expect(decisive(marked.options)).toEqual(decisive(accepted));
  });

  it('are refused for an original, an unknown note, and codes that disagree with the text', async () => {
    const original = path.join(corpusDir, 'dicomparser_CT0012.not_fragmented_bot_rle.dcm');
    expect(optionsFromMarkers(readDicomFile(original))).toEqual({ problem: 'not-ours' });
    const { output } = await anonymizeOne(study.files[0] as string, path.join(root, 'tampered'), { ...research, ...ACCEPT }, keys);
    const made = readDicomFile(output);
    const tampered = async (name: string, tag: Tag, edit: ElementEdit) => {
      const target = path.join(root, 'tampered', name);
      await writeDicomFile(made, new Map([[tag, edit]]), target);
      return optionsFromMarkers(readDicomFile(target));
    };
    const method = made.dataSet.find((element) => element.tag === DEIDENTIFICATION_METHOD);
    expect(method).toBeDefined();
    expect(await tampered('note.dcm', DEIDENTIFICATION_METHOD, { op: 'set', vr: 'LO', value: ['DICOM Tools', 'PS3.15 2024b Basic Application Confidentiality Profile', 'Retain Everything Option'] })).toEqual({ problem: 'unknown-note' });
    // The text still names the research options, the codes only the Basic Profile.
    const basicOnly = { op: 'set', vr: 'SQ', value: { items: [[{ tag: 0x00080100, vr: 'SH', value: '113100' }, { tag: 0x00080102, vr: 'SH', value: 'DCM' }, { tag: 0x00080104, vr: 'LO', value: 'Basic Application Confidentiality Profile' }]] } } as const;
    expect(await tampered('codes.dcm', DEIDENTIFICATION_METHOD_CODES, basicOnly)).toEqual({ problem: 'codes-disagree' });
  });
});

describe('verify --from-markers', () => {
  let input: string;
  let out: string;
  beforeAll(() => {
    input = path.join(root, 'cli-in');
    out = path.join(root, 'cli-out');
    mkdirSync(input, { recursive: true });
    const made = runCli(['anonymize', study.dir, '--out', out, '--profile', 'research', '--pixel-regions', writeCornerScript(root)], { env });
    expect(made.status).toBe(0);
  });

  it('passes a research export without its options, and the leak gate agrees', () => {
    const result = runCli(['verify', out, '--from-markers', '--against', study.dir, '--json'], { env });
    expect(JSON.parse(result.stdout)).toMatchObject({ findings: [] });
    expect(result.status).toBe(0);
  });

  it('without it, checks against the configured options and says the markers name others', () => {
    const result = runCli(['verify', out], { env });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('(0010,0040) PatientSex: should be empty');
    expect(result.stderr).toContain(`${study.files.length} files were made with other options than the ones checked (their markers say so): check with --from-markers, or give the options used.`);
  });

  it('needs the rules file the markers name, and takes it beside --from-markers', () => {
    const rules = path.join(root, 'site.json');
    writeFileSync(rules, JSON.stringify({ rules: [{ keyword: 'StudyDescription', action: 'keep' }] }));
    const ruled = path.join(root, 'cli-ruled');
    expect(runCli(['anonymize', study.dir, '--out', ruled, '--profile', 'research', '--rules', rules, '--pixel-regions', writeCornerScript(root)], { env }).status).toBe(0);
    const without = runCli(['verify', ruled, '--from-markers'], { env });
    expect(without.status).toBe(1);
    expect(without.stdout).toMatch(/: missing-marker: .*: made with site rules site\.json sha256:[0-9a-f]{12}: give that file with --rules\n/);
    const withRules = runCli(['verify', ruled, '--from-markers', '--rules', rules, '--against', study.dir], { env });
    expect(withRules.stdout).toBe('');
    expect(withRules.status).toBe(0);
    const rulesForNone = runCli(['verify', out, '--from-markers', '--rules', rules], { env });
    expect(rulesForNone.stdout).toContain('made without site rules, but --rules gives some');
  });

  it('reports an output whose markers are not ours, and refuses option flags beside it', () => {
    const original = path.join(corpusDir, 'dicomparser_CT0012.not_fragmented_bot_rle.dcm');
    const result = runCli(['verify', original, '--from-markers'], { env });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(`${original}: missing-marker: ${original}: no De-identification Method (0012,0063) of ours: the options it was made with are unknown\n`);
    const both = runCli(['verify', out, '--from-markers', '--profile', 'research', '--keep-dates'], { env });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--from-markers reads the options from each file: drop --keep-dates, --profile');
  });
});
