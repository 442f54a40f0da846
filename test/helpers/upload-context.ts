import { JournalMirror } from '../../daemon/journal-mirror.js';
import { uploadPool, type UploadContext } from '../../daemon/process-upload.js';
import { UploadNames } from '../../daemon/upload-names.js';
import type { DeidOptions } from '../../src/deid/options.js';
import type { Pseudonymizer } from '../../src/deid/pseudonyms.js';
import type { SubjectIds } from '../../src/deid/subject-ids.js';
import { batchStart, runOptions } from '../../src/pipeline/run-options.js';
import type { MappingStore } from '../../src/store/mapping-store.js';
import { openMappingStore, openUploadStore, type MappingStoreConfig } from '../../src/store/open-mapping-store.js';
import type { UploadStore } from '../../src/store/upload-store.js';

/** A daemon's store and context for one Sources folder, as `dicom-tools watch` builds them, plus a reader of the same store. */
export interface UploadTestContext {
  readonly store: UploadStore;
  readonly context: UploadContext;
  /** The same store as the CLI reads it: records, pairs. */
  readonly reader: MappingStore;
  readonly batchId: string;
  close(): Promise<void>;
}

/** Opens the store of `config` (SQLite in dataDir, or PostgreSQL at mappingUrl) as node `node`'s daemon on `sourcesDir`, with a batch started. */
export async function openUploadContext(
  config: MappingStoreConfig,
  sourcesDir: string,
  options: DeidOptions,
  keys: Pseudonymizer,
  node = 'test-node',
  subjectIds?: SubjectIds,
): Promise<UploadTestContext> {
  const store = await openUploadStore(config, { node, sourcesDir });
  // As `dicom-tools watch` builds them: the subject-ID mark in the options and the batch's row.
  const run = runOptions(options, { subjectIds });
  const batchId = await store.startBatch(batchStart('daemon', run));
  const journal = new JournalMirror(store);
  await journal.load();
  const reader = await openMappingStore(config);
  return {
    store,
    context: { run, keys, store, journal, batchId, names: new UploadNames(sourcesDir, keys, 'show'), pool: uploadPool(run, batchId, keys) },
    reader,
    batchId,
    async close() {
      await reader.close();
      await store.close();
    },
  };
}
