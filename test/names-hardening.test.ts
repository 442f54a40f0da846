import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/config.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import type { ElementEdit } from '../src/dicom/edits.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { csvCellValue, spreadsheetSafe } from '../src/export/mapping-csv.js';
import { printableText } from '../src/io/printable-text.js';
import { openMappingStore, type MappingStoreConfig } from '../src/store/open-mapping-store.js';
import { SqliteMappingStore } from '../src/store/sqlite-mapping-store.js';
import { UploadNames } from '../daemon/upload-names.js';
import { corpusDir } from './helpers/corpus.js';
import { daemonCase, filesBelow, killLeftRunning, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';
import { cleanupApps, createWorkspace, renderApp } from './helpers/ink-app.js';
import { waitForFrame } from './helpers/ink-keys.js';
import { readBack, sample } from './helpers/mapping-records.js';
import { parseCsv } from './helpers/parse-csv.js';
import { postgresAvailable, usePostgres } from './helpers/postgres-server.js';
import { runCli } from './helpers/run-cli.js';

// Issue 18, point 14: file names chosen by an uploader must not forge log lines or drive the
// terminal. Real files whose names hold a newline and ESC sequences, through the CLI, the daemon
// and the TUI.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-names-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'the names tests secret, 0123456789';
const running: DaemonProcess[] = [];
afterEach(() => killLeftRunning(running));
afterEach(cleanupApps);

/** A newline that would forge a log line, an OSC that sets the terminal's title, and a CSI that clears the screen. */
const EVIL = 'evil\nforged: anonymized everything\x1b]0;pwned\x07\x1b[2J';
const EVIL_PRINTED = 'evil\\nforged: anonymized everything\\x1b]0;pwned\\x07\\x1b[2J';
const BROKEN = path.join(corpusDir, 'fodicom_GH179B.dcm');
const GOOD = path.join(corpusDir, 'dcmqats_1_ELE.dcm');

/** Raw bytes that reach a terminal from a name: every C0 control but the line ends we print, DEL, C1. */
function rawControls(text: string): string[] {
  return [...text].filter((character) => /[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(character)).map((character) => `U+${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

let counter = 0;
function caseDir(): string {
  const dir = path.join(root, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('printableText', () => {
  it.each([
    ['a\nb', 'a\\nb'],
    ['tab\there\r', 'tab\\there\\r'],
    ['esc\x1b[2J', 'esc\\x1b[2J'],
    ['bell\x07 del\x7f c1\x9b', 'bell\\x07 del\\x7f c1\\x9b'],
    ['back\\slash', 'back\\\\slash'],
    ['rtl\u202egpj.exe', 'rtl\\u{202e}gpj.exe'],
    ['line\u2028sep', 'line\\u{2028}sep'],
    ['lone \ud800 surrogate', 'lone \\u{d800} surrogate'],
    ['Müller 李 😀 ok.dcm', 'Müller 李 😀 ok.dcm'],
  ])('prints %j as %j', (name, printed) => {
    expect(printableText(name)).toBe(printed);
  });
});

describe('a file name with a newline and ESC sequences', () => {
  it('is printed escaped by anonymize, on stdout and stderr', () => {
    const dir = caseDir();
    const input = path.join(dir, `in${EVIL}`);
    mkdirSync(input);
    copyFileSync(BROKEN, path.join(input, `${EVIL}.dcm`));
    copyFileSync(GOOD, path.join(input, `ok${EVIL}.dcm`));
    const out = path.join(dir, `out${EVIL}`);
    const result = runCli(['anonymize', input, path.join(dir, `missing${EVIL}`), '--out', out, '--mapping', path.join(dir, `map${EVIL}.csv`)], {
      env: { DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET },
    });
    expect(result.status).toBe(1);
    const printed = `${result.stdout}${result.stderr}`;
    expect(rawControls(printed)).toEqual([]);
    expect(printed.split('\n').filter((line) => line.startsWith('forged'))).toEqual([]);
    expect(result.stderr).toContain(`dicom-tools: ${printableText(path.join(input, `${EVIL}.dcm`))}: `);
    expect(result.stderr).toContain(`dicom-tools: ${printableText(path.join(dir, `missing${EVIL}`))}: no such file or folder`);
    expect(result.stderr).toContain(`Anonymized 1 file into ${printableText(out)} in `);
    expect(result.stderr).toContain(`Mapping CSV: ${printableText(path.join(dir, `map${EVIL}.csv`))} (`);
    expect(result.stderr).toContain(EVIL_PRINTED);
  });

  it('is printed escaped by inspect, in its header and its error', () => {
    const dir = caseDir();
    copyFileSync(GOOD, path.join(dir, `${EVIL}.dcm`));
    copyFileSync(BROKEN, path.join(dir, `broken${EVIL}.dcm`));
    const result = runCli(['inspect', path.join(dir, `${EVIL}.dcm`), path.join(dir, `broken${EVIL}.dcm`)]);
    expect(result.stdout).toContain(`# File: ${printableText(path.join(dir, `${EVIL}.dcm`))}\n`);
    expect(result.stderr).toContain(`broken${EVIL_PRINTED}.dcm`);
    expect(rawControls(result.stderr)).toEqual([]);
    // The dump itself is not a name: only the header line is checked for controls.
    expect(rawControls(result.stdout.split('\n')[0] ?? '')).toEqual([]);
  });

  it("is printed escaped in the daemon's log (names shown) and its quarantine message", async () => {
    const { sources, quarantine, env } = daemonCase(caseDir(), SECRET, { DICOM_LOG_NAMES: 'show' });
    const daemon = startDaemon(sources, env);
    running.push(daemon);
    await waitUntil(() => daemon.output().includes('watching'), 'the daemon to start');
    copyFileSync(GOOD, path.join(sources, `ok${EVIL}.dcm`));
    copyFileSync(BROKEN, path.join(sources, `${EVIL}.dcm`));
    // The name itself says "anonymized everything": wait for each file's own line, not for the word.
    const anonymized = `anonymized ${printableText(path.join(sources, `ok${EVIL}.dcm`))} -> `;
    const quarantined = `quarantined ${printableText(path.join(sources, `${EVIL}.dcm`))} -> `;
    await waitUntil(() => daemon.output().includes(anonymized) && daemon.output().includes(quarantined), 'both files to be handled');
    expect(filesBelow(quarantine)).toHaveLength(2); // the file and its reason
    const log = daemon.output();
    expect(rawControls(log)).toEqual([]);
    expect(log.split('\n').filter((line) => line.startsWith('forged'))).toEqual([]);
    expect(log).toContain(anonymized);
    expect(log).toContain(quarantined);
  });

  it('is shown escaped in the TUI file browser', async () => {
    const workspace = createWorkspace({ [`${EVIL}.dcm`]: 'fodicom_GH178.dcm', 'plain.dcm': 'fodicom_GH178.dcm' });
    expect(readdirSync(workspace.input)).toContain(`${EVIL}.dcm`);
    const app = renderApp(workspace);
    const frame = await waitForFrame(app, 'plain.dcm');
    expect(frame).toContain('evil\\nforged: anonymized');
    expect(frame).not.toContain('\x1b]0;');
    expect(frame).not.toContain('\x07');
    expect(frame).not.toContain('\x1b[2J');
    expect(frame.split('\n').filter((line) => line.startsWith('forged'))).toEqual([]);
  });
});

// Issue 18, point 19: file names often carry the patient's name; the daemon's log and status name
// an upload by a keyed short id unless DICOM_LOG_NAMES=show.

describe("the daemon's names for uploads", () => {
  const keys = new Pseudonymizer(Buffer.from(SECRET, 'utf8'));

  it('names uploads in its log, status, quarantine reason and mapping rows by a keyed id, never by a name', async () => {
    const { sources, data, quarantine, env } = daemonCase(caseDir(), SECRET, { DICOM_LOG_NAMES: undefined });
    mkdirSync(path.join(sources, 'SMITH_JOHN'), { recursive: true });
    const daemon = startDaemon(sources, env);
    running.push(daemon);
    await waitUntil(() => daemon.output().includes('watching'), 'the daemon to start');
    copyFileSync(GOOD, path.join(sources, 'SMITH_JOHN', 'SMITH_JOHN_PID12345.dcm'));
    copyFileSync(BROKEN, path.join(sources, 'SMITH_JANE_PID99.dcm'));
    writeFileSync(path.join(sources, 'SMITH_NOTES.txt'), 'not DICOM\n');
    await waitUntil(() => /anonymized .*\n/.test(daemon.output()) && daemon.output().includes('quarantined ') && daemon.output().includes('left alone'), 'the three files to be handled');
    const john = keys.uploadId(path.join('SMITH_JOHN', 'SMITH_JOHN_PID12345.dcm'));
    const jane = keys.uploadId('SMITH_JANE_PID99.dcm');
    expect(john).toMatch(/^u-[0-9a-f]{8}$/);
    const log = daemon.output();
    expect(log).not.toMatch(/SMITH|PID12345|PID99/);
    expect(log).toMatch(new RegExp(`^anonymized ${john} -> 2\\.25\\.\\d+\\.dcm$`, 'm'));
    expect(log).toContain(`error: quarantined ${jane} -> ${quarantine}: ${jane}: Malformed DICOM: `);
    expect(log).toContain(`left alone (not DICOM): ${keys.uploadId('SMITH_NOTES.txt')}`);
    // The status record (what `status` and the TUI show) names it the same way.
    const status = () => readFileSync(path.join(data, 'daemon-status.json'), 'utf8');
    await waitUntil(() => status().includes(`quarantined ${jane}`), 'the status to name the quarantined upload');
    expect(status()).not.toMatch(/SMITH|PID99/);
    const reasonFile = readdirSync(quarantine).find((name) => name.endsWith('.reason.txt')) ?? '';
    expect(readFileSync(path.join(quarantine, reasonFile), 'utf8')).toMatch(new RegExp(`^upload: ${jane}\\nfile: `));
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const store = SqliteMappingStore.open(data);
    try {
      expect(store.records().map((record) => [record.uploadId, path.basename(record.originalFilename)])).toEqual([[john, 'SMITH_JOHN_PID12345.dcm']]);
    } finally {
      store.close();
    }
  });

  it('prints paths with DICOM_LOG_NAMES=show, in text and JSON, and refuses another value', async () => {
    const dir = caseDir();
    const sources = path.join(dir, 'sources');
    mkdirSync(sources);
    const env = { DICOM_ANONYMIZE_ON_UPLOAD: 'true', DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET, DICOM_WATCH_STABLE_MS: '300', DICOM_LOG_NAMES: 'show' };
    const daemon = startDaemon(sources, env, ['--log-format', 'json']);
    running.push(daemon);
    await waitUntil(() => daemon.output().includes('"started"'), 'the daemon to start');
    copyFileSync(GOOD, path.join(sources, 'SMITH_JOHN_PID12345.dcm'));
    await waitUntil(() => daemon.output().includes('"anonymized"'), 'the file to be anonymized');
    const line = daemon.output().split('\n').find((text) => text.includes('"anonymized"')) ?? '';
    expect(JSON.parse(line)).toMatchObject({
      event: 'anonymized',
      upload: keys.uploadId('SMITH_JOHN_PID12345.dcm'),
      file: path.join(sources, 'SMITH_JOHN_PID12345.dcm'),
      message: expect.stringContaining(`anonymized ${path.join(sources, 'SMITH_JOHN_PID12345.dcm')} -> ${sources}${path.sep}2.25.`),
    });
    expect(() => loadConfig({ env: { DICOM_LOG_NAMES: 'sometimes' }, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { DICOM_LOG_NAMES: 'sometimes' }, cwd: dir })).toThrow('DICOM_LOG_NAMES must be one of hide, show, not "sometimes"');
    expect(loadConfig({ env: {}, cwd: dir }).logNames).toBe('hide');
  });

  const keepsUploadIds = (config: () => Promise<MappingStoreConfig>) => async () => {
    const store = await openMappingStore(await config());
    try {
      const batchId = await store.startBatch({ source: 'daemon', options: {}, profile: 'test' });
      const records = [sample(batchId, 1, { uploadId: 'u-0123abcd' }), sample(batchId, 2)];
      await store.record(records);
      expect(await store.records()).toEqual(records.map(readBack));
      expect((await store.records()).map((record) => record.uploadId)).toEqual(['u-0123abcd', undefined]);
    } finally {
      await store.close();
    }
  };

  it("names an upload's output and folder in a reason by file name only, unless names are shown", () => {
    const sources = '/srv/sources';
    const file = path.join(sources, 'SMITH_JOHN', 'IM1');
    const reason = `${path.join(sources, 'SMITH_JOHN', '2.25.7.dcm')}: cannot write output: disk full (for ${file})`;
    const id = keys.uploadId(path.join('SMITH_JOHN', 'IM1'));
    expect(new UploadNames(sources, keys, 'hide').in(reason, file)).toBe(`2.25.7.dcm: cannot write output: disk full (for ${id})`);
    expect(new UploadNames(sources, keys, 'show').in(reason, file)).toBe(reason);
    expect(new UploadNames(sources, keys, 'hide').of(file)).toBe(id);
  });

  it('keeps an upload id in the mapping row on SQLite', keepsUploadIds(async () => ({ dataDir: path.join(caseDir(), 'data'), mappingUrl: undefined })));

  describe.skipIf(!postgresAvailable())('on PostgreSQL', () => {
    const database = usePostgres();
    it('keeps an upload id in the mapping row', keepsUploadIds(async () => ({ dataDir: path.join(caseDir(), 'unused'), mappingUrl: await database.fresh() })));
  });
});

// Issue 18, point 15: a file name or Patient ID that starts like a formula must not run as one when
// the mapping CSV or the patient pairs are opened in a spreadsheet, and a program gets it back exactly.

describe('CSV cells that start like a formula', () => {
  it.each([
    ['=1+2', "'=1+2"],
    ['+1', "'+1"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=tab', "'\t=tab"],
    ['\r=cr', "'\r=cr"],
    ["'=quoted", "''=quoted"],
    ["''-twice", "'''-twice"],
    ["'plain", "'plain"],
    ['PID-7', 'PID-7'],
    ['', ''],
  ])('writes %j as %j and reads it back exactly', (value, cell) => {
    expect(spreadsheetSafe(value)).toBe(cell);
    expect(csvCellValue(cell)).toBe(value);
  });

  it('are neutralised in the mapping CSV and the patient pairs, and read back exactly', async () => {
    const dir = caseDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    const patients = ['=1+2', '@SUM(A1)', '-1+1', "'+quoted", 'PID-7'];
    const names = patients.map((_id, index) => ['=HYPERLINK("x")', '+cmd', '-x', '@y', 'plain'][index] + `${index}.dcm`);
    const base = readDicomFile(GOOD);
    for (const [index, id] of patients.entries()) {
      const edits = new Map<Tag, ElementEdit>([
        [0x00100020, { op: 'set', value: id }],
        [0x00080018, { op: 'set', value: `1.2.826.0.1.3680043.10.778.${index + 1}` }],
      ]);
      await writeDicomFile(base, edits, path.join(input, names[index] ?? ''));
    }
    const env = { DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET };
    // Relative inputs: the Original Filename cell is the path as given, here the bare name.
    const run = runCli(['anonymize', '--out', path.join(dir, 'out'), '--mapping', path.join(dir, 'run.csv'), '--', ...names], { env, cwd: input });
    expect(run.stderr).toContain('Anonymized 5 files');
    const exported = runCli(['mapping', 'export', '--out', path.join(dir, 'all.csv'), '--patients', path.join(dir, 'patients.csv')], { env });
    expect(exported.status).toBe(0);
    for (const file of ['run.csv', 'all.csv']) {
      const [header, ...rows] = parseCsv(readFileSync(path.join(dir, file), 'utf8'));
      expect(header?.[0]).toBe('Original Filename');
      expect(rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
      expect(rows.map((row) => csvCellValue(row[0] ?? ''))).toEqual(names);
      expect(rows.map((row) => csvCellValue(row[2] ?? ''))).toEqual(patients);
      expect(rows.map((row) => row[2])).toEqual(["'=1+2", "'@SUM(A1)", "'-1+1", "''+quoted", 'PID-7']);
    }
    const [pairHeader, ...pairs] = parseCsv(readFileSync(path.join(dir, 'patients.csv'), 'utf8'));
    expect(pairHeader).toEqual(['id_old', 'id_new']);
    expect(pairs.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    expect(pairs.map((pair) => csvCellValue(pair[0] ?? ''))).toEqual(patients);
  });
});
