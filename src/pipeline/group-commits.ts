import { DicomError } from '../dicom/errors.js';
import { commitOutputs, discardOutputs, withdrawOutputs } from '../io/atomic-file.js';
import { FileIoError } from '../io/file-io-error.js';
import type { MappingRecord } from '../store/mapping-record.js';
import type { WrittenOutput } from './deidentify-file.js';
import type { FileResult } from './file-result.js';
import type { OutputNames } from './output-names.js';

/**
 * A group is committed at whichever comes first. Each commit flushes the file system once; groups
 * this size keep that to a few per second, and the time bound keeps progress and the mapping moving.
 */
const COMMIT_FILES = 4096;
const COMMIT_BYTES = 256 << 20;
const COMMIT_AFTER_MS = 500;

export interface GroupSink {
  readonly names: OutputNames;
  /** Reports the file at `index` of the batch as finished. */
  readonly report: (index: number, result: FileResult) => void;
  /** Records a group's mapping (one store transaction); a promise it returns is awaited before the outputs count as done. */
  readonly record?: ((records: readonly MappingRecord[]) => unknown) | undefined;
}

interface Uncommitted {
  readonly index: number;
  readonly written: WrittenOutput;
}

/**
 * A batch's outputs, committed in groups: flushed together, then renamed into place, recorded and
 * reported, while the workers go on de-identifying the next files. One flush per group instead of
 * one per file is most of what makes a batch run near copy speed. A store that fails stops the
 * batch (`signal`), and no output it cannot record is kept.
 */
export class GroupCommits {
  #group: Uncommitted[] = [];
  #bytes = 0;
  #started = 0;
  #committed: Promise<void> = Promise.resolve();
  #failure: unknown;
  readonly #stop = new AbortController();

  constructor(private readonly sink: GroupSink) {}

  /** Aborted when the mapping store failed: the batch takes no more files. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Adds an output, named already (placedAt), to the group; a full group is committed. */
  add(index: number, written: WrittenOutput): void {
    if (this.#group.length === 0) this.#started = Date.now();
    this.#group.push({ index, written });
    this.#bytes += written.bytes;
    if (this.#group.length >= COMMIT_FILES || this.#bytes >= COMMIT_BYTES || Date.now() - this.#started >= COMMIT_AFTER_MS) void this.flush();
  }

  /** Commits the group so far; resolves when every group handed over is done. */
  flush(): Promise<void> {
    const batch = this.#group;
    this.#group = [];
    this.#bytes = 0;
    if (batch.length > 0) {
      this.#committed = this.#committed.then(() => this.commit(batch)).catch((error: unknown) => {
        this.#failure ??= error;
        this.#stop.abort();
      });
    }
    return this.#committed;
  }

  /** Throws the mapping store's error, if it failed. */
  throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  private async commit(batch: readonly Uncommitted[]): Promise<void> {
    const pending = batch.map((item) => item.written.pending);
    if (this.#failure !== undefined) {
      discardOutputs(pending);
      return;
    }
    try {
      await commitOutputs(pending, 'file-system');
    } catch (error) {
      const reason = error instanceof DicomError || error instanceof FileIoError ? error.message : String(error);
      for (const { index, written } of batch) {
        this.sink.names.release(written.pending.target);
        this.sink.report(index, { input: written.result.input, status: 'failed', code: 'IO', reason: `${written.result.input}: ${reason}` });
      }
      return;
    }
    try {
      await this.sink.record?.(batch.map((item) => item.written.record));
    } catch (error) {
      withdrawOutputs(pending);
      throw error;
    }
    for (const { index, written } of batch) this.sink.report(index, { ...written.result, output: written.pending.target });
  }
}
