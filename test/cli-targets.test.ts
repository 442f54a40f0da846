import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteMappingStore } from '../src/store/sqlite-mapping-store.js';
import { corpusDir } from './helpers/corpus.js';
import { runCli, type CliResult } from './helpers/run-cli.js';

// Every file a command writes besides its outputs (--zip, --mapping, mapping export's files) is
// checked before anything is written: a bad target leaves the inputs byte-identical, writes nothing
// and records no batch. The output folder never takes the inputs' place, and a second run over
// earlier outputs skips them.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-cli-targets-'));
const input = path.join(root, 'in');
const victim = path.join(input, 'victim.dcm');
const data = path.join(root, 'data');
const out = path.join(root, 'out');
const env = { DICOM_DATA_DIR: data, DICOM_ANON_SECRET: 'a secret for the target tests, 0123456789' };
// A device, named through a link of ours: were the check broken, the export would replace the link, never /dev/null itself.
const device = path.join(root, 'device');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every entry under the test's folder outside the data folder: name, kind, and the bytes' hash. */
function snapshot(): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const full = path.join(folder, name);
      if (full === data) continue;
      const stats = lstatSync(full);
      if (stats.isDirectory()) walk(full);
      entries.set(full, stats.isFile() ? createHash('sha256').update(readFileSync(full)).digest('hex') : `mode ${stats.mode.toString(8)}`);
    }
  };
  walk(root);
  return entries;
}

/** The batches on record, read from the store itself (which must still open). */
function batchCount(): number {
  const store = SqliteMappingStore.open(data);
  try {
    return store.batches().length;
  } finally {
    store.close();
  }
}

/** Runs the CLI and requires a usage error saying `message` that changed nothing: no file, no batch. */
function refused(args: readonly string[], message: string): CliResult {
  const before = snapshot();
  const batches = batchCount();
  const result = runCli(args, { env });
  expect(result.stderr).toContain(message);
  expect(result.status).toBe(2);
  expect(snapshot()).toEqual(before);
  expect(batchCount()).toBe(batches);
  return result;
}

beforeAll(() => {
  mkdirSync(path.join(input, 'nested'), { recursive: true });
  symlinkSync('/dev/null', device);
  copyFileSync(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), victim);
  copyFileSync(path.join(corpusDir, 'dcmqats_2_ILE.dcm'), path.join(input, 'nested', 'IM2'));
  // A batch on record, so "no batch recorded" is a count that stays, not a store that is missing.
  const first = runCli(['anonymize', path.join(input, 'nested'), '--out', path.join(root, 'first')], { env });
  expect(first.status).toBe(0);
});

describe('anonymize --zip and --mapping', () => {
  it('refuses an input file as the target (the ZIP would replace it)', () => {
    refused(['anonymize', victim, '--out', out, '--zip', victim], `--zip ${victim}: is one of the inputs`);
    refused(['anonymize', input, '--out', out, '--mapping', path.join(input, 'nested', 'IM2'), '--force'], `--mapping ${path.join(input, 'nested', 'IM2')}: is one of the inputs`);
  });

  it('refuses a symbolic or hard link to an input, even with --force', () => {
    const symlink = path.join(root, 'link-to-victim.zip');
    const hardLink = path.join(root, 'hard-link-to-victim.csv');
    symlinkSync(victim, symlink);
    linkSync(victim, hardLink);
    refused(['anonymize', victim, '--out', out, '--zip', symlink, '--force'], `--zip ${symlink}: is one of the inputs`);
    refused(['anonymize', input, '--out', out, '--mapping', hardLink, '--force'], `--mapping ${hardLink}: is one of the inputs`);
    rmSync(symlink);
    rmSync(hardLink);
  });

  it('refuses the mapping store, its -wal, and anything else in the data folder', () => {
    for (const name of ['mapping.sqlite', 'mapping.sqlite-wal', 'secret.key', 'export.zip']) {
      refused(['anonymize', victim, '--out', out, '--zip', path.join(data, name), '--force'], `--zip ${path.join(data, name)}: is inside the data folder (DICOM_DATA_DIR)`);
    }
  });

  it('refuses a device, a FIFO, a folder and the output folder', () => {
    const fifo = path.join(root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    refused(['anonymize', victim, '--out', out, '--zip', device, '--force'], `--zip ${device}: is not a regular file`);
    refused(['anonymize', victim, '--out', out, '--mapping', fifo, '--force'], `--mapping ${fifo}: is not a regular file`);
    refused(['anonymize', victim, '--out', out, '--zip', input, '--force'], `--zip ${input}: is not a regular file`);
    refused(['anonymize', victim, '--out', out, '--zip', out], `--zip ${out}: is inside the output folder`);
    refused(['anonymize', victim, '--out', out, '--mapping', path.join(out, 'mapping.csv')], `--mapping ${path.join(out, 'mapping.csv')}: is inside the output folder`);
    rmSync(fifo);
  });

  it('refuses one file named twice, a missing folder and an existing file without --force, before anything is anonymized', () => {
    const twice = path.join(root, 'twice');
    refused(['anonymize', victim, '--out', out, '--zip', twice, '--mapping', twice], `--mapping ${twice}: the same file as --zip; give each a file of its own`);
    const missing = path.join(root, 'private', 'x.csv');
    refused(['anonymize', victim, '--out', out, '--mapping', missing], `--mapping ${missing}: its folder does not exist`);
    const existing = path.join(root, 'earlier.csv');
    writeFileSync(existing, 'an earlier export\n');
    refused(['anonymize', victim, '--out', out, '--mapping', existing], `--mapping ${existing}: already exists; add --force to replace it`);
    expect(existsSync(out)).toBe(false);
  });

  it('replaces an existing file with --force', () => {
    const existing = path.join(root, 'earlier.csv');
    const result = runCli(['anonymize', victim, '--out', out, '--mapping', existing, '--force'], { env });
    expect(result.status).toBe(0);
    expect(readFileSync(existing, 'utf8')).toMatch(/^Original Filename,/);
    rmSync(out, { recursive: true });
  });

  it('records no batch and writes nothing for a run that finds no input', () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    const before = snapshot();
    const batches = batchCount();
    const result = runCli(['anonymize', empty, '--out', out, '--zip', path.join(root, 'empty.zip')], { env });
    expect(result.stderr).toContain('Nothing to anonymize: no file found; no batch recorded.');
    expect(result.status).toBe(1);
    expect(snapshot()).toEqual(before);
    expect(batchCount()).toBe(batches);
    const json = runCli(['anonymize', empty, '--out', out, '--json'], { env });
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ batchId: null, anonymized: 0, files: [], zip: null, mapping: null });
    expect(existsSync(out)).toBe(false);
  });
});

