import { statSync } from 'node:fs';
import path from 'node:path';
import { describeFsError, MappingStoreError, plural, type DaemonStatus } from '../src/index.js';
import type { Logger } from './logger.js';
import { processUploadGroup, type GroupLimits, type GroupResult, type UploadContext, type UploadOutcome } from './process-upload.js';
import { OutputSweep } from './output-sweep.js';
import { quarantine } from './quarantine.js';
import { recoverJournal } from './recover-journal.js';
import { fileClockAgrees, SettleTracker } from './settle-tracker.js';
import { SourcesWatch, type FileLook } from './sources-watch.js';
import { StatusWriter } from './status-writer.js';
import { waitForStore, type StoreWait } from './store-wait.js';

export interface WatchDaemonSettings {
  readonly sourcesDir: string;
  readonly quarantineDir: string;
  readonly dataDir: string;
  /** How long a file must stay unchanged before it is taken. */
  readonly stableMs: number;
  /** Groups of files in flight: while one group waits for the disk, the next takes and de-identifies files. */
  readonly concurrency: number;
  /** How often Sources is polled for changes. */
  readonly pollMs: number;
  /** Attempts for passing problems (permissions, I/O) before a file is quarantined. */
  readonly maxAttempts: number;
  /** Wait before the next attempt. */
  readonly retryDelayMs: number;
  /**
   * Takes the one-daemon lock in a Sources folder that was removed and made again (the old lock
   * went with the old folder); throws when another daemon holds it.
   */
  readonly relockSources?: () => void;
}

/**
 * A group is committed once it holds this many files or bytes, or when no settled file is left:
 * one flush of the disk per group instead of three per file. The bounds keep a group's wait short
 * and what SIGTERM has to finish small.
 */
const GROUP_LIMITS: GroupLimits = { files: 256, bytes: 256 << 20 };

/** Outputs looked at again per tick (at most 200 a second): a bounded cost however many there are. */
const OUTPUTS_PER_TICK = 50;

/**
 * The watch service: takes every DICOM file that settles in Sources (and what arrived while it was
 * down), anonymizes it in place, quarantines what cannot be anonymized, and keeps a status record.
 * Bounded: a fixed number of files in flight, and only paths held for the rest.
 */
export class WatchDaemon {
  private watcher: SourcesWatch | undefined;
  private readonly settle: SettleTracker;
  private readonly queue = new Set<string>();
  /** Files taken by a group in flight. */
  private readonly inFlight = new Set<string>();
  private readonly groups = new Set<Promise<void>>();
  /** A group in flight is still taking files (at most one: the next starts once it commits). */
  private taking = false;
  /** Output names chosen by groups in flight and not yet journaled. */
  private readonly reserved = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly notDicom = new Set<string>();
  /** Outputs we just wrote: their 'add' events are ours, not uploads. */
  private readonly justWritten = new Set<string>();
  /** Our outputs, no longer polled by the watcher: one replaced by another file is a new upload. */
  private readonly outputs = new OutputSweep();
  private timer: NodeJS.Timeout | undefined;
  private startup: Promise<void> | undefined;
  private ticking = false;
  private stopping = false;
  /** Ends waits for the mapping store when the daemon stops. */
  private readonly stopSignal = new AbortController();
  /** Since when the mapping store has failed (no group starts meanwhile), or undefined. */
  private storeWaitingSince: number | undefined;
  /** The wait for the store and the recovery after it, while one runs: stop() lets it end first. */
  private storeRecovery: Promise<void> | undefined;
  /** Device and inode of the Sources folder watched, or undefined while it is missing. */
  private sourcesIdentity: string | undefined;
  /** Since when the Sources folder has been missing, or undefined. */
  private sourcesMissingSince: number | undefined;
  /** Watching a Sources folder that came back, while it runs: stop() lets it end first. */
  private rewatching: Promise<void> | undefined;
  /** The lock of a Sources folder that came back was refused (logged once). */
  private relockRefused = false;
  private doneToday = 0;
  private quarantined = 0;
  private lastError: DaemonStatus['lastError'] = null;
  private readonly status: StatusWriter;

  constructor(
    private readonly settings: WatchDaemonSettings,
    private readonly context: UploadContext,
    private readonly log: Logger,
  ) {
    this.settle = new SettleTracker(settings.stableMs);
    this.status = new StatusWriter(settings.dataDir, settings.sourcesDir, context.store.description, log);
  }

