import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../daemon/logger.js';
import { recoverJournal } from '../daemon/recover-journal.js';
import { DEFAULT_OPTIONS, MappingStore, Pseudonymizer, UploadJournal, mappingRecordFor, planDeidentification, readDicomFile, writeDicomFile } from '../src/index.js';
import { corpusDir } from './helpers/corpus.js';
import { filesBelow } from './helpers/daemon-process.js';

// Each point where a crash can interrupt an upload, staged exactly, then recovered.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-recovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('recovery test secret, 0123456789', 'utf8'));
const silent = createLogger('text', { write: () => true } as unknown as NodeJS.WritableStream, { write: () => true } as unknown as NodeJS.WritableStream, false);

async function stage(name: string) {
  const sources = path.join(root, name);
  mkdirSync(sources, { recursive: true });
  const original = path.join(sources, 'IM1');
  copyFileSync(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), original);
  const store = MappingStore.open(path.join(root, `${name}-data`));
  const batchId = store.startBatch({ source: 'daemon', options: DEFAULT_OPTIONS, profile: 'test' });
  const context = { options: DEFAULT_OPTIONS, keys, store, batchId };
  const plan = planDeidentification(readDicomFile(original), DEFAULT_OPTIONS, keys);
  const output = path.join(sources, `${plan.sopInstanceUid}.dcm`);
  const writeOutput = () => writeDicomFile(readDicomFile(original), plan.edits, output, { zeroPreamble: true, metaEdits: plan.metaEdits });
  return { sources, original, output, store, context, plan, writeOutput, batchId };
}

describe('recovering the journal after a crash', () => {
  it('crash after journaling, before the output existed: forgets the entry, removes our temporary file, keeps the original', async () => {
    const { sources, original, output, store, context } = await stage('before-write');
    UploadJournal.of(store).begin([{ originalPath: original, outputPath: output }]);
    writeFileSync(path.join(sources, `.${path.basename(output)}.0123456789ab.tmp`), 'half written');
    expect(await recoverJournal(sources, context, silent)).toBe(1);
    expect(filesBelow(sources)).toEqual(['IM1']);
    expect(UploadJournal.of(store).entries()).toEqual([]);
    expect(store.records()).toEqual([]);
    store.close();
  });

  it('crash after the output was renamed into place, before the mapping: records it once and removes the original', async () => {
    const { sources, original, output, store, context, writeOutput, plan, batchId } = await stage('after-write');
    UploadJournal.of(store).begin([{ originalPath: original, outputPath: output }]);
    await writeOutput();
    expect(await recoverJournal(sources, context, silent)).toBe(1);
    expect(filesBelow(sources)).toEqual([path.basename(output)]);
    expect(store.records().map((record) => [record.originalFilename, record.anonymizedFilename])).toEqual([[original, path.basename(output)]]);
    // The lists and UID pairs too, as the plan of the original gives them.
    expect(store.records()[0]).toMatchObject({ tagsAnonymized: plan.tagsAnonymized, uidsRegenerated: plan.uidsRegenerated });
    expect(plan.uidPairs.length).toBeGreaterThan(3);
    expect(store.uidPairs({ batchId })).toEqual(plan.uidPairs);
    expect(UploadJournal.of(store).entries()).toEqual([]);
    store.close();
  });

  it('crash after the mapping, before the original was removed: removes it without recording again', async () => {
    const { sources, original, output, store, context, writeOutput, plan, batchId } = await stage('after-record');
    UploadJournal.of(store).begin([{ originalPath: original, outputPath: output }]);
    await writeOutput();
    UploadJournal.of(store).written([{ originalPath: original, record: mappingRecordFor(original, output, plan, batchId) }]);
    expect(await recoverJournal(sources, context, silent)).toBe(1);
    expect(filesBelow(sources)).toEqual([path.basename(output)]);
    expect(store.records()).toHaveLength(1);
    store.close();
  });

  it('crash after the original was removed, before the entry was finished: just finishes it', async () => {
    const { sources, original, output, store, context, writeOutput, plan, batchId } = await stage('after-remove');
    UploadJournal.of(store).begin([{ originalPath: original, outputPath: output }]);
    await writeOutput();
    UploadJournal.of(store).written([{ originalPath: original, record: mappingRecordFor(original, output, plan, batchId) }]);
    rmSync(original);
    expect(await recoverJournal(sources, context, silent)).toBe(1);
    expect(existsSync(output)).toBe(true);
    expect(store.records()).toHaveLength(1);
    expect(UploadJournal.of(store).entries()).toEqual([]);
    store.close();
  });
});
