import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/config.js';
import { loadSecret } from '../src/config/secret.js';
import { createTuiDeps } from '../tui/tui-deps.js';
import { corpusDir } from './helpers/corpus.js';
import { killLeftRunning, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';
import { runCli } from './helpers/run-cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'dicom-config-hardening-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sample = path.join(corpusDir, 'dcmqats_1_ELE.dcm');

describe('a malformed DICOM_MAPPING_URL', () => {
  const password = 'url-password-not-to-be-printed';
  const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'config hardening test secret', DICOM_ANONYMIZE_ON_UPLOAD: 'true' };
  const message = 'DICOM_MAPPING_URL is not a valid URL: check the host, the port (a number up to 65535) and that special characters in the user name and password are percent-encoded (unset it for the embedded SQLite store)';

  it('is a configuration error (exit 2) in every command that reads it, naming the variable, never the URL', () => {
    const commands = [['status'], ['anonymize', sample, '--out', path.join(root, 'out')], ['verify', root], ['mapping', 'batches'], ['tui', root], ['watch', root]];
    const urls = [`postgres://u:${password}@127.0.0.1:notaport/db`, `postgresql://u:${password}@db:99999/x`, `postgres://u:${password}@[::1/db`];
    for (const url of urls) {
      for (const command of url === urls[0] ? commands : [['status']]) {
        const result = runCli(command, { env: { ...env, DICOM_MAPPING_URL: url } });
        expect({ command, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
          command,
          status: 2,
          stdout: '',
          stderr: `dicom-tools ${command[0]}: ${message}\n`,
        });
      }
    }
  }, 120_000);

  it('given with --mapping-url is a usage error, never quoting the URL', () => {
    const result = runCli(['mapping', 'batches', '--mapping-url', `postgres://u:${password}@127.0.0.1:notaport/db`], { env: { ...env, DICOM_MAPPING_URL: '' } });
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr:
        "dicom-tools mapping: --mapping-url is not a valid URL: check the host, the port (a number up to 65535) and that special characters in the user name and password are percent-encoded\nSee 'dicom-tools mapping --help'.\n",
    });
  });

  it('still accepts the URLs node-postgres reads: a socket folder as host parameter, an empty host, a space in the password', () => {
    for (const url of ['postgresql://postgres@localhost/postgres?host=/tmp/nowhere', 'postgres://u@/db?host=/tmp/nowhere', 'postgres://u:p w@db/x', 'postgres:///db']) {
      const result = runCli(['status'], { env: { ...env, DICOM_MAPPING_URL: url } });
      expect({ url, status: result.status, stderr: result.stderr }).toEqual({ url, status: 0, stderr: '' });
    }
  });
});

