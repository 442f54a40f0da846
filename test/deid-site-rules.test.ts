import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSiteRules } from '../src/config/site-rules-file.js';
import { shiftDa } from '../src/deid/date-shift.js';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { patientKeyOf } from '../src/deid/plan-deid.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { verifyOutput } from '../src/pipeline/verify.js';
import { anonymizeOne } from './helpers/anonymize-one.js';
import { corpusFiles } from './helpers/corpus.js';
import { parseDump, runDcmdump, type DumpLine } from './helpers/dcmdump.js';
import { DEEP_BLOCK, plantedAt, TOP_BLOCK, writeRules, writeSiteRulesPlants } from './helpers/site-rules-plants.js';

// Each site rule action on a planted study, at the top level and two sequence levels down, checked
// in the output's bytes and with DCMTK's dcmdump; a private creator's rule at two block numbers.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-site-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('the site rules tests secret key', 'utf8'));
const input = path.join(root, 'planted.dcm');
const rulesFile = path.join(root, 'rules.json');
let output: string;
let bytes: string;
let dump: DumpLine[];

beforeAll(async () => {
  await writeSiteRulesPlants(input);
  const options: DeidOptions = { ...DEFAULT_OPTIONS, siteRules: readSiteRules(writeRules(rulesFile)) };
  output = (await anonymizeOne(input, path.join(root, 'out'), options, keys)).output;
  bytes = readFileSync(output).toString('latin1');
  dump = parseDump(runDcmdump(output, ['+Qn']));
});

/** dcmdump's lines for `tag` at `depth` (0: top level; 2: inside RequestAttributesSequence > TextObjectSequence, dcmdump's indentation 4). */
const at = (tag: string, depth: 0 | 1 | 2) => dump.filter((line) => line.section === 'dataSet' && line.tag === tag && line.depth === depth * 2);
const valueAt = (tag: string, depth: 0 | 1 | 2) => at(tag, depth).map((line) => line.value);

describe('site rules on a planted study, at the top level and at depth 2', () => {
  it('keep: StudyDescription (the profile removes it) stays as it was', () => {
    for (const depth of [0, 2] as const) {
      expect(bytes).toContain(plantedAt(depth).studyDescription);
      expect(valueAt('(0008,1030)', depth)).toEqual([`[${plantedAt(depth).studyDescription}]`]);
    }
  });

  it('remove: Manufacturer (the profile keeps it on top) is gone', () => {
    for (const depth of [0, 2] as const) {
      expect(bytes).not.toContain(plantedAt(depth).manufacturer);
      expect(at('(0008,0070)', depth)).toEqual([]);
    }
  });

  it('empty: PatientAge by tag stays with no value', () => {
    for (const depth of [0, 2] as const) {
      expect(at('(0010,1010)', depth).map((line) => line.length)).toEqual(['0']);
      expect(bytes).not.toContain(plantedAt(depth).patientAge);
    }
  });

  it('replace: ClinicalTrialSponsorName holds the fixed value', () => {
    for (const depth of [0, 2] as const) {
      expect(bytes).not.toContain(plantedAt(depth).sponsor);
      expect(valueAt('(0012,0010)', depth)).toEqual(['[ACME TRIAL]']);
    }
  });

  it('hash: OtherPatientIDs by tag becomes a keyed token, FrameOfReferenceUID the keyed UID', () => {
    for (const depth of [0, 2] as const) {
      const { otherPatientIds, frameOfReferenceUid } = plantedAt(depth);
      expect(bytes).not.toContain(otherPatientIds);
      expect(valueAt('(0010,1000)', depth)).toEqual([`[${keys.hashToken(otherPatientIds)}]`]);
      expect(keys.hashToken(otherPatientIds)).toMatch(/^[A-Z2-7]{16}$/);
      expect(valueAt('(0020,0052)', depth)).toEqual([`[${keys.uid(frameOfReferenceUid)}]`]);
    }
  });

  it("shift: AcquisitionDate (the profile empties it) moves by the patient's offset", () => {
    const days = keys.dateShiftDays(patientKeyOf(readDicomFile(input)));
    for (const depth of [0, 2] as const) {
      const date = plantedAt(depth).acquisitionDate;
      expect(bytes).not.toContain(date);
      expect(valueAt('(0008,0022)', depth)).toEqual([`[${shiftDa(date, days)}]`]);
    }
    // A rule that shifts dates makes the file's temporal information MODIFIED, not REMOVED.
    expect(textAt(readDicomFile(output), [], 0x00280303)).toEqual(['MODIFIED']);
  });

  it('keep on a sequence keeps its items, cleaned as the profile cleans them', () => {
    expect(at('(0040,0275)', 0)).toHaveLength(1);
    expect(bytes).not.toContain('SR-SCRUBBED-OUTER-TEXT');
    expect(valueAt('(0040,a160)', 1)).toEqual(['[ANONYMIZED]']);
  });

  it("a creator's rule keeps its element at block 10 on top and at block 42 below, with the creator; the rest of the block and other creators go", () => {
    const block = (number: number) => ({
      creator: `(0029,00${number.toString(16)})`,
      kept: `(0029,${number.toString(16)}08)`,
      gone: `(0029,${number.toString(16)}09)`,
    });
    for (const [depth, number] of [[0, TOP_BLOCK], [2, DEEP_BLOCK]] as const) {
      const { privateKept, privateGone, otherCreatorValue } = plantedAt(depth);
      const tags = block(number);
      expect(valueAt(tags.creator, depth)).toEqual(['[SITE TEST CREATOR]']);
      expect(valueAt(tags.kept, depth)).toEqual([`[${privateKept}]`]);
      expect(at(tags.gone, depth)).toEqual([]);
      expect(at(`(0029,00${(number + 1).toString(16)})`, depth)).toEqual([]);
      expect(bytes).not.toContain(privateGone);
      expect(bytes).not.toContain(otherCreatorValue);
      expect(bytes).not.toContain('OTHER CREATOR');
    }
  });

  it('names the rules file and its hash in the De-identification Method', () => {
    const sha = createHash('sha256').update(readFileSync(rulesFile)).digest('hex');
    const method = textAt(readDicomFile(output), [], 0x00120063);
    expect(method).toContain(`site rules rules.json sha256:${sha.slice(0, 12)}`);
    expect(method.every((value) => value.length <= 64)).toBe(true);
  });

  it('verify with the same rules finds nothing; without them it flags what the rules kept', () => {
    const options: DeidOptions = { ...DEFAULT_OPTIONS, siteRules: readSiteRules(rulesFile) };
    expect(verifyOutput(output, options)).toEqual([]);
    const without = verifyOutput(output, DEFAULT_OPTIONS).map((finding) => finding.detail);
    expect(without).toContainEqual(expect.stringMatching(/^\(0008,1030\) StudyDescription: should have been removed$/));
    expect(without).toContainEqual(expect.stringMatching(/\(0029,1008\) PrivateTag: private element present$/));
  });
});

