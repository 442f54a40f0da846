import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySmallExport } from './helpers/small-export.js';
import { postgresAvailable, usePostgres } from './helpers/postgres-server.js';
import { CLI, runCli } from './helpers/run-cli.js';

// The deployment files in deploy/ are documentation that runs: they must name the program's real
// flags and variables, stay referenced from the READMEs, and do what deploy/README.md says — the
// Slurm script really splits an export into one PostgreSQL store, the backup really restores, the
// systemd drop-in really hands the credential over (and refuses an empty one).

const repo = fileURLToPath(new URL('..', import.meta.url));
const deploy = path.join(repo, 'deploy');
const read = (relative: string) => readFileSync(path.join(repo, relative), 'utf8');
const SBATCH = 'deploy/slurm/anonymize-array.sbatch';
const BACKUP = 'deploy/postgres/backup.sh';
const JOB = 'deploy/kubernetes/anonymize-indexed-job.yaml';
const SECRET_YAML = 'deploy/kubernetes/secret.example.yaml';
const DROP_IN = 'deploy/systemd/dicom-tools-watch.service.d/secret-credential.conf';

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe('the deployment files', () => {
  const files = filesUnder(deploy).map((file) => path.relative(deploy, file));

  it('are all there, each referenced from deploy/README.md, which README.md references', () => {
    expect(files.sort()).toEqual(
      ['README.md', 'kubernetes/anonymize-indexed-job.yaml', 'kubernetes/secret.example.yaml', 'postgres/backup.sh', 'slurm/anonymize-array.sbatch', 'systemd/dicom-tools-watch.service.d/secret-credential.conf', 'systemd/dicom-tools-watch.service.d/shared-store.conf'].sort(),
    );
    const index = read('deploy/README.md');
    for (const file of files.filter((name) => name !== 'README.md')) expect(index, file).toContain(`(${file})`);
    expect(read('README.md')).toContain('(deploy/README.md)');
  });

  it('shell scripts pass bash -n and are executable', () => {
    for (const script of [SBATCH, BACKUP]) {
      const checked = spawnSync('bash', ['-n', path.join(repo, script)], { encoding: 'utf8' });
      expect({ script, status: checked.status, stderr: checked.stderr }).toEqual({ script, status: 0, stderr: '' });
    }
    expect(statSync(path.join(repo, BACKUP)).mode & 0o111).not.toBe(0);
  });

  it('name only DICOM_* variables that dicom-tools reads and anonymize flags that it takes', () => {
    const known = new Set(read('src/config/config.ts').match(/'DICOM_[A-Z_]+'/g)?.map((quoted) => quoted.slice(1, -1)));
    const anonymizeHelp = runCli(['anonymize', '--help']).stdout;
    for (const file of files) {
      const text = readFileSync(path.join(deploy, file), 'utf8');
      for (const variable of text.match(/\bDICOM_[A-Z_]+/g) ?? []) expect(known, `${file}: ${variable}`).toContain(variable);
      for (const command of text.match(/dicom-tools anonymize[^\n]*(?:\n[^\n]*--[a-z-]+[^\n]*)*/g) ?? []) {
        for (const flag of command.match(/\s--[a-z-]+/g) ?? []) expect(anonymizeHelp, `${file}: ${flag.trim()}`).toContain(`${flag.trim()} `);
      }
    }
    for (const file of [SBATCH, JOB]) {
      expect(read(file)).toContain('--shard "$((');
      expect(read(file)).toMatch(/DICOM_MAPPING_URL|secretRef/);
    }
    for (const file of [SBATCH, SECRET_YAML, DROP_IN]) expect(read(file)).toContain('DICOM_ANON_SECRET');
    expect(read(SECRET_YAML)).toContain('DICOM_MAPPING_URL');
  });

  it('give N once per array in agreement: Slurm --array with DEID_SHARDS, the Job completions with its --shard', () => {
    const sbatch = read(SBATCH);
    const arrayEnd = Number(/#SBATCH --array=0-(\d+)\n/.exec(sbatch)?.[1]);
    expect(Number(/DEID_SHARDS:-(\d+)\}/.exec(sbatch)?.[1])).toBe(arrayEnd + 1);
    const job = read(JOB);
    const completions = Number(/\n {2}completions: (\d+)\n/.exec(job)?.[1]);
    expect(completions).toBeGreaterThan(1);
    expect(job).toContain(`--shard "$((JOB_COMPLETION_INDEX + 1))/${completions}"`);
    expect(job).toContain('completionMode: Indexed');
    expect(job).toContain('name: dicom-anon');
    expect(read(SECRET_YAML)).toMatch(/\n {2}name: dicom-anon\n/);
  });

  it('the example Secret holds placeholders only', () => {
    const values = [...read(SECRET_YAML).matchAll(/^ {2}[A-Z_]+: "(.*)"$/gm)].map((match) => match[1] as string);
    expect(values).toHaveLength(3);
    for (const value of values.filter((text) => !text.startsWith('postgres://'))) expect(value).toMatch(/^PLACEHOLDER-/);
    expect(values.find((text) => text.startsWith('postgres://'))).not.toMatch(/:[^/@]*@/);
  });

  it('the systemd drop-in replaces the shipped unit\'s ExecStart with the same command behind the credential', () => {
    const dropIn = read(DROP_IN);
    const shipped = /^ExecStart=(.*)$/m.exec(read('daemon/dicom-tools-watch.service'))?.[1] as string;
    expect(dropIn).toMatch(/^ExecStart=$/m);
    expect(dropIn).toContain(`exec ${shipped}'`);
    expect(dropIn).toMatch(/^LoadCredentialEncrypted=dicom-anon-secret:/m);
  });
});

