import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileOnce, writeFileAtomically, writeSmallFileAtomically } from '../src/io/atomic-file.js';
import { isTemporary } from '../src/io/temporary-name.js';

// The one atomic writer (io/atomic-file.ts) that the DICOM writer, the exports, the secret key and
// the daemon's status record share: what it leaves behind, and what it never replaces.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-atomic-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const folder = () => mkdtempSync(path.join(root, 'case-'));

describe('the atomic writer', () => {
  it('fills a recognised temporary file, then replaces the target with it, in exactly the mode asked for', async () => {
    const dir = folder();
    const target = path.join(dir, 'export.zip');
    writeFileSync(target, 'old');
    let during: string[] = [];
    await writeFileAtomically(target, { mode: 0o640, exactMode: true }, async (handle) => {
      during = readdirSync(dir).filter((name) => name !== 'export.zip');
      await handle.writeFile('new');
    });
    expect(during).toHaveLength(1);
    expect(during.every(isTemporary)).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['export.zip']);
  });

  it('with replace: false, leaves a file that is there alone and fails with EEXIST, leaving no temporary file', async () => {
    const dir = folder();
    const target = path.join(dir, 'mapping.csv');
    writeFileSync(target, 'theirs');
    await expect(writeFileAtomically(target, { mode: 0o600, replace: false }, (handle) => handle.writeFile('ours'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(target, 'utf8')).toBe('theirs');
    expect(readdirSync(dir)).toEqual(['mapping.csv']);
  });

  it('removes its temporary file when filling it fails, and throws what the filler threw', async () => {
    const dir = folder();
    const failure = new Error('the source went away');
    await expect(writeFileAtomically(path.join(dir, 'export.zip'), { mode: 0o644 }, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('replaces a small file synchronously, leaving no temporary file', () => {
    const dir = folder();
    const target = path.join(dir, 'status.json');
    writeSmallFileAtomically(target, 'first\n', { mode: 0o600, durable: false });
    writeSmallFileAtomically(target, 'second\n', { mode: 0o600, durable: true });
    expect(readFileSync(target, 'utf8')).toBe('second\n');
    expect(readdirSync(dir)).toEqual(['status.json']);
  });

  it('creates a file once: a second creation is told a file is there and keeps the first content', () => {
    const dir = folder();
    const target = path.join(dir, 'secret.key');
    expect(createFileOnce(target, 'first\n', 0o600)).toBe(true);
    expect(createFileOnce(target, 'second\n', 0o600)).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('first\n');
    expect(readdirSync(dir)).toEqual(['secret.key']);
  });
});
