import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closestMatch } from '../src/cli/closest-match.js';
import { corpusDir } from './helpers/corpus.js';
import { runCli } from './helpers/run-cli.js';

// Usage errors: the one line that matters, the closest flag or command, and where the help is; never
// the whole usage. Configuration errors exit 2 like them (README: "2 usage error").
const root = mkdtempSync(path.join(tmpdir(), 'dicom-usage-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sample = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'usage errors test secret', DICOM_MAPPING_URL: '' };

function run(args: readonly string[], extra: NodeJS.ProcessEnv = {}) {
  const result = runCli(args, { env: { ...env, ...extra } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('closestMatch', () => {
  it('names the nearest candidate within half the word, and nothing for a word far from all', () => {
    expect(closestMatch('--output', ['--out', '--zip', '--mapping'])).toBe('--out');
    expect(closestMatch('anonymise', ['anonymize', 'verify', 'mapping'])).toBe('anonymize');
    expect(closestMatch('--keep-uid', ['--keep-uids', '--keep-study'])).toBe('--keep-uids');
    expect(closestMatch('--mpaping', ['--mapping', '--mapping-url'])).toBe('--mapping');
    expect(closestMatch('frobnicate', ['anonymize', 'verify', 'mapping', 'watch', 'status', 'tui', 'inspect', 'dump'])).toBeUndefined();
    expect(closestMatch('--force', ['--out', '--zip'])).toBeUndefined();
  });
});

describe('usage errors of the built program', () => {
  it('an unknown flag: the error, the closest flag, the pointer to --help, exit 2', () => {
    expect(run(['anonymize', sample, '--output', path.join(root, 'out')])).toEqual({
      status: 2,
      stdout: '',
      stderr: "dicom-tools anonymize: unknown option --output (did you mean --out?)\nSee 'dicom-tools anonymize --help'.\n",
    });
    expect(run(['verify', root, '--agianst', root])).toEqual({
      status: 2,
      stdout: '',
      stderr: "dicom-tools verify: unknown option --agianst (did you mean --against?)\nSee 'dicom-tools verify --help'.\n",
    });
    expect(run(['status', '--jsn']).stderr).toBe("dicom-tools status: unknown option --jsn (did you mean --json?)\nSee 'dicom-tools status --help'.\n");
    expect(run(['inspect', sample, '--frobnicate']).stderr).toBe("dicom-tools inspect: unknown option --frobnicate\nSee 'dicom-tools inspect --help'.\n");
    expect(run(['watch', '--log-fromat', 'json']).stderr).toBe("dicom-tools watch: unknown option --log-fromat (did you mean --log-format?)\nSee 'dicom-tools watch --help'.\n");
    expect(run(['tui', '--lnag', 'de'])).toEqual({ status: 2, stdout: '', stderr: "dicom-tools tui: unknown option --lnag (did you mean --lang?)\nSee 'dicom-tools tui --help'.\n" });
  });

  it('an unknown command or mapping action: the closest one, exit 2', () => {
    expect(run(['anonymise', sample])).toEqual({ status: 2, stdout: '', stderr: "dicom-tools: unknown command 'anonymise' (did you mean anonymize?)\nSee 'dicom-tools --help'.\n" });
    expect(run(['frobnicate'])).toEqual({ status: 2, stdout: '', stderr: "dicom-tools: unknown command 'frobnicate'\nSee 'dicom-tools --help'.\n" });
    expect(run(['mapping', 'exprot', '--out', path.join(root, 'm.csv')])).toEqual({
      status: 2,
      stdout: '',
      stderr: "dicom-tools mapping: mapping needs 'export' or 'batches', not 'exprot' (did you mean export?)\nSee 'dicom-tools mapping --help'.\n",
    });
  });

  it('other usage errors: the message and the pointer, without the help text', () => {
    expect(run(['anonymize', sample, '--out', path.join(root, 'out'), '--keep-dates', '--shift-dates'])).toEqual({
      status: 2,
      stdout: '',
      stderr: "dicom-tools anonymize: --keep-dates and --shift-dates exclude each other\nSee 'dicom-tools anonymize --help'.\n",
    });
    expect(run(['anonymize', sample, '--out'])).toEqual({
      status: 2,
      stdout: '',
      stderr: "dicom-tools anonymize: Option '-o, --out <value>' argument missing\nSee 'dicom-tools anonymize --help'.\n",
    });
    expect(run(['tui', root])).toEqual({ status: 2, stdout: '', stderr: "dicom-tools tui: needs a terminal (stdin and stdout must both be one)\nSee 'dicom-tools tui --help'.\n" });
  });

  it('configuration errors exit 2 with their message alone, never the value of a secret', () => {
    const short = run(['anonymize', sample, '--out', path.join(root, 'out')], { DICOM_ANON_SECRET: 'short-secret' });
    expect(short).toEqual({
      status: 2,
      stdout: '',
      stderr: 'dicom-tools anonymize: DICOM_ANON_SECRET is too short: use at least 16 characters (for example the output of: openssl rand -hex 32)\n',
    });
    expect(run(['verify', root], { DICOM_DATES: 'sometimes' })).toEqual({
      status: 2,
      stdout: '',
      stderr: 'dicom-tools verify: DICOM_DATES must be one of clear, keep, shift, not "sometimes"\n',
    });
    expect(run(['status'], { DICOM_WATCH_POLL_MS: '0' })).toEqual({
      status: 2,
      stdout: '',
      stderr: 'dicom-tools status: DICOM_WATCH_POLL_MS must be a whole number from 1 to 86400000, not "0"\n',
    });
  });
});
