import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quarantine } from '../daemon/quarantine.js';

// The quarantine move: the reason first and whole, then the file; across file systems a copy
// under a temporary name; nothing left behind when the move fails.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-quarantine-'));
const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/dicom-quarantine-') : undefined;
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (shm) rmSync(shm, { recursive: true, force: true });
});

describe('quarantine', () => {
  it('moves the file beside its reason (0600), the upload id and problem in it', async () => {
    const file = path.join(root, 'upload.dcm');
    writeFileSync(file, 'not dicom');
    const folder = path.join(root, 'q1');
    const target = await quarantine(file, 'u-0000abcd', 'Malformed DICOM: something', folder);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('not dicom');
    const reason = readFileSync(`${target}.reason.txt`, 'utf8');
    expect(reason).toMatch(/^upload: u-0000abcd\nfile: .*upload\.dcm\ntime: .+\nproblem: Malformed DICOM: something\n$/);
    expect(statSync(`${target}.reason.txt`).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder).sort()).toEqual([path.basename(target), `${path.basename(target)}.reason.txt`].sort());
  });

  it('leaves no reason behind when the file cannot be moved', async () => {
    const folder = path.join(root, 'q2');
    await expect(quarantine(path.join(root, 'gone.dcm'), 'u-1', 'x', folder)).rejects.toThrow(/ENOENT/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it.skipIf(shm === undefined || statSync('/dev/shm').dev === statSync(root).dev)('copies across file systems under a temporary name, then removes the original', async () => {
    const file = path.join(shm as string, 'upload.dcm');
    writeFileSync(file, Buffer.alloc(1 << 20, 7));
    const folder = path.join(root, 'q3');
    const target = await quarantine(file, 'u-2', 'x', folder);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(target).equals(Buffer.alloc(1 << 20, 7))).toBe(true);
    expect(readdirSync(folder).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
