import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

// The tui command without a terminal: it must print its usage and exit 2, never wait for keys.

describe('dicom-tools tui without a terminal', () => {
  it('prints the usage and exits 2 instead of hanging', () => {
    const result = runCli(['tui']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith('dicom-tools tui: needs a terminal (stdin and stdout must both be one)\n\nUsage: dicom-tools tui [DIR] [--out DIR] [--lang en|de]\n')).toBe(true);
  });

  it('prints its help with --help and exits 0', () => {
    const result = runCli(['tui', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('Usage: dicom-tools tui [DIR] [--out DIR] [--lang en|de]');
    expect(result.stdout).toContain('Respects NO_COLOR.');
  });

  it('rejects a bad language or folder with exit 2', () => {
    const language = runCli(['tui', '--lang', 'fr']);
    expect(language.status).toBe(2);
    expect(language.stderr.split('\n')[0]).toBe('dicom-tools tui: --lang must be en or de, not "fr"');
    const folder = runCli(['tui', '/nonexistent/folder']);
    expect(folder.status).toBe(2);
    expect(folder.stderr.split('\n')[0]).toBe('dicom-tools tui: /nonexistent/folder is not a folder');
  });

  it('with no arguments and no terminal, prints the usage (which lists tui) and exits 2', () => {
    const result = runCli([]);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/\n {2}tui +open the terminal UI: pick files, set options, anonymize, review, save ZIP and mapping\n/);
  });
});
