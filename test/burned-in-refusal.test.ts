import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { textAt } from '../src/dicom/element-access.js';
import { corpusDir } from './helpers/corpus.js';
import { daemonCase, filesBelow, killLeftRunning, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';
import { runCli } from './helpers/run-cli.js';

// Images that may carry burned-in text (issue 20, §2): refused by default, with a reason that says
// what to do; passed as they are with --burned-in accept (DICOM_BURNED_IN), which the run warns
// about once, records with its batch and writes into each output's markers; quarantined by the daemon.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-burned-in-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'the burned-in refusal tests secret';
const ULTRASOUND = 'dcm4che_US-PAL-8-10x-echo.dcm';
const SCREEN = 'fodicom_chrGreek.dcm';
const PLAIN = 'dcmqats_1_ELE.dcm';
const REFUSED = (file: string, signs: string) =>
  `dicom-tools: ${file}: may carry burned-in text (${signs}): refused; add --option clean-pixel-data to blank its text, or --burned-in accept to pass it as it is\n`;
const WARNING = 'warning: --burned-in accept: images that may carry burned-in text (ultrasound, screen captures, ...) are written with their pixels as they are; look at them before they are shared';

let cases = 0;
function inputs(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = path.join(root, `case-${++cases}`);
  mkdirSync(path.join(dir, 'in'), { recursive: true });
  for (const name of [ULTRASOUND, SCREEN, PLAIN]) copyFileSync(path.join(corpusDir, name), path.join(dir, 'in', name));
  return { dir, env: { DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET } };
}

function batchOptions(dataDir: string): Record<string, unknown>[] {
  const db = new Sqlite(path.join(dataDir, 'mapping.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT options FROM batches').pluck().all() as string[]).map((text) => JSON.parse(text) as Record<string, unknown>);
  } finally {
    db.close();
  }
}

describe('anonymize and images that may carry burned-in text', () => {
  it('refuses them by default, each with its reason, and anonymizes the rest', () => {
    const { dir, env } = inputs();
    const result = runCli(['anonymize', path.join(dir, 'in'), '--out', path.join(dir, 'out')], { env });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(REFUSED(path.join(dir, 'in', ULTRASOUND), 'ultrasound'));
    expect(result.stderr).toContain(REFUSED(path.join(dir, 'in', SCREEN), 'a secondary capture'));
    expect(result.stderr).toContain('Anonymized 1 file into');
    expect(result.stderr).not.toContain('warning: --burned-in');
    expect(filesBelow(path.join(dir, 'out'))).toHaveLength(1);
    expect(batchOptions(env['DICOM_DATA_DIR'] ?? '')[0]).not.toHaveProperty('burnedIn');
  });

  it('says so in --json with the code BURNED_IN', () => {
    const { dir, env } = inputs();
    const report = JSON.parse(runCli(['anonymize', path.join(dir, 'in', ULTRASOUND), '--out', path.join(dir, 'out'), '--json'], { env }).stdout) as { files: { status: string; code?: string }[] };
    expect(report.files.map((result) => [result.status, result.code])).toEqual([['failed', 'BURNED_IN']]);
  });

  it('passes them as they are with --burned-in accept: warned once, recorded with the batch, said in each output', () => {
    const { dir, env } = inputs();
    const result = runCli(['anonymize', path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--burned-in', 'accept'], { env });
    expect(result.status).toBe(0);
    expect(result.stderr.split(WARNING)).toHaveLength(2);
    const outputs = filesBelow(path.join(dir, 'out'));
    expect(outputs).toHaveLength(3);
    for (const output of outputs) expect(textAt(readDicomFile(path.join(dir, 'out', output)), [], 0x00120063)).toContain('burned-in pixel data accepted');
    expect(batchOptions(env['DICOM_DATA_DIR'] ?? '')[0]).toMatchObject({ burnedIn: 'accept' });
  });

  it('takes DICOM_BURNED_IN=accept, which --burned-in refuse overrides, and refuses an unknown policy', () => {
    const { dir, env } = inputs();
    const accepted = runCli(['anonymize', path.join(dir, 'in', ULTRASOUND), '--out', path.join(dir, 'out')], { env: { ...env, DICOM_BURNED_IN: 'accept' } });
    expect(accepted.status).toBe(0);
    const refused = runCli(['anonymize', path.join(dir, 'in', ULTRASOUND), '--out', path.join(dir, 'out2'), '--burned-in', 'refuse'], { env: { ...env, DICOM_BURNED_IN: 'accept' } });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(REFUSED(path.join(dir, 'in', ULTRASOUND), 'ultrasound'));
    const usage = runCli(['anonymize', path.join(dir, 'in'), '--out', path.join(dir, 'out3'), '--burned-in', 'maybe'], { env });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--burned-in must be one of refuse, accept, not "maybe"');
    const badEnv = runCli(['anonymize', path.join(dir, 'in'), '--out', path.join(dir, 'out4')], { env: { ...env, DICOM_BURNED_IN: 'sometimes' } });
    expect(badEnv.stderr).toContain('DICOM_BURNED_IN must be one of refuse, accept, not "sometimes"');
  });
});

describe('the watch daemon and images that may carry burned-in text', () => {
  const running: DaemonProcess[] = [];
  afterEach(() => killLeftRunning(running));

  it('quarantines them with the reason and anonymizes the rest; with DICOM_BURNED_IN=accept it warns once and takes them', async () => {
    const refusing = daemonCase(path.join(root, 'daemon-refuse'), SECRET);
    for (const name of [ULTRASOUND, PLAIN]) copyFileSync(path.join(corpusDir, name), path.join(refusing.sources, name));
    running.push(startDaemon(refusing.sources, refusing.env));
    await waitUntil(() => filesBelow(refusing.quarantine).length === 2 && filesBelow(refusing.sources).length === 1 && !filesBelow(refusing.sources).includes(PLAIN), 'the upload to be quarantined and the other anonymized');
    const reason = filesBelow(refusing.quarantine).find((name) => name.endsWith('.reason.txt')) ?? '';
    expect(readFileSync(path.join(refusing.quarantine, reason), 'utf8')).toContain('may carry burned-in text (ultrasound): refused; add --option clean-pixel-data to blank its text');

    const accepting = daemonCase(path.join(root, 'daemon-accept'), SECRET, { DICOM_BURNED_IN: 'accept' });
    copyFileSync(path.join(corpusDir, ULTRASOUND), path.join(accepting.sources, ULTRASOUND));
    const daemon = startDaemon(accepting.sources, accepting.env);
    running.push(daemon);
    await waitUntil(() => filesBelow(accepting.sources).length === 1 && !filesBelow(accepting.sources).includes(ULTRASOUND), 'the upload to be anonymized');
    expect(filesBelow(accepting.quarantine)).toEqual([]);
    expect(daemon.output().split('DICOM_BURNED_IN=accept: images that may carry burned-in text')).toHaveLength(2);
  });
});