  /** Recovers what a killed daemon left, then watches; a stop() meanwhile waits for this and ends it. */
  start(): Promise<void> {
    this.startup ??= this.startWatching();
    return this.startup;
  }

  private async startWatching(): Promise<void> {
    // Nothing is taken before the journal is recovered: a store away at start-up is waited for.
    const recovered = await waitForStore(async () => {
      this.doneToday = await this.context.store.countToday();
      await this.context.journal.load();
      return recoverJournal(this.settings.sourcesDir, this.context, this.log);
    }, this.storeWait());
    if (recovered === undefined || this.stopping) return;
    if (recovered > 0) this.log.info('recovered', `finished ${plural(recovered, 'interrupted file')}`);
    await this.watchSources();
    if (this.stopping) return;
    this.timer = setInterval(() => void this.tick(), Math.min(250, Math.max(50, this.settings.stableMs / 4)));
    this.log.info('started', `watching ${this.settings.sourcesDir} (quarantine: ${this.settings.quarantineDir})`, { folder: this.settings.sourcesDir });
    this.writeStatus('running', true);
  }

  /** Watches the Sources folder as it is now (what is in it counts as arrived). */
  private async watchSources(): Promise<void> {
    this.sourcesIdentity = folderIdentity(this.settings.sourcesDir);
    // Files already unchanged for the stable time are taken at the next look, where ctimes can be trusted.
    this.settle.trustCtime = fileClockAgrees(this.settings.sourcesDir);
    const quarantineDir = path.resolve(this.settings.quarantineDir);
    const names = this.context.names;
    const watcher = new SourcesWatch(
      this.settings.sourcesDir,
      {
        pollMs: this.settings.pollMs,
        // Our quarantine may sit inside Sources; never watch it.
        ignored: (file: string) => path.resolve(file) === quarantineDir || path.resolve(file).startsWith(`${quarantineDir}${path.sep}`),
        // An output a group is placing (journaled before it is renamed into place) is not looked at.
        isOwn: (file: string) => this.context.journal.forOutput(file) !== undefined,
      },
      {
        add: (file, look) => this.seen(file, look),
        change: (file, look) => {
          // A file still being written makes progress: its attempts start again.
          this.attempts.delete(file);
          if (!this.seen(file, look)) watcher.unwatch(file);
        },
        unlink: (file) => {
          this.settle.forget(file);
          this.notDicom.delete(file);
        },
        // An unreadable folder's files are not taken (a file in it that cannot be read is retried, then quarantined).
        unreadable: (folder, error) =>
          this.log.warn('unreadable-folder', `cannot read the folder ${names.of(folder)}: ${names.in(describeFsError(error), folder)}; its files are not taken`, names.fields(folder)),
      },
    );
    watcher.start();
    this.watcher = watcher;
  }

  /**
   * Sources removed (and made again, a new folder): the watcher sees neither. While it is missing
   * the daemon says so in its log and status; once a folder is there again it takes its lock and
   * watches it.
   */
  private checkSources(): void {
    if (this.rewatching !== undefined) return;
    const here = folderIdentity(this.settings.sourcesDir);
    if (here === this.sourcesIdentity) return;
    if (here === undefined) {
      this.sourcesIdentity = undefined;
      this.sourcesMissingSince = Date.now();
      this.problem('sources-missing', `the Sources folder ${this.settings.sourcesDir} is missing (removed or not a folder); nothing is taken until it is there again`);
      this.writeStatus('running', true);
      this.watcher?.close();
      this.watcher = undefined;
      return;
    }
    this.rewatching = this.rewatch().finally(() => (this.rewatching = undefined));
  }

  private async rewatch(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    try {
      this.settings.relockSources?.();
    } catch (error) {
      if (!this.relockRefused) this.problem('sources-locked', error instanceof Error ? error.message : String(error));
      this.relockRefused = true;
      return;
    }
    this.relockRefused = false;
    await this.watchSources();
    this.sourcesMissingSince = undefined;
    this.log.info('sources-back', `the Sources folder ${this.settings.sourcesDir} is there again; watching it`, { folder: this.settings.sourcesDir });
    this.writeStatus('running', true);
  }

