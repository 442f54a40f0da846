import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeExportFile } from '../src/export/export-file.js';
import { discardOutputs } from '../src/io/atomic-file.js';
import { writeTemporaryOutput } from '../src/io/atomic-output.js';
import { LoadedRegions } from '../src/io/loaded-regions.js';
import { isTemporary, temporaryPathFor } from '../src/io/temporary-name.js';

// Our temporary files are skipped wherever inputs are listed (CLI, TUI, daemon): the name each
// writer makes must be recognised, an ordinary name must not, and neither may a leftover of an
// older version, whose 12 hex digits were random.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-temporary-name-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('our temporary file names', () => {
  it('are made beside the target, hidden, different each time, and recognised', () => {
    const target = path.join(root, 'sub folder', 'IM 1.2.840.dcm');
    const first = temporaryPathFor(target);
    const second = temporaryPathFor(target);
    expect(path.dirname(first)).toBe(path.dirname(target));
    expect(path.basename(first)).toMatch(/^\.IM 1\.2\.840\.dcm\.[0-9a-f]{12}\.tmp$/);
    expect(second).not.toBe(first);
    expect(isTemporary(path.basename(first))).toBe(true);
    expect(isTemporary(path.basename(second))).toBe(true);
  });

  it('are recognised as the DICOM writer leaves them on disk', () => {
    const target = path.join(root, 'IM1.dcm');
    const pending = writeTemporaryOutput({ path: target, size: 0, fileBytes: new LoadedRegions([]) }, [{ kind: 'bytes', bytes: Buffer.from('DICM') }], target);
    try {
      expect(readdirSync(root)).toEqual([path.basename(pending.temporary)]);
      expect(isTemporary(path.basename(pending.temporary))).toBe(true);
    } finally {
      discardOutputs([pending]);
    }
  });

  it('are recognised as the export writer leaves them on disk while it writes', async () => {
    const folder = mkdtempSync(path.join(root, 'export-'));
    let during: string[] = [];
    await writeExportFile(path.join(folder, 'mapping.csv'), 0o600, async () => {
      during = readdirSync(folder);
    });
    expect(during).toHaveLength(1);
    expect(during.every(isTemporary)).toBe(true);
    expect(readdirSync(folder)).toEqual(['mapping.csv']);
  });

  it('recognise leftovers of older versions (12 random hex digits)', () => {
    for (const name of ['.IM3.dcm.0123456789ab.tmp', '.mapping.csv.9f86d081884c.tmp', '.secret.key.e3b0c44298fc.tmp', '.export.zip.000000000000.tmp']) {
      expect(isTemporary(name), name).toBe(true);
    }
  });

  it('do not match ordinary names, nor near misses', () => {
    const names = [
      'IM1',
      'IM1.dcm',
      '.hidden',
      'notes.tmp',
      '.IM1.dcm.tmp',
      'IM1.dcm.0123456789ab.tmp',
      '.IM1.dcm.0123456789AB.tmp',
      '.IM1.dcm.0123456789a.tmp',
      '.IM1.dcm.0123456789abc.tmp',
      '.IM1.dcm.0123456789ab.tmp.dcm',
      '..0123456789ab.tmp',
    ];
    for (const name of names) expect(isTemporary(name), name).toBe(false);
  });
});
