import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  EXIT_FAILED,
  EXIT_OK,
  openUploadStore,
  PROFILE_EDITION,
  Pseudonymizer,
  UsageError,
  ConfigError,
  describeOptions,
  loadConfig,
  loadSubjectIds,
  configuredPixelRegions,
  preparePixelCodecs,
  loadedPixelCodecs,
  OcrReader,
  regionListLabel,
  configuredSiteRules,
  loadSecret,
  parseCommandArgs,
  runOptions,
  batchStart,
  BURNED_IN_ACCEPTED_WARNING,
  plural,
  type CommandIo,
  type Config,
  type RunOptions,
  type WorkerPool,
} from '../src/index.js';
import { acquireInstanceLock, InstanceLockError } from './instance-lock.js';
import { JournalMirror } from './journal-mirror.js';
import { uploadPool } from './process-upload.js';
import { createLogger, type LogFormat, type Logger } from './logger.js';
import { waitForStore } from './store-wait.js';
import { UploadNames } from './upload-names.js';
import { WatchDaemon, type WatchDaemonSettings } from './watch-daemon.js';

export const WATCH_USAGE = `Usage: dicom-tools watch [SOURCES_DIR] [--log-format text|json]

Runs the watch daemon in the foreground (for systemd, or a terminal). With
DICOM_ANONYMIZE_ON_UPLOAD=true it anonymizes every DICOM file that lands in SOURCES_DIR (default
DICOM_SOURCES_DIR), recursively: once a file has stopped growing, its anonymized version is written
beside it under its new SOP Instance UID, the mapping is recorded, and the original is removed.
Files that are not DICOM are left alone; DICOM files that cannot be anonymized are moved to the
quarantine folder (DICOM_QUARANTINE_DIR) with a reason file. SIGTERM or SIGINT: finish the files
in flight, then exit 0. Options come from the DICOM_* variables and .env (see .env.example).

Tuning, in the environment or .env, whole numbers: DICOM_WATCH_STABLE_MS (quiet time before a file
is taken, default 2000), DICOM_WATCH_CONCURRENCY (groups of files at once, default 2, at most 64),
DICOM_WATCH_RETRY_MS (default 2000), DICOM_WATCH_POLL_MS (how often Sources is polled, default
1000); times in ms, at most 86400000. One daemon per Sources folder.

Pre-assigned subject IDs: DICOM_PATIENT_IDS names a CSV list (Original Patient ID,Subject ID[,Issuer
of Patient ID]), read once at start; a file of a patient not in it is quarantined, unless
DICOM_UNLISTED_PATIENTS=pseudonym gives it the keyed pseudonym.

Names: the log and status name each upload by a short id (u-3f9a1c02, keyed with the site secret;
its mapping row and quarantine reason file carry it too), as file names often carry the patient's;
DICOM_LOG_NAMES=show prints the paths instead.

Site rules: DICOM_RULES names a rules file (JSON, see the README), read once at start; a malformed
file stops the daemon before it takes any file. DICOM_PIXEL_REGIONS names a site's region list for
DICOM_PROFILE_OPTIONS=clean-pixel-data (our JSON or a CTP pixel script), read and checked the same way.

Mapping store: the SQLite store in DICOM_DATA_DIR, or the PostgreSQL database of DICOM_MAPPING_URL,
which daemons on several servers may share; each keeps its crash journal there under its node name
(DICOM_NODE_NAME, default the host name: one per server). While the store cannot be reached, the
daemon takes no file and removes no original, says so in its log, and tries again every
DICOM_WATCH_RETRY_MS.`;

export async function watchCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: { 'log-format': { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.stdout.write(`${WATCH_USAGE}\n`);
    return EXIT_OK;
  }
  const format = values['log-format'];
  if (format !== 'text' && format !== 'json') throw new UsageError('--log-format is text or json');
  const log = createLogger(format as LogFormat, io.stdout, io.stderr, io.stderrIsTerminal);
  const config = loadConfig();
  if (!config.anonymizeOnUpload) {
    log.info('disabled', 'DICOM_ANONYMIZE_ON_UPLOAD is not true: the watch daemon is off and will not touch any file. Set DICOM_ANONYMIZE_ON_UPLOAD=true to enable it.');
    return EXIT_OK;
  }
  const sourcesDir = positionals[0] ?? config.sourcesDir;
  if (!sourcesDir) throw new UsageError('no Sources folder: give SOURCES_DIR or set DICOM_SOURCES_DIR');
  if (!existsSync(sourcesDir) || !statSync(sourcesDir).isDirectory()) {
    log.error('no-sources', `the Sources folder ${sourcesDir} does not exist or is not a folder`);
    return EXIT_FAILED;
  }
  const run = daemonRunOptions(config);
  let release: () => void;
  const settings: WatchDaemonSettings = {
    ...daemonTuning(config, path.resolve(sourcesDir)),
    relockSources: () => {
      release();
      release = acquireInstanceLock(settings.sourcesDir);
    },
  };
  try {
    release = acquireInstanceLock(settings.sourcesDir);
  } catch (error) {
    if (!(error instanceof InstanceLockError)) throw error;
    log.error('locked', error.message);
    return EXIT_FAILED;
  }
  try {
    return await serve(config, settings, run, log);
  } finally {
    release();
  }
}

