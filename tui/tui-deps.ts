import { existsSync } from 'node:fs';
import {
  anonymizeFiles, colourSupport, describeDaemonStatus, describeMappingStore, dumpJson, exportTargetProblem, ExportError, loadSecret, loadSubjectIds, openMappingStore, Pseudonymizer, readDaemonStatus, readDicomFile, runOptions, writeMappingCsv, writeZip,
  type AnonymizeRequest, type AnonymizeSummary, type ColourSupport, type Config, type DeidOptions, type DumpJson, type RunOptions, type MappingStore, type RecordedFile, type RegionList, type ZipEntry,
} from '../src/index.js';
import { findDicomFiles } from './find-dicom-files.js';
import { listDirectory, type DirEntry } from './list-directory.js';
import { openPicture, type OpenedPicture } from './open-picture.js';
import type { PickedFile } from './selection.js';

/**
 * Everything the TUI does to the machine, passed in so that tests run it on temporary folders
 * (with the real engine) and can hold the clock or pace a run.
 */
export interface TuiDeps {
  readonly listDirectory: (dir: string) => Promise<DirEntry[]>;
  readonly findDicomFiles: (dir: string, exclude: readonly string[]) => Promise<PickedFile[]>;
  readonly pathExists: (file: string) => boolean;
  /** The dump of a DICOM file, for the before/after view. */
  readonly readDump: (file: string) => DumpJson;
  /** A DICOM image for the picture view; `siteRegions` (DICOM_PIXEL_REGIONS) is searched before the shipped region list. */
  readonly openPicture: (file: string, siteRegions: RegionList | undefined) => Promise<OpenedPicture>;
  /** How many colours the terminal shows, for the picture view (from its environment). */
  readonly pictureColours: ColourSupport;
  /** A run's options from those chosen on screen, with what the configuration loaded once (the subject-ID list, the inflate limits). */
  readonly runOptions: (chosen: DeidOptions) => RunOptions;
  readonly anonymize: (request: AnonymizeRequest) => Promise<AnonymizeSummary>;
  /** Opens the mapping store, SQLite or PostgreSQL (once per session, on the first run). */
  readonly openStore: () => Promise<MappingStore>;
  /** The mapping store for people (`SQLite <file>` or `PostgreSQL <url without password>`), without opening it. */
  readonly describeStore: () => Promise<string>;
  /** The keyed pseudonymizer from the secret (once per session, on the first run). */
  readonly loadKeys: () => Pseudonymizer;
  readonly writeZip: (entries: readonly ZipEntry[], outPath: string) => Promise<void>;
  readonly writeMappingCsv: (records: Iterable<RecordedFile>, outPath: string) => Promise<void>;
  /** The watch daemon's status, one line per fact. */
  readonly daemonStatus: () => readonly string[];
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * The real dependencies for a configuration (data folder, mapping store, secret, subject-ID list). The list
 * (DICOM_PATIENT_IDS) is read and checked here, before the screen opens and before any file is touched.
 * `onNotice` hears what must be said once the screen is gone: that a new secret key was created.
 * `env` says how many colours the terminal shows (COLORTERM, TERM).
 */
export function createTuiDeps(config: Config, onNotice: (notice: string) => void = () => {}, env: Readonly<Record<string, string | undefined>> = process.env): TuiDeps {
  const subjectIds = loadSubjectIds(config.patientIds, config.unlistedPatients);
  return {
    listDirectory,
    findDicomFiles,
    pathExists: (file) => existsSync(file),
    readDump: (file) => dumpJson(readDicomFile(file, { inflateLimits: config.inflateLimits })),
    openPicture: (file, siteRegions) => openPicture(file, siteRegions, { inflateLimits: config.inflateLimits }),
    pictureColours: colourSupport(env),
    runOptions: (chosen) => runOptions(chosen, { subjectIds, inflateLimits: config.inflateLimits }),
    anonymize: anonymizeFiles,
    openStore: () => openMappingStore(config),
    describeStore: () => describeMappingStore(config),
    loadKeys: () => new Pseudonymizer(loadSecret(config, onNotice)),
    writeZip: async (entries, outPath) => {
      checkTarget(outPath, config.dataDir);
      await writeZip(entries, outPath);
    },
    writeMappingCsv: async (records, outPath) => {
      checkTarget(outPath, config.dataDir);
      await writeMappingCsv(records, outPath);
    },
    daemonStatus: () => describeDaemonStatus(readDaemonStatus(config.dataDir)),
    now: () => Date.now(),
  };
}

/**
 * The CLI's check of an export target (not the store or anything in the data folder, not a folder,
 * device or pipe, in an existing writable folder); replacing a file was already confirmed on screen.
 */
function checkTarget(outPath: string, dataDir: string): void {
  const problem = exportTargetProblem(outPath, { dataDir, force: true });
  if (problem !== undefined) throw new ExportError(outPath, problem);
}
