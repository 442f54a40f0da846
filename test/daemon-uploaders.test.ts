import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from './helpers/daemon-process.js';
import { CLI } from './helpers/run-cli.js';
import { corpusDir } from './helpers/corpus.js';

// The README's "Letting uploaders write to Sources", done as an administrator would: real users, a
// group, a setgid Sources folder with a default ACL; an uploader with umask 077 copies a file in and
// a daemon running as another user must read it, anonymize it and remove the upload. Root only (it
// makes users). It asks geteuid: .ci/run re-runs unprivileged each test file that names the other
// uid call, and there this one would skip.

const DAEMON_USER = 'dicom-tools-t-daemon';
const UPLOADER = 'dicom-tools-t-uploader';
const GROUP = 'dicom-tools-t-upload';

const hasCommand = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const asRootWithAcl = process.geteuid?.() === 0 && hasCommand('setfacl') && hasCommand('useradd');

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
}

const uidOf = (user: string) => Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
const gidOf = (group: string) => Number(spawnSync('getent', ['group', group], { encoding: 'utf8' }).stdout.split(':')[2]);

describe.skipIf(!asRootWithAcl)('uploaders in a group, the daemon as its own user (README set-up)', () => {
  let root: string;
  let sources: string;
  let daemon: ChildProcess | undefined;
  let daemonOutput = '';

  beforeAll(() => {
    spawnSync('groupadd', [GROUP]);
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '-G', GROUP, DAEMON_USER]);
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '-G', GROUP, UPLOADER]);
    run('usermod', ['-aG', GROUP, DAEMON_USER]);
    run('usermod', ['-aG', GROUP, UPLOADER]);
    root = mkdtempSync(path.join(tmpdir(), 'dicom-uploaders-'));
    chmodSync(root, 0o755);
    sources = path.join(root, 'sources');
    mkdirSync(sources);
    chownSync(sources, uidOf(DAEMON_USER), gidOf(GROUP));
    chmodSync(sources, 0o2770);
    run('setfacl', ['-d', '-m', 'u::rwx,g::rwx,o::---', sources]);
    const data = path.join(root, 'data');
    mkdirSync(data, { mode: 0o700 });
    chownSync(data, uidOf(DAEMON_USER), gidOf(DAEMON_USER));
  });

  afterEach(async () => {
    if (daemon !== undefined && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon!.on('exit', resolve));
      daemon.kill('SIGKILL');
      await exited;
    }
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads, anonymizes and removes an upload that another user copied in with umask 077', async () => {
    const env = {
      ...process.env,
      DICOM_ANONYMIZE_ON_UPLOAD: 'true',
      DICOM_DATA_DIR: path.join(root, 'data'),
      DICOM_ANON_SECRET: 'uploaders-test-secret-0123456789',
      DICOM_WATCH_STABLE_MS: '200',
      DICOM_WATCH_POLL_MS: '100',
      DICOM_WATCH_RETRY_MS: '100',
      // The upload is an ultrasound image, at risk of burned-in text: accepted, as this test is about permissions.
      DICOM_BURNED_IN: 'accept',
      HOME: path.join(root, 'data'),
    };
    // setpriv execs the daemon itself (a kill reaches it) as its user with that user's groups.
    const user = ['--reuid', String(uidOf(DAEMON_USER)), '--regid', String(gidOf(DAEMON_USER)), '--init-groups'];
    daemon = spawn('setpriv', [...user, '--', process.execPath, CLI, 'watch', sources], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (chunk: Buffer) => (daemonOutput += chunk.toString('utf8')));
    daemon.stderr?.on('data', (chunk: Buffer) => (daemonOutput += chunk.toString('utf8')));
    await waitUntil(() => /watching/i.test(daemonOutput), 'the daemon to watch');

    run('runuser', ['-u', UPLOADER, '--', 'sh', '-c', `umask 077 && cp '${path.join(corpusDir, 'dicomparser_IM00001.implicit_little_endian.dcm')}' '${sources}/upload.dcm'`]);

    await waitUntil(() => {
      const names = readdirSync(sources).filter((name) => !name.startsWith('.'));
      return names.length === 1 && names[0]!.startsWith('2.25.');
    }, `the upload anonymized and removed (daemon said: ${daemonOutput})`);
    expect(daemonOutput).not.toMatch(/moved to quarantine|cannot be removed|permission denied|EACCES/i);

  });
});
