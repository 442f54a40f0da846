import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processUploadGroup, type UploadOutcome } from '../daemon/process-upload.js';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { isTemporary } from '../src/io/temporary-name.js';
import { corpusDir } from './helpers/corpus.js';
import { makeInstances } from './helpers/daemon-process.js';
import { openUploadContext } from './helpers/upload-context.js';

// A group de-identifies all its files before it names any (issue 21: the workers do the first
// part); a store that fails while the group hands its outputs on must leave no temporary file of
// any of them behind, those not yet handed on included.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-group-failure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ELE = path.join(corpusDir, 'dcmqats_1_ELE.dcm');

function group(files: readonly string[]): () => string | undefined {
  const queue = [...files];
  return () => queue.shift();
}

describe('a group whose store fails after its files were de-identified', () => {
  it('discards the outputs of every file, also those after the one that met the failure', async () => {
    const sources = path.join(root, 'Sources');
    await makeInstances(ELE, sources, 1, 'FIRST');
    const keys = new Pseudonymizer(Buffer.from('the group failure test secret....', 'utf8'));
    const opened = await openUploadContext({ dataDir: path.join(root, 'data'), mappingUrl: undefined }, sources, DEFAULT_OPTIONS, keys);
    // One of our outputs, recorded: a later group must ask the store whether it is ours.
    const done = await processUploadGroup(group([path.join(sources, 'FIRST1')]), opened.context, new Set(), { files: 10, bytes: 1 << 30 });
    const outcome = done.outcomes.get(path.join(sources, 'FIRST1')) as UploadOutcome;
    expect(outcome.kind).toBe('anonymized');
    const output = outcome.kind === 'anonymized' ? outcome.output : '';
    await makeInstances(ELE, sources, 3, 'NEXT');
    // The store goes away: the question about the output (the group's first file) fails.
    await opened.close();
    const files = [output, ...['NEXT1', 'NEXT2', 'NEXT3'].map((name) => path.join(sources, name))];
    const failed = await processUploadGroup(group(files), opened.context, new Set(), { files: 10, bytes: 1 << 30 }).then(
      (result) => result.storeError?.message ?? 'no store error',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(failed).not.toBe('no store error');
    expect(readdirSync(sources).filter(isTemporary)).toEqual([]);
    expect(readdirSync(sources).sort()).toEqual([path.basename(output), 'NEXT1', 'NEXT2', 'NEXT3'].sort());
  });
});