  /** Stops taking files, lets the files in flight finish, and records that it stopped. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopSignal.abort();
    this.log.info('stopping', `stopping: finishing ${plural(this.inFlight.size, 'file')} in flight`);
    this.writeStatus('stopping', true);
    // A signal during start-up: closing the watcher before it is ready would leave start() waiting
    // for a 'ready' that never comes (and Node exiting with code 13), so start-up finishes first.
    await this.startup?.catch(() => undefined);
    if (this.timer) clearInterval(this.timer);
    await this.rewatching;
    this.watcher?.close();
    await Promise.all(this.groups);
    await this.storeRecovery;
    this.writeStatus('stopped', true);
    this.log.info('stopped', 'stopped');
  }

  /** A file came or changed; false when it is our output (not an upload: no longer looked at). */
  private seen(file: string, look?: FileLook): boolean {
    if (this.stopping || this.inFlight.has(file)) return true;
    // Placed by a group in flight or just finished.
    if (this.justWritten.delete(file) || this.context.journal.forOutput(file) !== undefined) return false;
    this.notDicom.delete(file);
    this.settle.touch(file, look);
    this.status.changed();
    return true;
  }

  private async tick(): Promise<void> {
    // Ticks come on a timer and look at files asynchronously: one at a time, or two could both
    // find the same file settled and hand it on twice.
    if (this.stopping || this.ticking) return;
    this.checkSources();
    this.ticking = true;
    try {
      for (const file of this.settle.settled()) if (!this.inFlight.has(file)) this.queue.add(file);
      for (const file of this.outputs.changed(OUTPUTS_PER_TICK)) {
        this.justWritten.delete(file);
        this.watcher?.resume(file);
        this.seen(file);
      }
    } finally {
      this.ticking = false;
    }
    this.pump();
    this.writeStatus('running', false);
  }

  /** Starts groups of queued files up to the concurrency limit; called on each tick and whenever a group finishes. */
  private pump(): void {
    while (!this.stopping && this.storeWaitingSince === undefined && !this.taking && this.groups.size < this.settings.concurrency && this.queue.size > 0) {
      this.taking = true;
      const group: Promise<void> = this.runGroup().finally(() => {
        this.groups.delete(group);
        this.status.changed();
        this.pump();
      });
      this.groups.add(group);
    }
  }

  /** One group: takes queued files (also those that settle meanwhile) until it is full, commits them, and handles each outcome. */
  private async runGroup(): Promise<void> {
    const taken: string[] = [];
    let open = true;
    // The next group may start once this one takes no more files (or failed while taking them).
    const allTaken = () => {
      if (!open) return;
      open = false;
      this.taking = false;
      this.pump();
    };
    const take = () => {
      const [file] = this.queue;
      if (this.stopping || file === undefined) return undefined;
      this.queue.delete(file);
      this.inFlight.add(file);
      taken.push(file);
      return file;
    };
    let result: GroupResult;
    try {
      // A store removed or replaced under us would take records no one can read again: checked
      // before each group, it stops the daemon taking files. (Not awaited: a group starts at once.)
      this.context.store.checkStillOpen();
      result = await processUploadGroup(take, this.context, this.reserved, GROUP_LIMITS, allTaken);
    } catch (error) {
      // The store failed (before the group took a file), or something unforeseen: nothing of the
      // group was removed; every file is tried again.
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      result =
        error instanceof MappingStoreError
          ? { outcomes: new Map(), storeError: error }
          : { outcomes: new Map(taken.map((file) => [file, { kind: 'retry', reason: `${file}: ${reason}` }])) };
    }
    // Paused first: the next group, which allTaken may start, must not meet the failed store.
    if (result.storeError !== undefined) this.pauseForStore(result.storeError);
    allTaken();
    for (const file of taken) {
      const outcome = result.outcomes.get(file);
      this.inFlight.delete(file);
      // Unfinished because the store failed: not the file's fault, so no attempt is counted; it is
      // taken again once the store answers and the journal says how far it got.
      if (outcome === undefined && result.storeError !== undefined) this.queue.add(file);
      else await this.handle(file, outcome ?? { kind: 'retry', reason: `${file}: not processed` });
    }
  }

