import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileIdentity } from '../daemon/file-identity.js';
import { createLogger } from '../daemon/logger.js';
import { recoverJournal } from '../daemon/recover-journal.js';
import { asideName } from '../daemon/remove-if-same.js';
import { loadSubjectIds } from '../src/config/subject-id-list.js';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { planDeidentification } from '../src/deid/plan-deid.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import type { SubjectIds } from '../src/deid/subject-ids.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { mappingRecordFor } from '../src/pipeline/mapping-record-for.js';
import type { MappingStoreConfig } from '../src/store/open-mapping-store.js';
import { corpusDir } from './helpers/corpus.js';
import { filesBelow } from './helpers/daemon-process.js';
import { postgresAvailable, usePostgres } from './helpers/postgres-server.js';
import { openUploadContext, type UploadTestContext } from './helpers/upload-context.js';

// Each point where a crash can interrupt an upload, staged exactly, then recovered: on the SQLite
// store, and on a PostgreSQL store shared with another node whose entries must stay untouched.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-recovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('recovery test secret, 0123456789', 'utf8'));
const silent = createLogger('text', { write: () => true } as unknown as NodeJS.WritableStream, { write: () => true } as unknown as NodeJS.WritableStream, false);

const withPostgres = postgresAvailable();
const database = withPostgres ? usePostgres() : undefined;

const stores: readonly (readonly [name: string, config: (name: string) => Promise<MappingStoreConfig>])[] = [
  ['SQLite', async (name) => ({ dataDir: path.join(root, `${name}-data`), mappingUrl: undefined })],
  ...(database === undefined ? [] : [['PostgreSQL', async (name: string) => ({ dataDir: path.join(root, `${name}-data`), mappingUrl: await database.fresh() })] as const]),
];