/** The daemon's run options, read and checked once, before any file is taken: restart the daemon after editing the list or the rules. */
function daemonRunOptions(config: Config): RunOptions {
  if (config.patientIds !== undefined && !config.defaults.patient) {
    // Keeping the patient data keeps the original Patient ID: the list would be silently ignored.
    throw new ConfigError('DICOM_PATIENT_IDS replaces the Patient ID, which DICOM_CLEAN_PATIENT=false keeps: set one of them', { variable: 'DICOM_PATIENT_IDS' });
  }
  const subjectIds = loadSubjectIds(config.patientIds, config.unlistedPatients);
  return runOptions({ ...config.defaults, ...configuredSiteRules(config.rules), ...configuredPixelRegions(config.pixelRegions) }, { subjectIds, inflateLimits: config.inflateLimits });
}

function daemonTuning(config: Config, sourcesDir: string): Omit<WatchDaemonSettings, 'relockSources'> {
  return {
    sourcesDir,
    quarantineDir: path.resolve(config.quarantineDir),
    dataDir: config.dataDir,
    stableMs: config.watch.stableMs,
    concurrency: config.watch.concurrency,
    pollMs: config.watch.pollMs,
    maxAttempts: 3,
    retryDelayMs: config.watch.retryMs,
  };
}

/** Opens the store, starts the batch and watches until a signal; the Sources lock is held throughout. */
async function serve(config: Config, settings: WatchDaemonSettings, run: RunOptions, log: Logger): Promise<number> {
  const keys = new Pseudonymizer(loadSecret(config, (notice) => log.warn('secret-created', notice)));
  const stopRequested = new AbortController();
  let daemon: WatchDaemon | undefined;
  let ocr: OcrReader | undefined;
  let pool: WorkerPool | undefined;
  const stopped = new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        log.warn('forced', `${signal} again: exiting without waiting`);
        process.exit(EXIT_FAILED);
      }
      log.info('signal', `${signal} received`);
      stopRequested.abort();
      if (daemon === undefined) resolve();
      else void daemon.stop().then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // A store that cannot be reached is waited for; one that refuses (a login, a newer schema) stops the daemon.
  const wait = { retryMs: settings.retryDelayMs, log, signal: stopRequested.signal, waitFor: (error: { unreachable: boolean }) => error.unreachable };
  const store = await waitForStore(() => openUploadStore(config, { node: config.nodeName, sourcesDir: settings.sourcesDir }), wait);
  if (store === undefined) return EXIT_OK;
  try {
    const batchId = await waitForStore(() => store.startBatch(batchStart('daemon', run)), wait);
    if (batchId === undefined) return EXIT_OK;
    await preparePixelCodecs(run.options);
    ocr = run.options.ocr === true ? new OcrReader(loadedPixelCodecs() ?? new Map()) : undefined;
    pool = uploadPool(run, batchId, keys);
    daemon = new WatchDaemon(settings, { run, keys, store, journal: new JournalMirror(store), batchId, names: new UploadNames(settings.sourcesDir, keys, config.logNames), ocr, pool }, log);
    // The effective tuning, whether it came from the environment, .env or the defaults.
    log.info('tuning', `taking files after ${settings.stableMs} ms unchanged, ${plural(settings.concurrency, 'group')} in flight, polling every ${settings.pollMs} ms, retrying after ${settings.retryDelayMs} ms`, {
      stableMs: settings.stableMs,
      concurrency: settings.concurrency,
      pollMs: settings.pollMs,
      retryMs: settings.retryDelayMs,
    });
    log.info('options', `profile PS3.15 ${PROFILE_EDITION} Basic${describeOptions(run.options).map((part) => `, ${part}`).join('')}; mapping batch ${batchId}`);
    if (run.options.pixelRegions) log.info('pixel-regions', `site region list ${regionListLabel(run.options.pixelRegions, 200)}: ${plural(run.options.pixelRegions.entries.length, 'entry', 'entries')}, searched before the shipped list`);
    if (run.options.burnedIn === 'accept') log.warn('burned-in-accepted', BURNED_IN_ACCEPTED_WARNING.replace('--burned-in accept', 'DICOM_BURNED_IN=accept'));
    log.info('store', `mapping store: ${store.description}; journal of node ${config.nodeName}`);
    await daemon.start();
    await stopped;
  } finally {
    await pool?.close();
    await ocr?.close();
    await store.close();
  }
  return EXIT_OK;
}
