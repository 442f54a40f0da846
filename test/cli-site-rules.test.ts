import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElementEdit } from '../src/dicom/edits.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { corpusDir } from './helpers/corpus.js';
import { runDcmdump } from './helpers/dcmdump.js';
import { runCli } from './helpers/run-cli.js';
import { ALL_ACTIONS_RULES, plantedAt, writeSiteRulesPlants } from './helpers/site-rules-plants.js';

// --rules and DICOM_RULES through real CLI processes: a malformed file stops the command with exit 2
// and an error naming its line before anything is touched; a good one shapes the outputs (also in
// worker threads, which get the rules by structured clone), names itself in the markers and the
// batch record, and lets verify accept what it keeps.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-cli-site-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'a secret for the site rules cli tests';
const ELE = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
const planted = path.join(root, 'planted.dcm');
const goodRules = path.join(root, 'site-rules.json');

beforeAll(async () => {
  await writeSiteRulesPlants(planted);
  writeFileSync(goodRules, ALL_ACTIONS_RULES);
});

let cases = 0;
function caseDir() {
  const dir = path.join(root, `case-${++cases}`);
  mkdirSync(dir);
  return { dir, out: path.join(dir, 'out'), env: { DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET } };
}

/** A rules file with `rule` on line 3. */
function rulesWith(dir: string, rule: string): string {
  const file = path.join(dir, 'bad-rules.json');
  writeFileSync(file, `{\n  "rules": [\n    ${rule},\n    { "keyword": "StudyDescription", "action": "keep" }\n  ]\n}\n`);
  return file;
}

describe('a malformed rules file stops the command before any file is touched', () => {
  it.each([
    ['an unknown keyword', '{ "keyword": "StudyDescripton", "action": "keep" }', 'line 3, column 18: unknown keyword "StudyDescripton"'],
    ['a malformed tag', '{ "tag": "(0010,10100)", "action": "empty" }', 'line 3, column 14: a tag is written (gggg,eeee)'],
    ['a bad action', '{ "keyword": "PatientAge", "action": "blank" }', 'line 3, column 42: unknown action "blank"'],
    ['a value the VR does not allow', '{ "keyword": "PatientSex", "action": "replace", "value": "female" }', 'line 3, column 62: PatientSex (0010,0040): the value is not valid for VR CS'],
    ['a second rule for one attribute', '{ "tag": "(0008,1030)", "action": "remove" }', 'line 4, column 5: a second rule for StudyDescription (0008,1030) (the first is on line 3)'],
    ['a JSON syntax error', '{ "keyword": "PatientAge" "action": "keep" }', 'line 3, column 31: not valid JSON: expected "," or "}"'],
  ])('%s: exit 2, the line named, no output folder, no store', (_what, rule, problem) => {
    const { dir, out, env } = caseDir();
    const result = runCli(['anonymize', ELE, '--out', out, '--rules', rulesWith(dir, rule)], { env });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`dicom-tools anonymize: bad-rules.json: ${problem}`);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(env.DICOM_DATA_DIR)).toBe(false);
  });

  it('from DICOM_RULES too, and for verify', () => {
    const { dir, out, env } = caseDir();
    const bad = rulesWith(dir, '{ "keyword": "NoSuchKeyword", "action": "keep" }');
    const anonymize = runCli(['anonymize', ELE, '--out', out], { env: { ...env, DICOM_RULES: bad } });
    expect(anonymize.status).toBe(2);
    expect(anonymize.stderr).toContain('bad-rules.json: line 3, column 18: unknown keyword "NoSuchKeyword"');
    expect(existsSync(out)).toBe(false);
    const verify = runCli(['verify', ELE, '--rules', bad], { env });
    expect(verify.status).toBe(2);
    expect(verify.stderr).toContain('bad-rules.json: line 3, column 18: unknown keyword');
  });
});

describe('a good rules file', () => {
  let out: string;
  let env: NodeJS.ProcessEnv;
  let report: { options: { siteRules?: unknown }; anonymized: number };

  beforeAll(() => {
    const made = caseDir();
    ({ out, env } = made);
    const result = runCli(['anonymize', planted, ELE, '--out', out, '--rules', goodRules, '--json'], { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    report = JSON.parse(result.stdout);
  });

  it('shapes the outputs and names itself, by name and hash, in the De-identification Method', () => {
    expect(report.anonymized).toBe(2);
    const sha = createHash('sha256').update(readFileSync(goodRules)).digest('hex');
    const dumps = readdirSync(out).map((name) => runDcmdump(path.join(out, name), ['+L']));
    for (const dump of dumps) {
      expect(dump).toMatch(new RegExp(`\\(0012,0063\\) LO \\[.*\\\\site rules site-rules\\.json sha256:${sha.slice(0, 12)}\\]`));
      expect(dump).not.toMatch(/\(0008,0070\)/);
    }
    // A replace rule replaces the value of an attribute that is there; it adds none (the corpus file has no sponsor).
    expect(dumps.filter((dump) => /\(0012,0010\) LO \[ACME TRIAL\]/.test(dump))).toHaveLength(1);
  });

  it('records the rules file by name and hash with the batch, not its rules', () => {
    const sha = createHash('sha256').update(readFileSync(goodRules)).digest('hex');
    expect(report.options.siteRules).toEqual({ name: 'site-rules.json', sha256: sha });
    const store = readdirSync(String(env['DICOM_DATA_DIR']))
      .filter((name) => name.startsWith('mapping.sqlite'))
      .map((name) => readFileSync(path.join(String(env['DICOM_DATA_DIR']), name)).toString('latin1'))
      .join('');
    expect(store).toContain(sha);
    expect(store).not.toContain('ACME TRIAL');
  });

  it('verify with the same rules finds nothing; without them it flags the kept StudyDescription', () => {
    const withRules = runCli(['verify', out, '--rules', goodRules], { env });
    expect(withRules.stdout).toBe('');
    expect(withRules.status).toBe(0);
    const without = runCli(['verify', out], { env });
    expect(without.status).toBe(1);
    expect(without.stdout).toMatch(/not-removed: \(0008,1030\) StudyDescription: should have been removed/);
    // DICOM_RULES is the default for --rules.
    expect(runCli(['verify', out], { env: { ...env, DICOM_RULES: goodRules } }).status).toBe(0);
  });
});

describe('rules in worker threads', () => {
  it('apply in a batch large enough for workers, as on the calling thread', async () => {
    const { dir, out, env } = caseDir();
    const inputs = path.join(dir, 'in');
    mkdirSync(inputs);
    const base = readDicomFile(planted);
    for (let index = 0; index < 40; index++) {
      const edits = new Map<Tag, ElementEdit>([[0x00080018, { op: 'set', value: `1.2.826.0.1.3680043.10.9999.66.${index + 1}` }]]);
      await writeDicomFile(base, edits, path.join(inputs, `IM${index + 1}`));
    }
    const result = runCli(['anonymize', inputs, '--out', out, '--rules', goodRules], { env });
    expect(result.status).toBe(0);
    const outputs = readdirSync(out);
    expect(outputs).toHaveLength(40);
    for (const name of outputs) {
      const bytes = readFileSync(path.join(out, name)).toString('latin1');
      expect(bytes).toContain(plantedAt(2).studyDescription);
      expect(bytes).toContain(plantedAt(2).privateKept);
      expect(bytes).toContain('ACME TRIAL');
      expect(bytes).not.toContain(plantedAt(0).manufacturer);
    }
    expect(runCli(['verify', out, '--rules', goodRules], { env }).status).toBe(0);
  });
});