const root = mkdtempSync(path.join(tmpdir(), 'dicom-deploy-'));
const input = path.join(root, 'in');
const bin = path.join(root, 'bin');
const SECRET = 'a secret for the deploy tests, 0123456789abcdef';
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  copySmallExport(input);
  // `dicom-tools` on the PATH, as the scripts call it.
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'dicom-tools'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
});

/** A private file (mode 0600), as the scripts require. */
function privateFile(name: string, text: string): string {
  const file = path.join(root, name);
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** The environment a script runs in: this repository's dicom-tools first on the PATH, no stray DICOM_* settings. */
function scriptEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('DICOM_') && !name.startsWith('PG')));
  return { ...clean, PATH: `${bin}:${process.env['PATH'] ?? ''}`, ...extra };
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  return spawnSync(command, args, { encoding: 'utf8', env: scriptEnv(env), cwd: root });
}

const sortedRows = (csv: string) => csv.split('\n').filter((line) => line !== '').sort();

let whole: { outputs: string[]; rows: string[]; out: string } | undefined;

/** The whole export in one run on SQLite (once per file): its output names and its mapping rows. */
function wholeRun(): { outputs: string[]; rows: string[]; out: string } {
  if (whole !== undefined) return whole;
  const out = path.join(root, 'out-whole');
  const env = { DICOM_DATA_DIR: path.join(root, 'data-whole'), DICOM_ANON_SECRET: SECRET };
  expect(run('dicom-tools', ['anonymize', input, '--out', out, '--profile', 'research'], env).status).toBe(0);
  const csv = path.join(root, 'whole.csv');
  expect(run('dicom-tools', ['mapping', 'export', '--out', csv], env).status).toBe(0);
  whole = { outputs: readdirSync(out).sort(), rows: sortedRows(readFileSync(csv, 'utf8')), out };
  return whole;
}

describe('the systemd drop-in, its ExecStart run as systemd would', () => {
  // systemd replaces %d by the credentials folder and $$ by $; the test runs anonymize instead of watch.
  const execStart = /^ExecStart=\/bin\/sh -c '(.+)'$/m.exec(read(DROP_IN))?.[1] as string;
  const shellFor = (credentials: string, out: string) =>
    execStart
      .replaceAll('%d', credentials)
      .replaceAll('$$', '$')
      .replace(/\/usr\/bin\/node \/opt\/dicom-tools\/dist\/bin\/dicom-tools\.js watch$/, `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} anonymize ${JSON.stringify(input)} --out ${JSON.stringify(out)} --profile research`);

  it('gives dicom-tools the credential as DICOM_ANON_SECRET: the same outputs as with the variable set', () => {
    expect(execStart).toBeDefined();
    const credentials = mkdtempSync(path.join(root, 'credentials-'));
    writeFileSync(path.join(credentials, 'dicom-anon-secret'), `${SECRET}\n`, { mode: 0o400 });
    const out = path.join(root, 'out-credential');
    const result = run('/bin/sh', ['-c', shellFor(credentials, out)], { DICOM_DATA_DIR: path.join(root, 'data-credential') });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    expect(readdirSync(out).sort()).toEqual(wholeRun().outputs);
    expect(existsSync(path.join(root, 'data-credential', 'secret.key'))).toBe(false);
  });

  it('stops on an empty credential before dicom-tools could make a secret.key of its own', () => {
    const credentials = mkdtempSync(path.join(root, 'credentials-'));
    writeFileSync(path.join(credentials, 'dicom-anon-secret'), '', { mode: 0o400 });
    const out = path.join(root, 'out-empty-credential');
    const result = run('/bin/sh', ['-c', shellFor(credentials, out)], { DICOM_DATA_DIR: path.join(root, 'data-empty-credential') });
    expect(result.status).not.toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(path.join(root, 'data-empty-credential'))).toBe(false);
  });
});

