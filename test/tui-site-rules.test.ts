import { readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { readSiteRules } from '../src/config/site-rules-file.js';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { siteRulesLabel } from '../src/deid/site-rules.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { SqliteMappingStore } from '../src/store/sqlite-mapping-store.js';
import { cleanupApps, createWorkspace, renderApp, waitForStartFolder } from './helpers/ink-app.js';
import { KEYS, lineWith, press } from './helpers/ink-keys.js';
import { runCli } from './helpers/run-cli.js';

// DICOM_RULES in the terminal UI: the rules file applies to the run as on the command line, the
// Configure step says so, the batch records the file by name and hash, and a bad file stops the
// command before any screen.

afterEach(cleanupApps);

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

const DEIDENTIFICATION_METHOD = 0x00120063;
const SPONSOR = 0x00120010; // ClinicalTrialSponsorName: absent from the input, and "replace" never adds one
const INSTANCE_CREATION_DATE = 0x00080012;

describe('the terminal UI with DICOM_RULES', () => {
  it('runs with the rules, names them on the Configure step and records them by name and hash', async () => {
    const workspace = createWorkspace({ 'greek.dcm': 'fodicom_chrGreek.dcm' });
    const rulesFile = path.join(workspace.root, 'site.json');
    writeFileSync(rulesFile, JSON.stringify({ rules: [{ keyword: 'InstanceCreationDate', action: 'keep' }, { keyword: 'ClinicalTrialSponsorName', action: 'replace', value: 'ACME' }] }));
    const siteRules = readSiteRules(rulesFile);
    // fodicom_chrGreek is a secondary capture, so may carry burned-in text: accepted, as this test is about the site rules.
    const app = renderApp(workspace, { defaults: { ...DEFAULT_OPTIONS, siteRules, burnedIn: 'accept' } });
    await waitForStartFolder(app);
    await press(app, 'a', 'Selected 1 DICOM file.');
    const frame = await press(app, KEYS.tab, 'Profile: ');
    expect(lineWith(frame, 'Profile: PS3.15')).toContain(' · site rules site.json');
    await press(app, KEYS.enter, 'Done: 1 anonymized, 0 failed');
    const [output] = readdirSync(workspace.outDir);
    const made = readDicomFile(path.join(workspace.outDir, output ?? ''));
    expect(textAt(made, [], INSTANCE_CREATION_DATE)).toEqual(['20070405']);
    expect(textAt(made, [], SPONSOR)).toEqual([]);
    expect(textAt(made, [], DEIDENTIFICATION_METHOD)).toContain(siteRulesLabel(siteRules));
    const store = SqliteMappingStore.open(workspace.dataDir);
    const [batch] = store.batches();
    store.close();
    expect(batch?.source).toBe('tui');
    const db = new Sqlite(path.join(workspace.dataDir, 'mapping.sqlite'), { readonly: true });
    try {
      const stored = db.prepare('SELECT options FROM batches WHERE id = ?').pluck().get(batch?.id) as string;
      expect(JSON.parse(stored)).toMatchObject({ siteRules: { name: 'site.json', sha256: siteRules.sha256 } });
      expect(stored).not.toContain('ACME');
    } finally {
      db.close();
    }
  });

  it('stops before any screen when the rules file cannot be used, naming the line', () => {
    const workspace = createWorkspace({});
    const rulesFile = path.join(workspace.root, 'bad.json');
    writeFileSync(rulesFile, '{\n  "rules": [\n    { "keyword": "NoSuchKeyword", "action": "keep" }\n  ]\n}\n');
    const result = runCli(['tui', workspace.input], { env: { DICOM_DATA_DIR: workspace.dataDir, DICOM_RULES: rulesFile } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^dicom-tools tui: DICOM_RULES: .*bad\.json: line 3, column \d+: /);
    expect(result.stdout).toBe('');
  });
});
