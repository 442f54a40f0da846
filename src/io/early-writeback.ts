import { close, fdatasync, openSync } from 'node:fs';

/**
 * Hands the written part of a large file to the disk while the rest is still being written: the
 * kernel would otherwise hold it in memory until the final flush, and the disk would idle meanwhile.
 *
 * Each request is an fdatasync in the thread pool, on a descriptor of its own (the writer's may be
 * closed and its number reused while a request is queued). Errors are not reported here: the
 * writer's own final flush reports any write-back error since it opened the file.
 */
export class EarlyWriteback {
  private descriptor: number | undefined;
  private requests = 0;
  private finished = false;
  private sinceRequest = 0;
  private requested = false;

  constructor(
    private readonly file: string,
    private readonly everyBytes: number,
  ) {}

  /** Counts bytes written; every `everyBytes` of them, asks for what is written so far to go to disk. */
  wrote(bytes: number): void {
    this.sinceRequest += bytes;
    if (this.sinceRequest < this.everyBytes) return;
    this.sinceRequest = 0;
    try {
      this.descriptor ??= openSync(this.file, 'r');
    } catch {
      return; // Only an optimisation: the final flush still makes the file durable.
    }
    this.requested = true;
    this.requests++;
    fdatasync(this.descriptor, () => {
      this.requests--;
      this.closeWhenIdle();
    });
  }

  /** True once any request was made: the writer should then flush the file itself before closing it. */
  get started(): boolean {
    return this.requested;
  }

  /** No more writes: the descriptor is closed after the last request. */
  finish(): void {
    this.finished = true;
    this.closeWhenIdle();
  }

  private closeWhenIdle(): void {
    if (!this.finished || this.requests > 0 || this.descriptor === undefined) return;
    close(this.descriptor, () => {});
    this.descriptor = undefined;
  }
}