  /**
   * The store failed: no group starts until it answers again; then, once the groups in flight are
   * done, the journal is read again and recovered (an answer lost with the connection may have left
   * it ahead of what this daemon knows), and the work carries on.
   */
  private pauseForStore(failure: MappingStoreError): void {
    if (this.storeWaitingSince !== undefined) return;
    this.storeWaitingSince = Date.now();
    this.lastError = { at: new Date().toISOString(), message: failure.message };
    this.writeStatus('running', true);
    const backAgain = async () => {
      await Promise.all(this.groups);
      await this.context.store.probe();
      await this.context.journal.load();
      await recoverJournal(this.settings.sourcesDir, this.context, this.log);
    };
    this.storeRecovery = waitForStore(backAgain, this.storeWait(), failure)
      .then(() => undefined)
      .catch((error: unknown) => this.problem('store-recovery', `recovering the journal after the mapping store failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.storeWaitingSince = undefined;
        this.storeRecovery = undefined;
        this.writeStatus(this.stopping ? 'stopping' : 'running', true);
        this.pump();
      });
  }

  private storeWait(): StoreWait {
    return { retryMs: this.settings.retryDelayMs, log: this.log, signal: this.stopSignal.signal };
  }

  /** Logs and acts on one file's outcome; the upload is named as DICOM_LOG_NAMES says, in the log and the status. */
  private async handle(file: string, outcome: UploadOutcome): Promise<void> {
    const names = this.context.names;
    switch (outcome.kind) {
      case 'anonymized':
        if (this.justWritten.size > 10_000) this.justWritten.clear();
        this.justWritten.add(outcome.output);
        this.stopPolling(outcome.output, outcome.outputIdentity);
        this.doneToday++;
        this.attempts.delete(file);
        this.log.info('anonymized', `anonymized ${names.of(file)} -> ${names.output(outcome.output)}`, { ...names.fields(file), output: names.output(outcome.output) });
        if (outcome.replaced) this.replaced(file);
        return;
      case 'own-output':
        this.stopPolling(file);
        return;
      case 'ignored':
        return;
      case 'not-dicom':
        if (!this.notDicom.has(file)) this.log.info('not-dicom', `left alone (not DICOM): ${names.of(file)}`, names.fields(file));
        this.notDicom.add(file);
        return;
      case 'retry': {
        const attempt = (this.attempts.get(file) ?? 0) + 1;
        this.attempts.set(file, attempt);
        if (attempt < this.settings.maxAttempts) {
          this.problem('retry', `${names.in(outcome.reason, file)}; attempt ${attempt} of ${this.settings.maxAttempts}, trying again`, 'warn');
          setTimeout(() => this.seen(file), this.settings.retryDelayMs * attempt).unref();
          return;
        }
        await this.quarantineFile(file, outcome.reason);
        return;
      }
      case 'failed':
        await this.quarantineFile(file, outcome.reason);
    }
  }

  /** A new upload was renamed over an original while it was processed: it was left there, and is taken now. */
  private replaced(file: string): void {
    const { names } = this.context;
    this.log.warn('replaced-upload', `${names.of(file)} was replaced by a new upload while it was processed: the new file is taken as a new upload`, names.fields(file));
    this.seen(file);
  }

  /**
   * Our outputs need no polling: polling only what may still be an upload keeps an idle daemon idle.
   * They are swept instead, a few at a time, for a file copied over one.
   */
  private stopPolling(file: string, identity?: string): void {
    this.watcher?.unwatch(file);
    this.outputs.add(file, identity);
  }

  private async quarantineFile(file: string, reason: string): Promise<void> {
    this.attempts.delete(file);
    const names = this.context.names;
    try {
      const target = await quarantine(file, names.id(file), reason, this.settings.quarantineDir);
      this.quarantined++;
      // The quarantined file keeps its name (the folder is private); hidden names print the folder only.
      this.problem('quarantined', `quarantined ${names.of(file)} -> ${names.shown ? target : this.settings.quarantineDir}: ${names.in(reason, file)}`);
    } catch (error) {
      this.problem('quarantine-failed', `cannot quarantine ${names.of(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; it stays in Sources`);
    }
  }

  private problem(event: string, message: string, level: 'warn' | 'error' = 'error'): void {
    this.lastError = { at: new Date().toISOString(), message };
    this.status.changed();
    if (level === 'warn') this.log.warn(event, message);
    else this.log.error(event, message);
  }

  private writeStatus(state: DaemonStatus['state'], force: boolean): void {
    const figures = {
      queueLength: this.settle.size + this.queue.size + this.inFlight.size,
      doneToday: this.doneToday,
      quarantined: this.quarantined,
      lastError: this.lastError,
      storeWaitingSince: this.storeWaitingSince === undefined ? null : new Date(this.storeWaitingSince).toISOString(),
      sourcesMissingSince: this.sourcesMissingSince === undefined ? null : new Date(this.sourcesMissingSince).toISOString(),
    };
    this.status.write(state, figures, force);
  }
}

/** Device and inode of a folder, or undefined when no folder is there. */
function folderIdentity(folder: string): string | undefined {
  const stat = statSync(folder, { bigint: true, throwIfNoEntry: false });
  return stat?.isDirectory() === true ? `${stat.dev}:${stat.ino}` : undefined;
}
