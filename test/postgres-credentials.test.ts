import { writeFileSync, mkdtempSync, rmSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, postgresBin, ThrowawayCluster, withDatabase } from '../scripts/throwaway-postgres.js';
import { corpusDir } from './helpers/corpus.js';
import { filesBelow, killLeftRunning, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';
import { POSTGRES_SKIP_REASON } from './helpers/postgres-server.js';
import { runCli } from './helpers/run-cli.js';

// Where the password of a PostgreSQL store comes from, on a server that asks for one (SCRAM):
// PGPASSWORD, or the password file (PGPASSFILE or ~/.pgpass; the systemd drop-in hands one over
// this way), and never from a file others may read. No password is ever printed, and no
// deprecation warning of node-postgres ends up in a command's or the daemon's output.

const PASSWORD = 'Sesame-0123-not-to-be-printed';
const bin = postgresBin();
if (bin === undefined && process.env['DICOM_TEST_POSTGRES_REQUIRED'] === '1') throw new Error('DICOM_TEST_POSTGRES_REQUIRED=1 but PostgreSQL is not installed: the credential tests need a server of their own');
if (bin === undefined) process.stderr.write(`${POSTGRES_SKIP_REASON}\n`);

describe.skipIf(bin === undefined)('finding the PostgreSQL password', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'dicom-pg-credentials-'));
  const cluster = bin === undefined ? undefined : new ThrowawayCluster(bin, { password: PASSWORD });
  let url = '';
  const running: DaemonProcess[] = [];
  beforeAll(async () => {
    const admin = cluster?.start() ?? '';
    const withPassword = withDatabase(admin, await createDatabase(admin, 'dicom_tools_credentials_'));
    const parsed = new URL(withPassword);
    parsed.password = '';
    url = parsed.toString();
  });
  afterAll(async () => {
    await killLeftRunning(running);
    cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** A password file holding `password` for every server and database, with `mode`. */
  const passwordFile = (name: string, password: string, mode: number) => {
    const file = path.join(root, name);
    writeFileSync(file, `*:*:*:postgres:${password}\n`, { mode });
    return file;
  };
  const env = (extra: NodeJS.ProcessEnv) => ({ DICOM_DATA_DIR: path.join(root, 'data'), DICOM_MAPPING_URL: url, PGPASSWORD: undefined, PGPASSFILE: path.join(root, 'none'), ...extra });

  it('reads it from the password file (PGPASSFILE), without a warning', () => {
    const result = runCli(['mapping', 'batches'], { env: env({ PGPASSFILE: passwordFile('pgpass', PASSWORD, 0o600) }) });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('reads it from PGPASSWORD', () => {
    const result = runCli(['mapping', 'batches'], { env: env({ PGPASSWORD: PASSWORD }) });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('ignores a password file that others may read, as libpq does, says what is missing, and exits', () => {
    const result = runCli(['mapping', 'batches'], { env: env({ PGPASSFILE: passwordFile('pgpass-open', PASSWORD, 0o644) }) });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('has group or world access');
    expect(result.stderr).toContain('cannot open the mapping store: the server asks for a password and none was given: put it in PGPASSWORD or in the password file');
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it('refuses a wrong password with the reason and what to check, never printing either password', () => {
    const wrong = 'wrong-password-never-printed';
    const result = runCli(['mapping', 'batches'], { env: env({ PGPASSWORD: wrong }) });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot open the mapping store: password authentication failed for user "postgres": check the user and password (in the URL, PGPASSWORD or ~/.pgpass) (SQLSTATE 28P01)');
    expect(result.stderr).not.toContain(wrong);
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it('the watch daemon logs in with the password file and records; with a wrong password it stops, exit 1, instead of waiting', async () => {
    const sources = path.join(root, 'sources');
    mkdirSync(sources, { recursive: true });
    copyFileSync(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), path.join(sources, 'IM1'));
    const daemonEnv = {
      ...env({ PGPASSFILE: passwordFile('pgpass-daemon', PASSWORD, 0o600) }),
      DICOM_ANONYMIZE_ON_UPLOAD: 'true',
      DICOM_ANON_SECRET: 'the credential tests secret, 0123456789',
      DICOM_WATCH_STABLE_MS: '100',
      DICOM_WATCH_POLL_MS: '100',
    };
    const daemon = startDaemon(sources, daemonEnv);
    running.push(daemon);
    await waitUntil(() => filesBelow(sources).length === 1 && !filesBelow(sources).includes('IM1'), 'the upload to be anonymized');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.output()).not.toMatch(/DeprecationWarning|Sesame/);
    const records = runCli(['mapping', 'export', '--out', path.join(root, 'mapping.csv')], { env: env({ PGPASSWORD: PASSWORD }) });
    expect(records.status).toBe(0);

    copyFileSync(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), path.join(sources, 'IM2'));
    const refused = startDaemon(sources, { ...daemonEnv, PGPASSFILE: passwordFile('pgpass-wrong', 'wrong-password-never-printed', 0o600) });
    running.push(refused);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain('SQLSTATE 28P01');
    expect(refused.output()).not.toContain('wrong-password-never-printed');
    expect(filesBelow(sources)).toContain('IM2');
  }, 60_000);
});