describe('mapping export --out, --uids and --patients', () => {
  it('refuses the mapping store itself, and every later command still works', () => {
    const store = path.join(data, 'mapping.sqlite');
    refused(['mapping', 'export', '--out', store, '--force'], `--out ${store}: is inside the data folder (DICOM_DATA_DIR)`);
    const outside = path.join(root, 'store-link.csv');
    linkSync(store, outside);
    refused(['mapping', 'export', '--uids', outside, '--force'], `--uids ${outside}: is the mapping store or the secret under another name`);
    rmSync(outside);
  });

  it('refuses a device, and an existing file without --force', () => {
    refused(['mapping', 'export', '--uids', device], `--uids ${device}: is not a regular file`);
    const existing = path.join(root, 'patients.csv');
    writeFileSync(existing, 'an earlier export\n');
    refused(['mapping', 'export', '--patients', existing], `--patients ${existing}: already exists; add --force to replace it`);
    const exported = runCli(['mapping', 'export', '--patients', existing, '--force'], { env });
    expect(exported.status).toBe(0);
    expect(readFileSync(existing, 'utf8')).toMatch(/^id_old,id_new\n/);
  });
});

describe('the output folder and the inputs', () => {
  it('refuses an output folder that is an input, or holds one', () => {
    refused(['anonymize', input, '--out', input], `--out ${input}: is the input ${input}; choose a folder of its own`);
    refused(['anonymize', path.join(input, 'nested'), '--out', input], `--out ${input}: holds the input ${path.join(input, 'nested')}; choose a folder outside the inputs`);
    const link = path.join(root, 'in-link');
    symlinkSync(input, link);
    refused(['anonymize', link, '--out', input], `--out ${input}: is the input ${link}`);
    rmSync(link);
  });

  it('skips earlier outputs in a second run and says how many', () => {
    const mixed = path.join(root, 'mixed');
    const firstOut = path.join(root, 'first');
    mkdirSync(mixed);
    for (const name of readdirSync(firstOut)) copyFileSync(path.join(firstOut, name), path.join(mixed, name));
    copyFileSync(victim, path.join(mixed, 'victim.dcm'));
    const second = path.join(root, 'second');
    const result = runCli(['anonymize', mixed, '--out', second], { env });
    expect(result.stderr).toContain('Anonymized 1 file into');
    expect(result.stderr).toContain('; 1 skipped (already anonymized by dicom-tools).');
    expect(result.status).toBe(0);
    expect(readdirSync(second)).toHaveLength(1);
  });

  it('says so when the output folder inside an input folder is left out', () => {
    const inner = path.join(input, 'anon');
    const result = runCli(['anonymize', input, '--out', inner], { env });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('Anonymized 2 files into');
    expect(result.stderr).toContain(`The output folder ${inner} lies inside an input folder and was not read.`);
    const again = runCli(['anonymize', input, '--out', inner], { env });
    expect(again.stderr).toContain('Anonymized 2 files into');
    expect(readdirSync(inner)).toHaveLength(2);
    rmSync(inner, { recursive: true });
  });
});