describe.each(stores)('recovering the journal after a crash (%s)', (storeName, configOf) => {
  async function stage(name: string, subjectIds?: SubjectIds) {
    const sources = path.join(root, `${storeName}-${name}`);
    mkdirSync(sources, { recursive: true });
    const original = path.join(sources, 'IM1');
    copyFileSync(path.join(corpusDir, 'dcmqats_1_ELE.dcm'), original);
    const config = await configOf(`${storeName}-${name}`);
    const own = await openUploadContext(config, sources, DEFAULT_OPTIONS, keys, 'test-node', subjectIds);
    // Other daemons' unfinished work in the same store: a second Sources folder of this server, and
    // (a shared server only) the same folder's path on another node. Recovery leaves them alone.
    const neighbours = [
      { folder: `${sources}-2`, node: 'test-node' },
      ...(config.mappingUrl === undefined ? [] : [{ folder: sources, node: 'other-node' }]),
    ];
    const opened: UploadTestContext[] = [];
    for (const { folder, node } of neighbours) {
      const neighbour = await openUploadContext(config, folder, DEFAULT_OPTIONS, keys, node);
      await neighbour.context.journal.begin([{ originalPath: path.join(folder, 'IM9'), outputPath: path.join(folder, `${node}.dcm`) }]);
      opened.push(neighbour);
    }
    const plan = planDeidentification(readDicomFile(original), DEFAULT_OPTIONS, keys, subjectIds);
    const output = path.join(sources, `${plan.sopInstanceUid}.dcm`);
    const writeOutput = () => writeDicomFile(readDicomFile(original), plan.edits, output, { zeroPreamble: true, metaEdits: plan.metaEdits });
    const { context, reader, batchId } = own;
    const journal = context.journal;
    const recover = async () => {
      await journal.load();
      return recoverJournal(sources, context, silent);
    };
    const close = async () => {
      // The neighbours' entries are as they were.
      for (const neighbour of opened) {
        expect(await neighbour.store.journalEntries()).toHaveLength(1);
        await neighbour.close();
      }
      await own.close();
    };
    // As the daemon journals it: with the identity of the file it read.
    const begin = () => journal.begin([{ originalPath: original, outputPath: output, originalIdentity: fileIdentity(original) }]);
    return { sources, original, output, journal, reader, recover, plan, writeOutput, batchId, close, begin };
  }

  /** Another upload under the original's name: different content, a new file. */
  const replaceOriginal = (original: string) => {
    rmSync(original, { force: true });
    copyFileSync(path.join(corpusDir, 'fodicom_GH223.dcm'), original);
  };

  it('crash after journaling, before the output existed: forgets the entry, removes our temporary file, keeps the original', async () => {
    const { sources, original, output, journal, reader, recover, close } = await stage('before-write');
    await journal.begin([{ originalPath: original, outputPath: output }]);
    writeFileSync(path.join(sources, `.${path.basename(output)}.0123456789ab.tmp`), 'half written');
    expect(await recover()).toBe(1);
    expect(filesBelow(sources)).toEqual(['IM1']);
    await journal.load();
    expect(journal.entries()).toEqual([]);
    expect(await reader.records()).toEqual([]);
    await close();
  });

  it('crash after the output was renamed into place, before the mapping: records it once and removes the original', async () => {
    const { sources, original, output, journal, reader, recover, writeOutput, plan, batchId, close } = await stage('after-write');
    await journal.begin([{ originalPath: original, outputPath: output }]);
    await writeOutput();
    expect(await recover()).toBe(1);
    expect(filesBelow(sources)).toEqual([path.basename(output)]);
    const records = await reader.records();
    expect(records.map((record) => [record.originalFilename, record.anonymizedFilename])).toEqual([[original, path.basename(output)]]);
    // The lists and UID pairs too, as the plan of the original gives them.
    expect(records[0]).toMatchObject({ tagsAnonymized: plan.tagsAnonymized, uidsRegenerated: plan.uidsRegenerated });
    expect(plan.uidPairs.length).toBeGreaterThan(3);
    expect(await reader.uidPairs({ batchId })).toEqual(plan.uidPairs);
    await journal.load();
    expect(journal.entries()).toEqual([]);
    await close();
  });

  it('crash after the output was renamed into place, with pre-assigned subject IDs: the record has the subject ID the output holds', async () => {
    const list = path.join(root, `${storeName}-subjects.csv`);
    const patientId = textAt(readDicomFile(path.join(corpusDir, 'dcmqats_1_ELE.dcm')), [], 0x00100020)[0] ?? '';
    writeFileSync(list, `Original Patient ID,Subject ID\n${patientId},STUDY-0042\n`);
    const { output, journal, reader, recover, writeOutput, begin, close } = await stage('subject-ids', loadSubjectIds(list, 'refuse'));
    await begin();
    await writeOutput();
    expect(textAt(readDicomFile(output), [], 0x00100020)).toEqual(['STUDY-0042']);
    expect(await recover()).toBe(1);
    expect((await reader.records()).map((record) => record.anonymizedPatientId)).toEqual(['STUDY-0042']);
    await journal.load();
    expect(journal.entries()).toEqual([]);
    await close();
  });

  it('crash after the mapping, before the original was removed: removes it without recording again', async () => {
    const { sources, original, output, journal, reader, recover, writeOutput, plan, batchId, close } = await stage('after-record');
    await journal.begin([{ originalPath: original, outputPath: output }]);
    await writeOutput();
    await journal.written([{ originalPath: original, record: mappingRecordFor(original, output, plan, batchId) }]);
    expect(await recover()).toBe(1);
    expect(filesBelow(sources)).toEqual([path.basename(output)]);
    expect(await reader.records()).toHaveLength(1);
    await close();
  });

  it('crash after the original was removed, before the entry was finished: just finishes it', async () => {
    const { original, output, journal, reader, recover, writeOutput, plan, batchId, close } = await stage('after-remove');
    await journal.begin([{ originalPath: original, outputPath: output }]);
    await writeOutput();
    await journal.written([{ originalPath: original, record: mappingRecordFor(original, output, plan, batchId) }]);
    rmSync(original);
    expect(await recover()).toBe(1);
    expect(existsSync(output)).toBe(true);
    expect(await reader.records()).toHaveLength(1);
    await journal.load();
    expect(journal.entries()).toEqual([]);
    await close();
  });

  it('crash after the original was removed, then a new upload under its name: the new one stays, to be taken as an upload', async () => {
    const { sources, original, output, journal, reader, recover, writeOutput, plan, batchId, begin, close } = await stage('replaced-after-remove');
    await begin();
    await writeOutput();
    await journal.written([{ originalPath: original, record: mappingRecordFor(original, output, plan, batchId) }]);
    replaceOriginal(original);
    expect(await recover()).toBe(1);
    expect(filesBelow(sources)).toEqual([path.basename(output), 'IM1'].sort());
    expect(readFileSync(original).equals(readFileSync(path.join(corpusDir, 'fodicom_GH223.dcm')))).toBe(true);
    expect(await reader.records()).toHaveLength(1);
    await journal.load();
    expect(journal.entries()).toEqual([]);
    await close();
  });

  it('crash while removing the original, once it was set aside to be checked: removes it', async () => {
    const { sources, original, output, journal, reader, recover, writeOutput, plan, batchId, begin, close } = await stage('set-aside');
    await begin();
    await writeOutput();
    await journal.written([{ originalPath: original, record: mappingRecordFor(original, output, plan, batchId) }]);
    renameSync(original, asideName(original));
    expect(await recover()).toBe(1);
    expect(filesBelow(sources)).toEqual([path.basename(output)]);
    expect(await reader.records()).toHaveLength(1);
    await journal.load();
    expect(journal.entries()).toEqual([]);
    await close();
  });

  it('crash while removing the original, when what was set aside is a new upload renamed over it: puts the new one back', async () => {
    const { sources, original, output, journal, reader, recover, writeOutput, plan, batchId, begin, close } = await stage('set-aside-replaced');
    await begin();
    await writeOutput();
    await journal.written([{ originalPath: original, record: mappingRecordFor(original, output, plan, batchId) }]);
    replaceOriginal(original);
    renameSync(original, asideName(original));
    expect(await recover()).toBe(1);
    expect(filesBelow(sources)).toEqual([path.basename(output), 'IM1'].sort());
    expect(readFileSync(original).equals(readFileSync(path.join(corpusDir, 'fodicom_GH223.dcm')))).toBe(true);
    expect(await reader.records()).toHaveLength(1);
    await close();
  });

  it('crash after the output was renamed into place, then the original overwritten: nothing recorded from the new file, which stays', async () => {
    const { sources, original, output, journal, reader, recover, writeOutput, begin, close } = await stage('replaced-after-write');
    await begin();
    await writeOutput();
    replaceOriginal(original);
    expect(await recover()).toBe(1);
    expect(filesBelow(sources)).toEqual([path.basename(output), 'IM1'].sort());
    expect(await reader.records()).toEqual([]);
    await journal.load();
    expect(journal.entries()).toEqual([]);
    await close();
  });

  it('an answer lost after the mapping was committed: recording the same uploads again adds nothing', async () => {
    const { original, output, journal, reader, writeOutput, plan, batchId, close } = await stage('lost-answer');
    await journal.begin([{ originalPath: original, outputPath: output }]);
    await writeOutput();
    const written = [{ originalPath: original, record: mappingRecordFor(original, output, plan, batchId) }];
    await journal.written(written);
    await journal.written(written);
    expect(await reader.records()).toHaveLength(1);
    await journal.load();
    expect(journal.entries()).toEqual([{ originalPath: original, outputPath: output, state: 'written' }]);
    await close();
  });
});
