import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectInputs } from '../src/io/collect-inputs.js';

const root = mkdtempSync(path.join(tmpdir(), 'dicom-inputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('listing the inputs of a batch', () => {
  const study = path.join(root, 'study');
  const outside = path.join(root, 'outside');
  mkdirSync(path.join(study, 'series2'), { recursive: true });
  mkdirSync(path.join(study, 'out'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  for (const name of ['IM2', 'IM10', 'IM1', 'series2/IM1']) writeFileSync(path.join(study, name), 'x');
  writeFileSync(path.join(study, '.IM3.dcm.0123456789ab.tmp'), 'a temporary file of ours');
  writeFileSync(path.join(study, 'out', 'old.dcm'), 'an earlier output');
  writeFileSync(path.join(outside, 'IM9'), 'x');
  symlinkSync(path.join(outside, 'IM9'), path.join(study, 'link-to-file'));
  symlinkSync(outside, path.join(study, 'link-to-folder'));

  it('walks folders in name order, follows links to files only, and leaves out temporaries and the output folder', () => {
    const { files, missing } = collectInputs([study, path.join(root, 'gone')], [path.join(study, 'out')]);
    expect(files.map((file) => path.relative(study, file.path))).toEqual(['IM1', 'IM10', 'IM2', 'link-to-file', 'series2/IM1']);
    expect(files.every((file) => !file.named)).toBe(true);
    expect(missing).toEqual([path.join(root, 'gone')]);
  });

  it('takes a named file as named, and each file once', () => {
    const named = path.join(study, 'IM1');
    const { files } = collectInputs([named, study]);
    expect(files.filter((file) => file.path === named)).toEqual([{ path: named, named: true, root: 0 }]);
    expect(files).toHaveLength(6);
  });
});
