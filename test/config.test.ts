import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { loadSecret } from '../src/config/secret.js';

const SECRET_MODULE = fileURLToPath(new URL('../src/config/secret.ts', import.meta.url));

const temporaryDirs: string[] = [];

afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'config-'));
  temporaryDirs.push(dir);
  return dir;
}

/** Runs a TypeScript script in a child process; resolves with its exit code and output, never rejects. */
function runScript(script: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', script, ...args], (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

const DEFAULTS: Config['defaults'] = { regenerateUids: true, removePrivate: true, patient: true, institution: true, study: true, dates: 'clear' };
const WATCH_DEFAULTS: Config['watch'] = { stableMs: 2000, concurrency: 2, pollMs: 1000, retryMs: 2000 };
const INFLATE_DEFAULTS: Config['inflateLimits'] = { maxBytes: 256 * 2 ** 20, maxRatio: 200 };
const WATCH_VARIABLES = ['DICOM_WATCH_STABLE_MS', 'DICOM_WATCH_CONCURRENCY', 'DICOM_WATCH_POLL_MS', 'DICOM_WATCH_RETRY_MS'];

describe('loadConfig', () => {
  it('defaults to ~/.local/share/dicom-tools and every option on', () => {
    const cwd = temporaryDir();
    expect(loadConfig({ env: { HOME: '/home/ada' }, cwd })).toEqual({
      dataDir: '/home/ada/.local/share/dicom-tools',
      sourcesDir: undefined,
      quarantineDir: '/home/ada/.local/share/dicom-tools/quarantine',
      anonymizeOnUpload: false,
      secretFromEnv: undefined,
      defaults: DEFAULTS,
      nodeName: os.hostname(),
      watch: WATCH_DEFAULTS,
      inflateLimits: INFLATE_DEFAULTS,
    });
  });

  it('uses an absolute XDG_DATA_HOME and ignores a relative one', () => {
    const cwd = temporaryDir();
    expect(loadConfig({ env: { HOME: '/home/ada', XDG_DATA_HOME: '/xdg/data' }, cwd }).dataDir).toBe('/xdg/data/dicom-tools');
    expect(loadConfig({ env: { HOME: '/home/ada', XDG_DATA_HOME: 'xdg/data' }, cwd }).dataDir).toBe('/home/ada/.local/share/dicom-tools');
  });

  it('reads every variable, resolving relative and ~ paths', () => {
    const cwd = temporaryDir();
    const config = loadConfig({
      cwd,
      env: {
        HOME: '/home/ada',
        DICOM_DATA_DIR: 'data',
        DICOM_SOURCES_DIR: '~/incoming',
        DICOM_QUARANTINE_DIR: '/var/quarantine',
        DICOM_ANONYMIZE_ON_UPLOAD: 'Yes',
        DICOM_ANON_SECRET: 'correct horse battery staple',
        DICOM_REGENERATE_UIDS: 'false',
        DICOM_REMOVE_PRIVATE_TAGS: '0',
        DICOM_CLEAN_PATIENT: 'NO',
        DICOM_CLEAN_INSTITUTION: 'TRUE',
        DICOM_CLEAN_STUDY: '1',
        DICOM_DATES: 'Shift',
        DICOM_WATCH_STABLE_MS: '150',
        DICOM_WATCH_CONCURRENCY: ' 4 ',
        DICOM_WATCH_POLL_MS: '250',
        DICOM_WATCH_RETRY_MS: '86400000',
        DICOM_NODE_NAME: ' imaging-02.example.org ',
        DICOM_INFLATE_MAX_MB: '1024',
        DICOM_INFLATE_MAX_RATIO: '50',
      },
    });
    expect(config).toEqual({
      dataDir: path.join(cwd, 'data'),
      sourcesDir: '/home/ada/incoming',
      quarantineDir: '/var/quarantine',
      anonymizeOnUpload: true,
      secretFromEnv: 'correct horse battery staple',
      defaults: { regenerateUids: false, removePrivate: false, patient: false, institution: true, study: true, dates: 'shift' },
      nodeName: 'imaging-02.example.org',
      watch: { stableMs: 150, concurrency: 4, pollMs: 250, retryMs: 86_400_000 },
      inflateLimits: { maxBytes: 1024 * 2 ** 20, maxRatio: 50 },
    });
  });

  it.each(['true', '1', 'yes', 'YES', ' True '])('reads DICOM_ANONYMIZE_ON_UPLOAD=%j as on', (value) => {
    expect(loadConfig({ env: { HOME: '/h', DICOM_ANONYMIZE_ON_UPLOAD: value }, cwd: temporaryDir() }).anonymizeOnUpload).toBe(true);
  });

  it.each(['false', '0', 'no', 'No'])('reads DICOM_ANONYMIZE_ON_UPLOAD=%j as off', (value) => {
    expect(loadConfig({ env: { HOME: '/h', DICOM_ANONYMIZE_ON_UPLOAD: value }, cwd: temporaryDir() }).anonymizeOnUpload).toBe(false);
  });

  it.each(['DICOM_ANONYMIZE_ON_UPLOAD', 'DICOM_REGENERATE_UIDS', 'DICOM_REMOVE_PRIVATE_TAGS', 'DICOM_CLEAN_PATIENT', 'DICOM_CLEAN_INSTITUTION', 'DICOM_CLEAN_STUDY'])(
    'refuses a %s that is not a boolean word',
    (variable) => {
      const error = thrown(() => loadConfig({ env: { HOME: '/h', [variable]: 'ture' }, cwd: temporaryDir() }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'CONFIG', variable });
      expect(error.message).toBe(`${variable} must be one of true, 1, yes, false, 0, no (any case), not "ture"`);
    },
  );

  it.each(['two words', 'x'.repeat(129), 'zürich'])('refuses a DICOM_NODE_NAME %j that is not one printable ASCII word', (value) => {
    const error = thrown(() => loadConfig({ env: { HOME: '/h', DICOM_NODE_NAME: value }, cwd: temporaryDir() }));
    expect(error).toMatchObject({ variable: 'DICOM_NODE_NAME' });
    expect(error.message).toContain('DICOM_NODE_NAME must be 1 to 128 printable ASCII characters without spaces');
  });

  it('refuses an unknown DICOM_DATES', () => {
    const error = thrown(() => loadConfig({ env: { HOME: '/h', DICOM_DATES: 'later' }, cwd: temporaryDir() }));
    expect(error).toMatchObject({ variable: 'DICOM_DATES' });
    expect(error.message).toBe('DICOM_DATES must be one of clear, keep, shift, not "later"');
  });

  it('refuses a short DICOM_ANON_SECRET without repeating it', () => {
    const error = thrown(() => loadConfig({ env: { HOME: '/h', DICOM_ANON_SECRET: 'hunter2-hunter2' }, cwd: temporaryDir() }));
    expect(error).toMatchObject({ variable: 'DICOM_ANON_SECRET' });
    expect(error.message).toBe('DICOM_ANON_SECRET is too short: use at least 16 characters (for example the output of: openssl rand -hex 32)');
    expect(error.message).not.toContain('hunter2');
  });

  it('reads .env from cwd, lets the environment win, and leaves process.env alone', () => {
    const cwd = temporaryDir();
    writeFileSync(
      path.join(cwd, '.env'),
      ['# local settings', 'DICOM_DATA_DIR=./store', 'DICOM_DATES=keep', 'export DICOM_CLEAN_STUDY=no', 'DICOM_SOURCES_DIR="/srv/in box"', 'DICOM_ANON_SECRET=from-the-file-0123456789', ''].join('\n'),
    );
    const before = { ...process.env };
    const config = loadConfig({ env: { HOME: '/h', DICOM_DATES: 'shift', DICOM_ANON_SECRET: 'from-the-environment-0123' }, cwd });

    expect(config).toEqual({
      dataDir: path.join(cwd, 'store'),
      sourcesDir: '/srv/in box',
      quarantineDir: path.join(cwd, 'store', 'quarantine'),
      anonymizeOnUpload: false,
      secretFromEnv: 'from-the-environment-0123',
      defaults: { ...DEFAULTS, study: false, dates: 'shift' },
      nodeName: os.hostname(),
      watch: WATCH_DEFAULTS,
      inflateLimits: INFLATE_DEFAULTS,
    });
    expect(process.env).toEqual(before);
  });

  it('reads the watch daemon tuning from .env, the environment winning (an empty value there hides the file\'s)', () => {
    const cwd = temporaryDir();
    writeFileSync(path.join(cwd, '.env'), 'DICOM_WATCH_STABLE_MS=100\nDICOM_WATCH_CONCURRENCY=3\nDICOM_WATCH_POLL_MS=200\nDICOM_WATCH_RETRY_MS=300\n');
    expect(loadConfig({ env: { HOME: '/h' }, cwd }).watch).toEqual({ stableMs: 100, concurrency: 3, pollMs: 200, retryMs: 300 });
    expect(loadConfig({ env: { HOME: '/h', DICOM_WATCH_STABLE_MS: '5000', DICOM_WATCH_POLL_MS: '' }, cwd }).watch).toEqual({ stableMs: 5000, concurrency: 3, pollMs: 1000, retryMs: 300 });
  });

  it.each(WATCH_VARIABLES.flatMap((variable) => ['0', '-5', '1.5', '2s', '1e3', '0x10', 'ten'].map((value) => [variable, value] as const)))('refuses %s=%j in .env', (variable, value) => {
    const cwd = temporaryDir();
    writeFileSync(path.join(cwd, '.env'), `${variable}=${value}\n`);
    const error = thrown(() => loadConfig({ env: { HOME: '/h' }, cwd }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'CONFIG', variable });
    const max = variable === 'DICOM_WATCH_CONCURRENCY' ? 64 : 86_400_000;
    expect(error.message).toBe(`${variable} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`);
  });

  it('refuses watch tuning beyond what a timer or the disk can use', () => {
    for (const [variable, value] of [['DICOM_WATCH_CONCURRENCY', '65'], ['DICOM_WATCH_STABLE_MS', '86400001'], ['DICOM_WATCH_RETRY_MS', '3000000000']] as const) {
      expect(thrown(() => loadConfig({ env: { HOME: '/h', [variable]: value }, cwd: temporaryDir() }))).toMatchObject({ variable });
    }
    expect(loadConfig({ env: { HOME: '/h', DICOM_WATCH_CONCURRENCY: '64' }, cwd: temporaryDir() }).watch.concurrency).toBe(64);
  });

  it('refuses inflate limits a Buffer or deflate itself cannot reach', () => {
    for (const [variable, value, max] of [['DICOM_INFLATE_MAX_MB', '2049', 2048], ['DICOM_INFLATE_MAX_RATIO', '1033', 1032], ['DICOM_INFLATE_MAX_RATIO', '0', 1032]] as const) {
      const error = thrown(() => loadConfig({ env: { HOME: '/h', [variable]: value }, cwd: temporaryDir() }));
      expect(error).toMatchObject({ code: 'CONFIG', variable, message: `${variable} must be a whole number from 1 to ${max}, not "${value}"` });
    }
  });

  it('counts an empty value as unset, also when it hides a value in .env', () => {
    const cwd = temporaryDir();
    writeFileSync(path.join(cwd, '.env'), 'DICOM_DATES=keep\nDICOM_SOURCES_DIR=\n');
    const config = loadConfig({ env: { HOME: '/h', DICOM_DATES: '', DICOM_ANON_SECRET: '' }, cwd });
    expect(config).toMatchObject({ sourcesDir: undefined, secretFromEnv: undefined, defaults: DEFAULTS });
  });

  it('reports a .env that cannot be read', () => {
    const cwd = temporaryDir();
    mkdirSync(path.join(cwd, '.env'));
    const error = thrown(() => loadConfig({ env: { HOME: '/h' }, cwd }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`${path.join(cwd, '.env')}: cannot read: is a folder`);
  });
});

describe('loadSecret', () => {
  it('uses the UTF-8 bytes of DICOM_ANON_SECRET and writes no key file', () => {
    const dataDir = path.join(temporaryDir(), 'data');
    expect(loadSecret({ dataDir, secretFromEnv: 'Grüße-0123456789' })).toEqual(Buffer.from('Grüße-0123456789', 'utf8'));
    expect(() => loadSecret({ dataDir, secretFromEnv: 'short' })).toThrow('DICOM_ANON_SECRET is too short: use at least 16 characters (for example the output of: openssl rand -hex 32)');
    expect(readdirSync(path.dirname(dataDir))).toEqual([]);
  });

  it('generates 32 random bytes into secret.key (0600, folder 0700) and reads them back', () => {
    const dataDir = path.join(temporaryDir(), 'a', 'data');
    const secret = loadSecret({ dataDir, secretFromEnv: undefined });
    const keyPath = path.join(dataDir, 'secret.key');

    expect(secret).toHaveLength(32);
    expect(readFileSync(keyPath, 'utf8')).toBe(`${secret.toString('hex')}\n`);
    expect(modeOf(keyPath)).toBe(0o600);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(readdirSync(dataDir)).toEqual(['secret.key']);
    expect(loadSecret({ dataDir, secretFromEnv: undefined })).toEqual(secret);
  });

  it('gives another data folder another secret', () => {
    const one = loadSecret({ dataDir: temporaryDir(), secretFromEnv: undefined });
    const two = loadSecret({ dataDir: temporaryDir(), secretFromEnv: undefined });
    expect(one.equals(two)).toBe(false);
  });

  it.each([0o644, 0o640, 0o604, 0o660])('refuses a secret.key with mode %o, telling how to fix it', (mode) => {
    const dataDir = temporaryDir();
    const keyPath = path.join(dataDir, 'secret.key');
    writeFileSync(keyPath, `${'ab'.repeat(32)}\n`);
    chmodSync(keyPath, mode);

    const error = thrown(() => loadSecret({ dataDir, secretFromEnv: undefined }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`${keyPath}: the secret key is accessible by other users (mode 0${mode.toString(8)}); restrict it with: chmod 600 ${keyPath}`);
    expect(error.message).not.toContain('abab');
  });

  it('accepts a hand-made key of at least 16 bytes and refuses a malformed one without echoing it', () => {
    const dataDir = temporaryDir();
    const keyPath = path.join(dataDir, 'secret.key');
    writeFileSync(keyPath, `  ${'0F'.repeat(16)}\r\n`, { mode: 0o400 });
    expect(loadSecret({ dataDir, secretFromEnv: undefined })).toEqual(Buffer.alloc(16, 0x0f));

    for (const content of ['0f'.repeat(15), 'not hex at all, but long enough to pass', `${'0f'.repeat(16)}0`, '']) {
      chmodSync(keyPath, 0o600);
      writeFileSync(keyPath, content);
      const error = thrown(() => loadSecret({ dataDir, secretFromEnv: undefined }));
      expect(error.message).toBe(`${keyPath}: the secret key is malformed: expected at least 32 hexadecimal digits`);
    }
  });

  it('reports a data folder that cannot be created', () => {
    const parent = temporaryDir();
    writeFileSync(path.join(parent, 'file'), '');
    const dataDir = path.join(parent, 'file', 'data');
    const error = thrown(() => loadSecret({ dataDir, secretFromEnv: undefined }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`${path.join(dataDir, 'secret.key')}: cannot read the secret key: a part of the path is not a folder`);
  });

  it('gives six processes racing to create the key one and the same key', async () => {
    const dir = temporaryDir();
    const dataDir = path.join(dir, 'data');
    const script = path.join(dir, 'racer.ts');
    writeFileSync(
      script,
      `import { readdirSync, writeFileSync } from 'node:fs';
import { loadSecret } from ${JSON.stringify(SECRET_MODULE)};
const [dataDir, ready, count] = process.argv.slice(2);
// Start together: each announces itself, then waits for all the others.
writeFileSync(ready + '/' + process.pid, '');
while (readdirSync(ready).length < Number(count)) {}
process.on('uncaughtException', (error) => {
  process.stderr.write(error.message);
  process.exit(1);
});
process.stdout.write(loadSecret({ dataDir, secretFromEnv: undefined }).toString('hex'));
`,
    );
    const ready = path.join(dir, 'ready');
    mkdirSync(ready);
    const results = await Promise.all(Array.from({ length: 6 }, () => runScript(script, [dataDir, ready, '6'])));
    expect(results.map(({ code, stderr }) => ({ code, stderr }))).toEqual(results.map(() => ({ code: 0, stderr: '' })));
    const keys = new Set(results.map((result) => result.stdout));

    expect(keys.size).toBe(1);
    expect(readFileSync(path.join(dataDir, 'secret.key'), 'utf8')).toBe(`${[...keys][0]}\n`);
    expect(readdirSync(dataDir)).toEqual(['secret.key']);
    expect(modeOf(path.join(dataDir, 'secret.key'))).toBe(0o600);
  });
});