// A planted secret: whoever wrote secret.key knows it and can recompute every pseudonym. Refused as
// ssh refuses keys and homes others may write. Root writes anywhere, so the tests that plant
// another user's files run as root (chown to nobody) and are skipped unprivileged; CI runs this
// file both ways (it asks process.getuid).
describe('a secret key another user could have written', () => {
  const isRoot = process.getuid?.() === 0;
  const KEY = `${'ab'.repeat(32)}\n`;
  let count = 0;

  /** A data folder (mode `mode`) holding a valid key (0600), inside a private parent folder. */
  function dataDirWithKey(mode: number, keyMode = 0o600): { dataDir: string; keyPath: string } {
    const dataDir = path.join(root, `planted-${++count}`, 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const keyPath = path.join(dataDir, 'secret.key');
    writeFileSync(keyPath, KEY, { mode: keyMode });
    chmodSync(dataDir, mode);
    return { dataDir, keyPath };
  }

  function refusal(dataDir: string): string {
    try {
      loadSecret({ dataDir, secretFromEnv: undefined });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected the key to be refused');
  }

  it('refuses a data folder others may write (0777, 0770, even sticky), saying how to fix it; anonymize stops with exit 2 and writes nothing', () => {
    for (const mode of [0o777, 0o770, 0o1777]) {
      const { dataDir } = dataDirWithKey(mode);
      const shown = (mode & 0o7777).toString(8).padStart(4, '0');
      expect(refusal(dataDir)).toBe(`${dataDir}: the data folder is writable by other users (mode ${shown}), who could plant a secret key in it; restrict it with: chmod go-w ${dataDir}`);
    }
    const { dataDir } = dataDirWithKey(0o777);
    const out = path.join(root, 'planted-out');
    const result = runCli(['anonymize', sample, '--out', out], { env: { DICOM_DATA_DIR: dataDir, DICOM_ANON_SECRET: '', DICOM_MAPPING_URL: '' } });
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: `dicom-tools anonymize: ${dataDir}: the data folder is writable by other users (mode 0777), who could plant a secret key in it; restrict it with: chmod go-w ${dataDir}\n`,
    });
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('refuses a folder above the data folder that others may write unless it is sticky (like /tmp)', () => {
    const { dataDir } = dataDirWithKey(0o700);
    const parent = path.dirname(dataDir);
    chmodSync(parent, 0o777);
    expect(refusal(dataDir)).toBe(`${parent}: a folder above the data folder is writable by other users (mode 0777), who could replace the data folder; restrict it with: chmod go-w ${parent}`);
    // A data folder still to be created is checked from its nearest existing parent.
    expect(refusal(path.join(parent, 'new', 'data'))).toMatch(/^.*: a folder above the data folder is writable by other users \(mode 0777\)/);
    chmodSync(parent, 0o1777);
    expect(loadSecret({ dataDir, secretFromEnv: undefined }).toString('hex')).toBe('ab'.repeat(32));
  });

  it('refuses a secret.key that is a symbolic link, even to a good key', () => {
    const { dataDir, keyPath } = dataDirWithKey(0o700);
    const elsewhere = path.join(path.dirname(dataDir), 'elsewhere.key');
    writeFileSync(elsewhere, KEY, { mode: 0o600 });
    rmSync(keyPath);
    symlinkSync(elsewhere, keyPath);
    expect(refusal(dataDir)).toBe(`${keyPath}: the secret key is a symbolic link; put the key file itself there (mode 0600)`);
  });

  it('uses a correct install: folder 0700 (or 0755) with the key 0600, both ours', () => {
    for (const mode of [0o700, 0o755]) {
      const { dataDir } = dataDirWithKey(mode);
      expect(loadSecret({ dataDir, secretFromEnv: undefined }).toString('hex')).toBe('ab'.repeat(32));
    }
  });

  // Never skipped (CI's unprivileged run fails on a skip): as root, files really given to nobody
  // (65534); unprivileged, where chown is impossible, the running user is said to be another one.
  it('refuses a key and a data folder that belong to another user, saying how to fix it', () => {
    const foreignFolder = (dataDir: string, owner: number) =>
      `${dataDir}: the data folder belongs to another user (uid ${owner}), who could plant a secret key in it; make it yours (chown ${userInfo().username} ${dataDir}) or use a data folder of your own (DICOM_DATA_DIR)`;
    if (!isRoot) {
      const ours = process.getuid?.() ?? 0;
      const { dataDir } = dataDirWithKey(0o700);
      expect(() => loadSecret({ dataDir, secretFromEnv: undefined }, undefined, ours + 1)).toThrow(foreignFolder(dataDir, ours));
      return;
    }
    const planted = dataDirWithKey(0o700);
    chownSync(planted.keyPath, 65534, 65534);
    expect(refusal(planted.dataDir)).toBe(
      `${planted.keyPath}: the secret key belongs to another user (uid 65534), who could recompute every pseudonym; if that user may, make it yours: chown ${userInfo().username} ${planted.keyPath}; if not, remove it (a new key means new pseudonyms)`,
    );
    const foreign = dataDirWithKey(0o700);
    chownSync(foreign.dataDir, 65534, 65534);
    expect(refusal(foreign.dataDir)).toBe(foreignFolder(foreign.dataDir, 65534));
  });
});

// A UID is at most 64 characters: a longer one kept by --keep-uids is bad input (the file fails with
// its reason, the batch goes on), not an internal error from a file name the system refuses.
describe('an over-long SOP Instance UID kept with --keep-uids', () => {
  it('fails that file with a clear reason, writes nothing for it, and anonymizes the others', () => {
    const input = path.join(root, 'long-uid');
    mkdirSync(input);
    const longUid = `1.2.${Array.from({ length: 40 }, () => '123456789').join('.')}`;
    copyFileSync(sample, path.join(input, 'long.dcm'));
    chmodSync(path.join(input, 'long.dcm'), 0o644); // the corpus is read-only
    execFileSync('dcmodify', ['-nb', '-m', `(0008,0018)=${longUid}`, path.join(input, 'long.dcm')]);
    copyFileSync(sample, path.join(input, 'good.dcm'));
    const out = path.join(root, 'long-uid-out');
    const result = runCli(['anonymize', input, '--out', out, '--keep-uids'], { env: { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'config hardening test secret', DICOM_MAPPING_URL: '' } });
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      `dicom-tools: ${path.join(input, 'long.dcm')}: the SOP Instance UID is ${longUid.length} characters long, more than a UID may have (64); it is kept (UIDs are not regenerated), so the output cannot be named by it (at (0008,0018))`,
    );
    expect(result.stderr).toMatch(/\nAnonymized 1 file into .* in [0-9.]+ s; 1 failed\.\n/);
    expect(result.stderr).not.toContain(longUid.slice(0, 30));
    expect(readdirSync(out)).toHaveLength(1);
  });
});

// Losing the key changes every later pseudonym: its creation is said once, by whoever created it.
describe('a new secret key', () => {
  const notice = (keyPath: string) => `created a new secret key, ${keyPath}: back it up with the mapping store; without it, later runs give other pseudonyms and UIDs`;
  const running: DaemonProcess[] = [];
  afterEach(() => killLeftRunning(running));

  it('anonymize says where it created it and to back it up, once: not on the next run', () => {
    const dataDir = path.join(root, 'new-key', 'data');
    const env = { DICOM_DATA_DIR: dataDir, DICOM_ANON_SECRET: '', DICOM_MAPPING_URL: '' };
    const first = runCli(['anonymize', sample, '--out', path.join(root, 'new-key', 'out-1')], { env });
    expect(first.status).toBe(0);
    expect(first.stderr.split('\n')[0]).toBe(`dicom-tools anonymize: ${notice(path.join(dataDir, 'secret.key'))}`);
    const second = runCli(['anonymize', sample, '--out', path.join(root, 'new-key', 'out-2')], { env });
    expect(second.status).toBe(0);
    expect(second.stderr).not.toContain('secret key');
  });

  it('the TUI hears it when its run creates the key (to say after the screen closes), once', () => {
    const dataDir = path.join(root, 'new-key-tui', 'data');
    const notices: string[] = [];
    const deps = createTuiDeps(loadConfig({ env: { DICOM_DATA_DIR: dataDir }, cwd: root }), (text) => notices.push(text));
    deps.loadKeys();
    deps.loadKeys();
    expect(notices).toEqual([notice(path.join(dataDir, 'secret.key'))]);
  });

  it('the daemon logs it as a warning when it creates the key, and starts', async () => {
    const base = path.join(root, 'new-key-daemon');
    const sources = path.join(base, 'sources');
    mkdirSync(sources, { recursive: true });
    const dataDir = path.join(base, 'data');
    const daemon = startDaemon(sources, { DICOM_ANONYMIZE_ON_UPLOAD: 'true', DICOM_DATA_DIR: dataDir, DICOM_ANON_SECRET: '', DICOM_MAPPING_URL: '', DICOM_QUARANTINE_DIR: path.join(base, 'quarantine') });
    running.push(daemon);
    await waitUntil(() => daemon.output().includes('watching'), 'the daemon to start');
    expect(daemon.output()).toContain(`warn: ${notice(path.join(dataDir, 'secret.key'))}\n`);
    expect(daemon.output().split('secret key').length).toBe(2);
  });
});