describe('site rules with other options and files', () => {
  it('a hash rule replaces a UID that --keep-uids keeps, and verify demands a keyed one', async () => {
    const file = writeRules(path.join(root, 'uid-rules.json'), '{ "rules": [ { "keyword": "FrameOfReferenceUID", "action": "hash" } ] }');
    const options: DeidOptions = { ...DEFAULT_OPTIONS, regenerateUids: false, siteRules: readSiteRules(file) };
    const { output: out } = await anonymizeOne(input, path.join(root, 'out-uids'), options, keys);
    const written = readDicomFile(out);
    expect(textAt(written, [], 0x00200052)).toEqual([keys.uid(plantedAt(0).frameOfReferenceUid)]);
    // The other UIDs stay, as --keep-uids says.
    expect(textAt(written, [], 0x0020000d)).toEqual(textAt(readDicomFile(input), [], 0x0020000d));
    expect(verifyOutput(out, options)).toEqual([]);
    // The planted input itself holds the original UIDs (top and nested): verify with the rule says so.
    expect(verifyOutput(input, options).filter((finding) => finding.tag === '(0020,0052)').map((finding) => finding.kind)).toEqual(['not-replaced', 'not-replaced']);
  });

  it('verify with a remove rule flags the attribute in an output made without it', async () => {
    const { output: out } = await anonymizeOne(input, path.join(root, 'out-plain'), DEFAULT_OPTIONS, keys);
    const file = writeRules(path.join(root, 'remove-rules.json'), '{ "rules": [ { "keyword": "Manufacturer", "action": "remove" } ] }');
    expect(verifyOutput(out, DEFAULT_OPTIONS)).toEqual([]);
    const findings = verifyOutput(out, { ...DEFAULT_OPTIONS, siteRules: readSiteRules(file) });
    expect(findings.map((finding) => `${finding.kind} ${finding.detail}`)).toEqual(['not-removed (0008,0070) Manufacturer: a site rule removes it']);
  });

  it('applies to real corpus files: every one anonymizes with the rules, and verify with them finds nothing', async () => {
    const options: DeidOptions = { ...DEFAULT_OPTIONS, siteRules: readSiteRules(rulesFile) };
    const files = corpusFiles().filter((file) => file.dcmdumpOk && /dcmqats_1_ELE|dcmqaenh_Siemens|dcmjs_sample-sr|dicompyler_rtplan/.test(file.name));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const original = readDicomFile(file.path);
      const { output: out } = await anonymizeOne(file.path, path.join(root, `corpus-${file.name}`), options, keys);
      const written = readDicomFile(out);
      expect(verifyOutput(out, options), file.name).toEqual([]);
      // The kept StudyDescription is the original's; Manufacturer is gone.
      expect(textAt(written, [], 0x00081030), file.name).toEqual(textAt(original, [], 0x00081030));
      expect(textAt(written, [], 0x00080070), file.name).toEqual([]);
      expect(runDcmdump(out, ['+L'])).toContain('site rules rules.json sha256:');
    }
  });
});
