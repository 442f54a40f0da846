import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusDir } from './helpers/corpus.js';
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
