import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

// The tui command without a terminal: it must print its usage and exit 2, never wait for keys.
// Its arguments are checked first, so a bad one is named even here.

const USAGE_LINE = 'Usage: dicom-tools tui [DIR] [--out DIR] [--lang en|de] [--mapping-url URL]';
const root = mkdtempSync(path.join(tmpdir(), 'tui-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dicom-tools tui without a terminal', () => {
  it('says it needs a terminal and exits 2 instead of hanging', () => {
    const result = runCli(['tui']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("dicom-tools tui: needs a terminal (stdin and stdout must both be one)\nSee 'dicom-tools tui --help'.\n");
  });

  it('prints its help with --help and exits 0', () => {
    const result = runCli(['tui', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(USAGE_LINE);
    expect(result.stdout).toContain('  --mapping-url URL    the mapping store in PostgreSQL (postgres://user@host:port/db) instead\n');
    expect(result.stdout).toContain('Respects NO_COLOR.');
    expect(Math.max(...result.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(100);
  });

  it('rejects a bad language or folder with exit 2', () => {
    const language = runCli(['tui', '--lang', 'fr']);
    expect(language.status).toBe(2);
    expect(language.stderr.split('\n')[0]).toBe('dicom-tools tui: --lang must be en or de, not "fr"');
    const folder = runCli(['tui', '/nonexistent/folder']);
    expect(folder.status).toBe(2);
    expect(folder.stderr.split('\n')[0]).toBe('dicom-tools tui: /nonexistent/folder is not a folder');
  });

  it('rejects a --mapping-url that is not a PostgreSQL URL with exit 2, naming the flag, never quoting the URL', () => {
    const password = 'tui-flag-password-not-to-be-printed';
    const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_MAPPING_URL: '' };
    for (const url of [`mysql://maps:${password}@db/x`, `maps:${password}@db/x`, '']) {
      const result = runCli(['tui', root, '--mapping-url', url], { env });
      expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
      expect(result.stderr).toBe("dicom-tools tui: --mapping-url must be a postgres:// or postgresql:// URL\nSee 'dicom-tools tui --help'.\n");
      expect(result.stderr).not.toContain(password);
      expect(result.stderr).not.toContain('mysql');
    }
  });

  it('with no arguments and no terminal, prints the usage (which lists tui) and exits 2', () => {
    const result = runCli([]);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/\n {2}tui +open the terminal UI: pick files, set options, anonymize, review, save ZIP and mapping\n/);
  });
});
