import { writeDaemonStatus, type DaemonStatus } from '../src/index.js';
import type { Logger } from './logger.js';

/** The daemon's figures at the moment its status is written. */
export type StatusFigures = Pick<DaemonStatus, 'queueLength' | 'doneToday' | 'quarantined' | 'lastError' | 'storeWaitingSince' | 'sourcesMissingSince'>;

/**
 * Keeps the daemon's status record in the data folder, for `dicom-tools status` and the TUI:
 * written at most twice a second while something changes, and at least every 5 s as a heartbeat.
 */
export class StatusWriter {
  private readonly startedAt = new Date().toISOString();
  private dirty = true;
  private lastWrittenAt = 0;
  /** The last write failed (and was logged). */
  private failing = false;

  constructor(
    private readonly dataDir: string,
    private readonly watchedFolder: string,
    /** The mapping store the daemon records into, without a password. */
    private readonly mappingStore: string,
    private readonly log: Logger,
  ) {}

  /** Something the status shows has changed. */
  changed(): void {
    this.dirty = true;
  }

  /** Writes the record when it is due (always when `force`); a failure is logged, never thrown. */
  write(state: DaemonStatus['state'], figures: StatusFigures, force: boolean): void {
    const now = Date.now();
    if (!force && !(this.dirty && now - this.lastWrittenAt > 500) && now - this.lastWrittenAt < 5000) return;
    this.dirty = false;
    this.lastWrittenAt = now;
    try {
      writeDaemonStatus(this.dataDir, {
        pid: process.pid,
        runningSince: this.startedAt,
        watchedFolder: this.watchedFolder,
        mappingStore: this.mappingStore,
        ...figures,
        state,
        updatedAt: new Date(now).toISOString(),
      });
      if (this.failing) this.log.info('status', 'the status record is written again');
      this.failing = false;
    } catch (error) {
      // Said once, not at every attempt (several a second while a disk stays full).
      if (!this.failing) this.log.warn('status', `cannot write the status record: ${(error as NodeJS.ErrnoException).code ?? String(error)}; trying again`);
      this.failing = true;
    }
  }
}