describe('the Slurm array script without a store', () => {
  it('refuses a secret file that other users can read, before anything is written', () => {
    const secretFile = privateFile('open-secret', `${SECRET}\n`);
    chmodSync(secretFile, 0o644);
    const envFile = privateFile('open.env', "DICOM_MAPPING_URL='postgres://dicom@127.0.0.1:1/none'\n");
    const out = path.join(root, 'out-refused');
    const result = run('bash', [path.join(repo, SBATCH)], { SLURM_ARRAY_TASK_ID: '0', DEID_SHARDS: '2', DEID_INPUTS: input, DEID_OUT: out, DEID_SECRET_FILE: secretFile, DEID_ENV_FILE: envFile });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('accessible by other users (mode 644)');
    expect(result.stderr).not.toContain(SECRET);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an array task outside 0..N-1 (--array and DEID_SHARDS disagree)', () => {
    const result = run('bash', [path.join(repo, SBATCH)], { SLURM_ARRAY_TASK_ID: '2', DEID_SHARDS: '2', DEID_INPUTS: input, DEID_OUT: path.join(root, 'out-outside') });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--array and DEID_SHARDS disagree');
  });
});

describe.skipIf(!postgresAvailable())('the Slurm array script and the backup, on a PostgreSQL store', () => {
  const database = usePostgres();

  it("its tasks give the whole run's outputs and rows in one store; a rerun task's duplicate rows are removed line for line; backup.sh restores", async () => {
    const reference = wholeRun();
    const url = await database.fresh();
    const secretFile = privateFile('anon-secret', `${SECRET}\n`);
    const envFile = privateFile('deid.env', `DICOM_MAPPING_URL='${url}'\nDICOM_PROFILE=research\n`);
    const out = path.join(root, 'out-slurm');
    const task = (id: number) =>
      run('bash', [path.join(repo, SBATCH)], {
        SLURM_ARRAY_TASK_ID: String(id),
        SLURM_ARRAY_JOB_ID: '4242',
        DEID_SHARDS: '2',
        DEID_INPUTS: input,
        DEID_OUT: out,
        DEID_SECRET_FILE: secretFile,
        DEID_ENV_FILE: envFile,
        TMPDIR: root,
      });
    const tasks = [task(0), task(1)];
    for (const [id, result] of tasks.entries()) {
      expect({ id, status: result.status, stderr: result.stderr }).toMatchObject({ id, status: 0 });
      // Each task had files of its own, so the store really took two writers.
      expect(Number(new RegExp(`Shard ${id + 1}/2: (\\d+) of`).exec(result.stderr)?.[1])).toBeGreaterThan(0);
    }
    expect(readdirSync(out).sort()).toEqual(reference.outputs);
    for (const name of reference.outputs) expect(readFileSync(path.join(out, name)).equals(readFileSync(path.join(reference.out, name)))).toBe(true);
    const exportRows = (storeUrl: string, name: string) => {
      const csv = path.join(root, name);
      const exported = run('dicom-tools', ['mapping', 'export', '--out', csv], { DICOM_MAPPING_URL: storeUrl, DICOM_DATA_DIR: path.join(root, 'data-export') });
      expect({ status: exported.status, stderr: exported.stderr }).toMatchObject({ status: 0 });
      return readFileSync(csv, 'utf8');
    };
    expect(sortedRows(exportRows(url, 'slurm.csv'))).toEqual(reference.rows);

    // A node died during task 0 and the task ran again: its rows come twice, identical line for line.
    expect(task(0).status).toBe(0);
    const twice = exportRows(url, 'slurm-rerun.csv');
    expect(sortedRows(twice).length).toBeGreaterThan(reference.rows.length);
    const deduplicated = run('awk', ['!seen[$0]++', path.join(root, 'slurm-rerun.csv')], {});
    expect(sortedRows(deduplicated.stdout)).toEqual(reference.rows);
    expect(deduplicated.stdout.split('\n')[0]).toBe(twice.split('\n')[0]);

    // backup.sh, then pg_restore into an empty database as deploy/README.md shows: the same mapping.
    const backups = path.join(root, 'backups');
    const backup = run('bash', [path.join(repo, BACKUP), backups], { DICOM_MAPPING_URL: url });
    expect({ status: backup.status, stderr: backup.stderr }).toMatchObject({ status: 0 });
    const dump = backup.stdout.trim();
    expect(path.dirname(dump)).toBe(backups);
    expect(readdirSync(backups)).toEqual([path.basename(dump)]);
    expect(statSync(dump).mode & 0o777).toBe(0o600);
    expect(statSync(backups).mode & 0o777).toBe(0o700);
    const restoredUrl = await database.fresh();
    const restore = run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${restoredUrl}`, dump], {});
    expect({ status: restore.status, stderr: restore.stderr }).toMatchObject({ status: 0 });
    expect(exportRows(restoredUrl, 'restored.csv')).toBe(twice);
  });
});
