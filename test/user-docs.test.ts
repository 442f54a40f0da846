import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES, STANDARD_OPTION_NAMES } from '../src/deid/standard-options.js';

// The files a user reads before running anything — .env.example and the systemd unit — must say
// what the program does: every setting it reads, every preset and option it takes, a manual that exists.

const repo = fileURLToPath(new URL('..', import.meta.url));
const read = (relative: string) => readFileSync(path.join(repo, relative), 'utf8');

describe('.env.example', () => {
  const example = read('.env.example');

  it('names every DICOM_* setting that dicom-tools reads', () => {
    const known = new Set(read('src/config/config.ts').match(/'DICOM_[A-Z_]+'/g)?.map((quoted) => quoted.slice(1, -1)));
    const missing = [...known].filter((variable) => !example.includes(variable));
    expect(missing).toEqual([]);
  });

  it('names every preset and every standard option, and calls no preset the only one', () => {
    const missing = [...PROFILE_NAMES, ...STANDARD_OPTION_NAMES].filter((name) => !new RegExp(`\\b${name}\\b`).test(example));
    expect(missing).toEqual([]);
    expect(example).not.toMatch(/only preset/);
  });
});

describe('the systemd unit', () => {
  const unit = read('daemon/dicom-tools-watch.service');

  it('points its Documentation= at the README inside the folder its ExecStart runs from', () => {
    const documentation = unit.match(/^Documentation=(.+)$/m)?.[1];
    const execStart = unit.match(/^ExecStart=\S+ (\S+)/m)?.[1];
    expect(documentation).toBeDefined();
    expect(execStart).toBeDefined();
    const installed = path.dirname(path.dirname(path.dirname(execStart!)));
    expect(documentation).toBe(`file://${installed}/README.md`);
    // npm always packs the README, so `npm pack` and a copy of the clone both carry it.
    expect(read('README.md')).toMatch(/^# DICOM Tools/);
  });
});

describe('the README', () => {
  const readme = read('README.md');
  const sections = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1]);

  it('puts Troubleshooting where a user in trouble looks, before Performance', () => {
    expect(sections.indexOf('Troubleshooting')).toBeGreaterThan(0);
    expect(sections.indexOf('Troubleshooting')).toBeLessThan(sections.indexOf('Performance'));
  });

  it('says how to run dicom-tools outside the clone, and that it is not on the public registry', () => {
    const install = readme.slice(readme.indexOf('## Install and the two commands'), readme.indexOf('## Command line'));
    expect(install).toContain('npm install -g .');
    expect(install).toContain('npm pack');
    expect(install).toMatch(/not published on the public npm registry/);
  });
});
