import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSiteRules, readSiteRules, SiteRulesError } from '../src/config/site-rules-file.js';

// The rules file is read strictly: every problem is an error naming the file and the line (and
// column) of the offending rule or field, before any DICOM file is touched.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-site-rules-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A rules file whose rule on line 3 is `rule`. */
const withRule = (rule: string) => `{\n  "rules": [\n    ${rule},\n    { "keyword": "StudyDescription", "action": "keep" }\n  ]\n}\n`;

function problemOf(text: string): string {
  try {
    parseSiteRules(text, '/somewhere/site-rules.json');
  } catch (error) {
    expect(error).toBeInstanceOf(SiteRulesError);
    return (error as SiteRulesError).message;
  }
  throw new Error('the rules were accepted');
}

describe('reading a rules file', () => {
  it('reads every kind of rule', () => {
    const rules = parseSiteRules(
      `{ "rules": [
        { "keyword": "StudyDescription", "action": "keep" },
        { "tag": "(0010,1010)", "action": "empty" },
        { "tag": "00100040", "action": "remove" },
        { "creator": "SIEMENS MED ", "group": "0019", "element": "08", "action": "keep" },
        { "keyword": "OtherPatientIDs", "action": "hash" },
        { "keyword": "ClinicalTrialSponsorName", "action": "replace", "value": "ACME TRIAL" },
        { "keyword": "AcquisitionDate", "action": "shift", "comment": "kept as intervals" }
      ] }`,
      'rules.json',
    );
    expect(rules).toEqual([
      { target: { kind: 'tag', tag: 0x00081030 }, action: 'keep' },
      { target: { kind: 'tag', tag: 0x00101010 }, action: 'empty' },
      { target: { kind: 'tag', tag: 0x00100040 }, action: 'remove' },
      { target: { kind: 'private', creator: 'SIEMENS MED', group: 0x0019, offset: 0x08 }, action: 'keep' },
      { target: { kind: 'tag', tag: 0x00101000 }, action: 'hash', vr: 'LO' },
      { target: { kind: 'tag', tag: 0x00120010 }, action: 'replace', vr: 'LO', value: ['ACME TRIAL'] },
      { target: { kind: 'tag', tag: 0x00080022 }, action: 'shift', vr: 'DA' },
    ]);
  });

  it('records the base name and the SHA-256 of the bytes', () => {
    const file = path.join(root, 'my-rules.json');
    writeFileSync(file, '{ "rules": [ { "keyword": "StudyDescription", "action": "keep" } ] }');
    const rules = readSiteRules(file);
    expect(rules.name).toBe('my-rules.json');
    expect(rules.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  // Each rule is on line 3, indented by four spaces; the error points at `at` in it.
  it.each([
    ['an unknown keyword', '{ "keyword": "StudyDescripton", "action": "keep" }', '"StudyDescripton"', 'unknown keyword "StudyDescripton"'],
    ['a malformed tag', '{ "tag": "(0010,101)", "action": "empty" }', '"(0010,101)"', 'a tag is written (gggg,eeee)'],
    ['a private tag by number', '{ "tag": "(0019,1008)", "action": "keep" }', '"(0019,1008)"', '(0019,1008) is a private element (odd group): name it by "creator"'],
    ['an unknown action', '{ "keyword": "StudyDescription", "action": "scramble" }', '"scramble"', 'unknown action "scramble"'],
    ['a missing action', '{ "keyword": "StudyDescription" }', '{', 'the rule has no "action"'],
    ['an unknown field', '{ "keyword": "StudyDescription", "action": "keep", "vr": "LO" }', '"vr"', 'unknown field "vr" in a rule'],
    ['a value with keep', '{ "keyword": "StudyDescription", "action": "keep", "value": "X" }', '"value"', '"value" goes only with the replace action'],
    ['replace without a value', '{ "keyword": "StudyDescription", "action": "replace" }', '{', 'the replace action needs a "value"'],
    ['a value too long for the VR', `{ "keyword": "StationName", "action": "replace", "value": "${'S'.repeat(17)}" }`, '"SSS', 'StationName (0008,1010): the value is 17 characters; VR SH allows 16'],
    ['a value in the wrong syntax for the VR', '{ "keyword": "AcquisitionDate", "action": "replace", "value": "2020-01-01" }', '"2020-01-01"', 'AcquisitionDate (0008,0022): the value is not valid for VR DA (YYYYMMDD)'],
    ['a value not in printable ASCII', '{ "keyword": "InstitutionName", "action": "replace", "value": "Klinik Grüne Au" }', '"Klinik', 'the value is not valid for VR LO (printable ASCII, no backslash)'],
    ['a lower-case code string', '{ "keyword": "PatientSex", "action": "replace", "value": "f" }', '"f"', 'the value is not valid for VR CS (upper-case letters'],
    ['shift on a time', '{ "keyword": "StudyTime", "action": "shift" }', '"shift"', 'StudyTime (0008,0030): shift moves dates by days, and a time of day (VR TM) has no date'],
    ['shift on text', '{ "keyword": "StudyDescription", "action": "shift" }', '"shift"', 'shift applies to dates (VR DA or DT), not to VR LO'],
    ['hash on a date', '{ "keyword": "StudyDate", "action": "hash" }', '"hash"', 'hash does not apply to dates and times (VR DA): use shift'],
    ['replace on a sequence', '{ "keyword": "RequestAttributesSequence", "action": "replace", "value": "X" }', '"replace"', 'replace takes text, and VR SQ is a sequence'],
    ['a rule for Patient ID', '{ "keyword": "PatientID", "action": "keep" }', '"PatientID"', 'no rule for (0010,0020): Patient ID holds the pseudonym'],
    ['a rule for a marker', '{ "tag": "(0012,0063)", "action": "remove" }', '"(0012,0063)"', 'no rule for (0012,0063): De-identification Method is a de-identification marker'],
    ['two names for the attribute', '{ "keyword": "StudyDescription", "tag": "(0008,1030)", "action": "keep" }', '{', 'a rule names its attribute once'],
    ['an even private group', '{ "creator": "ACME", "group": "0018", "element": "08", "action": "keep" }', '"0018"', '"group" must be a private group'],
    ['a four-digit private element', '{ "creator": "ACME", "group": "0019", "element": "1008", "action": "keep" }', '"1008"', '"element" is the offset in the private block, two hex digits'],
  ])('refuses %s, naming the line and column', (_what, rule, at, problem) => {
    const column = 4 + rule.indexOf(at) + 1;
    expect(problemOf(withRule(rule))).toMatch(new RegExp(`^site-rules\\.json: line 3, column ${column}: `));
    expect(problemOf(withRule(rule))).toContain(problem);
  });

  it('refuses a second rule for one attribute (keyword and tag), naming both lines', () => {
    const text = '{ "rules": [\n  { "keyword": "PatientAge", "action": "keep" },\n  { "tag": "(0010,1010)", "action": "empty" }\n] }';
    expect(problemOf(text)).toBe('site-rules.json: line 3, column 3: a second rule for PatientAge (0010,1010) (the first is on line 2)');
  });

  it('refuses a second rule for one private element, its creator padded differently', () => {
    const text = '{ "rules": [\n  { "creator": "ACME", "group": "0019", "element": "08", "action": "keep" },\n  { "creator": "ACME  ", "group": "0019", "element": "08", "action": "remove" }\n] }';
    expect(problemOf(text)).toContain('line 3, column 3: a second rule for (0019,xx08) of private creator "ACME" (the first is on line 2)');
  });

  it.each([
    ['a trailing comma', '{ "rules": [\n  { "keyword": "PatientAge", "action": "keep" },\n] }', 'line 3, column 1: not valid JSON: expected a value'],
    ['a missing comma', '{ "rules": [\n  { "keyword": "PatientAge", "action": "keep" }\n  { "keyword": "PatientSex", "action": "keep" }\n] }', 'line 3, column 3: not valid JSON: expected "," or "]"'],
    ['a comment', '{\n  // our rules\n  "rules": [] }', 'line 2, column 3: not valid JSON: expected a quoted key'],
    ['a missing quote', '{ "rules": [\n  { "keyword": "PatientAge, "action": "keep" }\n] }', 'line 2, column 30: not valid JSON: expected "," or "}"'],
    ['a duplicate key', '{ "rules": [\n  { "keyword": "PatientAge", "action": "keep", "action": "remove" }\n] }', 'line 2, column 48: not valid JSON: the key "action" appears twice'],
    ['an empty file', '', 'line 1, column 1: not valid JSON: unexpected end of the file'],
    ['an unknown top-level field', '{ "rules": [ { "keyword": "PatientAge", "action": "keep" } ],\n  "version": 2 }', 'line 2, column 3: unknown field "version" in the top level'],
    ['no rules list', '{ "comment": "none" }', 'line 1, column 1: no "rules" list'],
    ['an empty rules list', '{ "rules": [] }', 'line 1, column 12: the "rules" list is empty'],
  ])('refuses %s, naming the line', (_what, text, problem) => {
    expect(problemOf(text).startsWith(`site-rules.json: ${problem}`)).toBe(true);
  });

  it('refuses a file it cannot read, naming it', () => {
    expect(() => readSiteRules(path.join(root, 'missing.json'))).toThrow(/missing\.json: cannot read the rules file/);
  });
});
