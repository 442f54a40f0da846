import { existsSync } from 'node:fs';
import {
  anonymizeFiles, describeDaemonStatus, describeMappingStore, dumpJson, loadSecret, loadSubjectIds, openMappingStore, Pseudonymizer, readDaemonStatus, readDicomFile, writeMappingCsv, writeZip,
  type AnonymizeRequest, type AnonymizeSummary, type Config, type DumpJson, type MappingStoreLike, type RecordedFile, type ZipEntry,
} from '../src/index.js';
import { findDicomFiles } from './find-dicom-files.js';
import { listDirectory, type DirEntry } from './list-directory.js';
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
  readonly anonymize: (request: AnonymizeRequest) => Promise<AnonymizeSummary>;
  /** Opens the mapping store, SQLite or PostgreSQL (once per session, on the first run). */
  readonly openStore: () => Promise<MappingStoreLike>;
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
 */
export function createTuiDeps(config: Config): TuiDeps {
  const subjectIds = loadSubjectIds(config.patientIds, config.unlistedPatients);
  return {
    listDirectory,
    findDicomFiles,
    pathExists: (file) => existsSync(file),
    readDump: (file) => dumpJson(readDicomFile(file, { inflateLimits: config.inflateLimits })),
    anonymize: (request) => anonymizeFiles({ ...request, subjectIds, inflateLimits: config.inflateLimits }),
    openStore: () => openMappingStore(config),
    describeStore: () => describeMappingStore(config),
    loadKeys: () => new Pseudonymizer(loadSecret(config)),
    writeZip,
    writeMappingCsv,
    daemonStatus: () => describeDaemonStatus(readDaemonStatus(config.dataDir)),
    now: () => Date.now(),
  };
}
