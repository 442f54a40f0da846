import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { ExportError } from '../src/export/export-error.js';
import { createTuiDeps } from '../tui/tui-deps.js';

// The TUI's save step writes through its real dependencies, which check a target as the CLI does
// (replacing a file was confirmed on screen, so an existing regular file is fine).

const root = mkdtempSync(path.join(tmpdir(), 'dicom-tui-targets-'));
const data = path.join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the TUI save step', () => {
  const deps = createTuiDeps(loadConfig({ env: { DICOM_DATA_DIR: data, DICOM_ANON_SECRET: 'a secret for the tui target test, 0123456789' }, cwd: root }));

  it('refuses the data folder, a device and a missing folder, and leaves what is there', async () => {
    mkdirSync(data);
    const store = path.join(data, 'mapping.sqlite');
    writeFileSync(store, 'the store\n');
    await expect(deps.writeMappingCsv([], store)).rejects.toThrow(new ExportError(store, 'is inside the data folder (DICOM_DATA_DIR), which holds the mapping store and the secret'));
    expect(readFileSync(store, 'utf8')).toBe('the store\n');
    const device = path.join(root, 'device');
    symlinkSync('/dev/null', device);
    await expect(deps.writeZip([], device)).rejects.toThrow(`${device}: is not a regular file`);
    const missing = path.join(root, 'missing', 'x.zip');
    await expect(deps.writeZip([], missing)).rejects.toThrow(`${missing}: its folder does not exist`);
  });

  it('replaces an existing file the user confirmed', async () => {
    const earlier = path.join(root, 'mapping.csv');
    writeFileSync(earlier, 'earlier\n');
    await deps.writeMappingCsv([], earlier);
    expect(readFileSync(earlier, 'utf8')).toMatch(/^Original Filename,/);
  });
});
