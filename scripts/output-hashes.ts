// Prints a SHA-256 for every file the product writes from a fixed input set: the corpus and a
// planted study through `anonymize` under several option sets (outputs and mapping CSV), and
// through the watch daemon. Run it before and after a refactoring; the two listings must be equal.
//   npx tsx scripts/output-hashes.ts > before.txt   (then after the change)   diff before.txt after.txt
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusDir } from '../test/helpers/corpus.js';
import { generatePlantedStudy } from '../test/helpers/planted-study.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'dist/bin/dicom-tools.js');
const SECRET = 'output-hashes-fixed-secret-0001';

function filesBelow(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesBelow(full));
    else if (entry.isFile()) found.push(full);
  }
  return found.sort();
}

function hashLines(label: string, dir: string, only?: (file: string) => boolean): string[] {
  return filesBelow(dir)
    .filter((file) => only?.(file) ?? true)
    .map((file) => `${createHash('sha256').update(readFileSync(file)).digest('hex')}  ${label}/${path.relative(dir, file)}`);
}

function runAnonymize(work: string, name: string, inputs: readonly string[], flags: readonly string[]): string[] {
  const out = path.join(work, name);
  const dataDir = path.join(work, `${name}-data`);
  const csv = path.join(work, `${name}.csv`);
  const result = spawnSync(process.execPath, [cli, 'anonymize', ...inputs, '--out', out, '--mapping', csv, ...flags], {
    env: { ...process.env, DICOM_DATA_DIR: dataDir, DICOM_ANON_SECRET: SECRET, DICOM_MAPPING_URL: '', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  const lines = hashLines(name, out);
  // The CSV names each original by its path, which holds this run's temporary folder; its rows come in
  // the order the workers finish.
  const [header = '', ...rows] = readFileSync(csv, 'utf8').split(work).join('<work>').split('\n');
  const mapping = [header, ...rows.sort()].join('\n');
  lines.push(`${createHash('sha256').update(mapping).digest('hex')}  ${name}.csv`);
  lines.push(`exit ${result.status}  ${name}`);
  return lines;
}

async function runDaemon(work: string, inputs: readonly string[]): Promise<string[]> {
  const sources = path.join(work, 'daemon-sources');
  const incoming = path.join(work, 'daemon-incoming');
  mkdirSync(sources);
  mkdirSync(incoming);
  for (const input of inputs) cpSync(input, path.join(incoming, path.basename(input)), { recursive: true });
  const names = new Set(filesBelow(incoming).map((file) => path.relative(incoming, file)));
  const child = spawn(process.execPath, [cli, 'watch', sources], {
    env: {
      ...process.env, DICOM_DATA_DIR: path.join(work, 'daemon-data'), DICOM_ANON_SECRET: SECRET, DICOM_MAPPING_URL: '',
      DICOM_ANONYMIZE_ON_UPLOAD: 'true', DICOM_QUARANTINE_DIR: path.join(work, 'daemon-quarantine'),
      DICOM_WATCH_STABLE_MS: '200', DICOM_WATCH_POLL_MS: '100', DICOM_WATCH_RETRY_MS: '100',
    },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const entry of readdirSync(incoming)) cpSync(path.join(incoming, entry), path.join(sources, entry), { recursive: true });
    // Done when no original is left in Sources (each was anonymized, skipped as not DICOM, or quarantined)
    // and nothing changed for two seconds. A file the daemon removes between the listing and its size counts as a change.
    let last = '';
    let quietSince = Date.now();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = filesBelow(sources).map((file) => `${file}:${statSync(file, { throwIfNoEntry: false })?.size ?? 'gone'}`).join('\n');
      if (now !== last) { last = now; quietSince = Date.now(); }
      if (Date.now() - quietSince > 2000) break;
    }
  } finally {
    // Stopped whatever happened, so that no daemon outlives the script in its removed folder.
    child.kill('SIGTERM');
    await exited;
  }
  const left = filesBelow(sources).map((file) => path.relative(sources, file));
  // A file without a usable SOP Instance UID gets a random anon-… name in the daemon: keep its hash only.
  const lines = hashLines('daemon', sources, (file) => !names.has(path.relative(sources, file)))
    .map((line) => line.replace(/anon-[0-9a-f]+\.dcm$/, 'anon-*.dcm')).sort();
  lines.push(...left.filter((name) => names.has(name)).map((name) => `left  daemon/${name}`));
  const quarantine = path.join(work, 'daemon-quarantine');
  if (existsSync(quarantine)) {
    lines.push(...filesBelow(quarantine).filter((file) => !file.endsWith('.reason.txt') && !file.endsWith('.json'))
      .map((file) => `quarantined  ${path.basename(file).replace(/^\d{8}T\d{6}Z-[0-9a-f]+-/, '')}`).sort());
  }
  return lines;
}

const work = mkdtempSync(path.join(tmpdir(), 'output-hashes-'));
try {
  const planted = path.join(work, 'planted');
  await generatePlantedStudy(planted, { files: 4, seed: 'HASH' });
  const subjects = path.join(work, 'subject-list.csv');
  writeFileSync(subjects, 'Original Patient ID,Subject ID\nNOBODY,SUBJ-0001\n', { mode: 0o600 });
  const rules = path.join(work, 'rules.json');
  writeFileSync(rules, JSON.stringify({ rules: [{ keyword: 'InstitutionName', action: 'replace', value: 'SITE A' }, { keyword: 'StudyDescription', action: 'keep' }, { keyword: 'OtherPatientIDs', action: 'hash' }, { keyword: 'AcquisitionDate', action: 'shift' }] }));
  const inputs = [corpusDir, planted];
  const lines: string[] = [];
  lines.push(...runAnonymize(work, 'basic', inputs, []));
  lines.push(...runAnonymize(work, 'research', inputs, ['--profile', 'research']));
  lines.push(...runAnonymize(work, 'keep', inputs, ['--keep-uids', '--keep-private', '--shift-dates', '--keep-study']));
  lines.push(...runAnonymize(work, 'options', inputs, ['--option', 'clean-graphics', '--option', 'clean-structured-content', '--option', 'retain-full-dates']));
  lines.push(...runAnonymize(work, 'subjects', inputs, ['--patient-ids', subjects, '--unlisted-patients', 'pseudonym']));
  lines.push(...runAnonymize(work, 'rules', inputs, ['--rules', rules]));
  lines.push(...await runDaemon(work, inputs));
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true, maxRetries: 5 });
}
