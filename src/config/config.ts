import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'dotenv';
import { BURNED_IN_POLICIES, optionConflict, type BurnedInPolicy } from '../deid/options.js';
import { isProfileName, isStandardOption, PROFILE_NAMES, profileOptions, STANDARD_OPTION_NAMES, type ProfileName, type StandardOption } from '../deid/standard-options.js';
import { UNLISTED_PATIENTS, type UnlistedPatients } from '../deid/subject-ids.js';
import { mappingUrlProblem } from './mapping-url.js';
import { DEFAULT_INFLATE_LIMITS, type InflateLimits } from '../dicom/inflate-data-set.js';
import { ConfigError } from './config-error.js';
import { defaultDataDir } from './data-dir.js';
import { EnvVariables } from './env-variables.js';
import { describeFsError } from '../io/durable-files.js';

/** What to do with dates: remove per the profile, keep, or shift per patient. */
export type DatesMode = 'clear' | 'keep' | 'shift';

/** The de-identification options' defaults (the product's six checkboxes); `true` = anonymize. */
export interface ConfigDefaults {
  /** `DICOM_REGENERATE_UIDS`. @default true */
  regenerateUids: boolean;
  /** `DICOM_REMOVE_PRIVATE_TAGS`. @default true */
  removePrivate: boolean;
  /** `DICOM_CLEAN_PATIENT`. @default true */
  patient: boolean;
  /** `DICOM_CLEAN_INSTITUTION`. @default true */
  institution: boolean;
  /** `DICOM_CLEAN_STUDY`. @default true */
  study: boolean;
  /** `DICOM_DATES`: `clear`, `keep` or `shift`. @default 'clear' */
  dates: DatesMode;
  /**
   * The options of `DICOM_PROFILE` (`basic` or `research`) and `DICOM_PROFILE_OPTIONS` (comma-separated
   * PS3.15 options, e.g. `retain-patient-characteristics,retain-device-identity`). Absent when none.
   * @default undefined
   */
  standardOptions?: readonly StandardOption[];
  /** `DICOM_PROFILE` when it is not `basic`. @default undefined */
  profile?: ProfileName;
  /** `DICOM_BURNED_IN`: `refuse` an image that may carry burned-in text, or `accept` it as it is; absent for refuse. @default undefined */
  burnedIn?: 'accept';
  /** `DICOM_OCR`: Clean Pixel Data reads the text of images nothing else says the text of (true); absent for false. @default undefined */
  ocr?: true;
}

/** The watch daemon's timing and parallelism (`dicom-tools watch`). */
export interface WatchTuning {
  /** `DICOM_WATCH_STABLE_MS`: how long, in ms, an upload must stay unchanged before it is taken. @default 2000 */
  stableMs: number;
  /** `DICOM_WATCH_CONCURRENCY`: groups of files in flight at once. @default 2 */
  concurrency: number;
  /** `DICOM_WATCH_POLL_MS`: how often, in ms, Sources is polled for new and growing files. @default 1000 */
  pollMs: number;
  /** `DICOM_WATCH_RETRY_MS`: wait, in ms, before retrying a file after a passing problem (times the attempt). @default 2000 */
  retryMs: number;
}

/** How the watch daemon's log and status name an upload: by its short id, or by its path. */
export type LogNames = 'hide' | 'show';

export const LOG_NAMES: readonly LogNames[] = ['hide', 'show'];

export interface Config {
  /** `DICOM_DATA_DIR`: mapping store, secret key, quarantine. @default `$XDG_DATA_HOME/dicom-tools`, else `~/.local/share/dicom-tools` */
  dataDir: string;
  /** `DICOM_SOURCES_DIR`: where the daemon and TUI look for new files. @default undefined */
  sourcesDir: string | undefined;
  /** `DICOM_QUARANTINE_DIR`: where files that cannot be processed go. @default `<dataDir>/quarantine` */
  quarantineDir: string;
  /** `DICOM_ANONYMIZE_ON_UPLOAD`: `true`, `1` or `yes` (any case); `false`, `0`, `no` turn it off. @default false */
  anonymizeOnUpload: boolean;
  /** `DICOM_ANON_SECRET`, at least 16 characters; else the secret comes from `<dataDir>/secret.key`. */
  secretFromEnv: string | undefined;
  defaults: ConfigDefaults;
  /** `DICOM_PATIENT_IDS`: a CSV list of pre-assigned subject IDs for Patient ID and Name (read by the commands, not here). @default undefined */
  patientIds: string | undefined;
  /** `DICOM_UNLISTED_PATIENTS`: `refuse` (the file fails) or `pseudonym` (the keyed pseudonym) for a patient the list does not name. @default undefined, which refuses */
  unlistedPatients: UnlistedPatients | undefined;
  /** `DICOM_RULES`: a site rules file (JSON; read by the commands and the daemon, not here). @default undefined */
  rules: string | undefined;
  /** `DICOM_PIXEL_REGIONS`: a site's region list for Clean Pixel Data (our JSON or a CTP pixel script; read by the commands and the daemon). @default undefined */
  pixelRegions: string | undefined;
  /**
   * `DICOM_MAPPING_URL`: a PostgreSQL mapping store (`postgres://…` or `postgresql://…`) instead of
   * the embedded SQLite file in the data folder. May hold a password: never shown. @default undefined
   */
  mappingUrl: string | undefined;
  /**
   * `DICOM_NODE_NAME`: this server's name in a shared mapping store's daemon journal; each server
   * sharing a store needs its own. @default the host name
   */
  nodeName: string;
  watch: WatchTuning;
  /**
   * `DICOM_INFLATE_MAX_MB` (@default 256) and `DICOM_INFLATE_MAX_RATIO` (@default 200): how far a
   * deflated data set may inflate before the file is refused as a possible deflate bomb.
   */
  inflateLimits: InflateLimits;
  /**
   * `DICOM_LOG_NAMES`: `hide` names each upload in the daemon's log and status by a short keyed id
   * (`u-3f9a1c02`), as file names often carry the patient's; `show` prints the paths. @default 'hide'
   */
  logNames: LogNames;
}

export interface LoadConfigOptions {
  /** The environment. @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
  /** The folder whose `.env` file is read, and against which relative paths resolve. @default process.cwd() */
  cwd?: string | undefined;
}

/** Shortest `DICOM_ANON_SECRET` accepted, in characters. */
export const MIN_ENV_SECRET_LENGTH = 16;

const DATES_MODES: readonly DatesMode[] = ['clear', 'keep', 'shift'];
// Node runs a timer longer than 2^31-1 ms after 1 ms instead; a day is far below that, retries included.
const MAX_WATCH_MS = 86_400_000;
// An inflated data set is held in memory, and a Node Buffer holds at most 4 GB: half of it, for its copy.
const MAX_INFLATE_MB = 2048;
// Deflate itself cannot exceed about 1032:1.
const MAX_INFLATE_RATIO = 1032;
// Catches a typo (200 for 2); more groups than this would only queue for the same disk.
const MAX_WATCH_CONCURRENCY = 64;

/**
 * Reads the configuration from the environment and from `.env` in `cwd` (when present; a variable
 * set in the environment wins over the file, and `process.env` is never changed). An empty value
 * counts as unset. Paths may start with `~/` and resolve against `cwd`.
 *
 * @throws ConfigError naming the variable and the allowed values.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const read = new EnvVariables(env, readDotEnv(cwd), cwd);
  // Each variable is checked in this order, so that the first malformed one is the one reported.
  const dataDir = read.path('DICOM_DATA_DIR') ?? defaultDataDir(env['XDG_DATA_HOME'], read.home);
  const secretFromEnv = read.text('DICOM_ANON_SECRET');
  if (secretFromEnv !== undefined) checkEnvSecret(secretFromEnv);
  const dates = oneOf(read, 'DICOM_DATES', DATES_MODES, isDatesMode) ?? 'clear';
  const profile = profileFrom(read.text('DICOM_PROFILE'));
  const standardOptions = standardOptionsFrom(profile, read.text('DICOM_PROFILE_OPTIONS'), dates);
  const unlistedPatients = oneOf(read, 'DICOM_UNLISTED_PATIENTS', UNLISTED_PATIENTS, isUnlistedPatients);
  const burnedIn = oneOf(read, 'DICOM_BURNED_IN', BURNED_IN_POLICIES, isBurnedInPolicy);
  const mappingUrl = mappingUrlFrom(read);
  const logNames = oneOf(read, 'DICOM_LOG_NAMES', LOG_NAMES, isLogNames) ?? 'hide';
  const nodeName = nodeNameFrom(read);

  return {
    dataDir,
    sourcesDir: read.path('DICOM_SOURCES_DIR'),
    quarantineDir: read.path('DICOM_QUARANTINE_DIR') ?? path.join(dataDir, 'quarantine'),
    anonymizeOnUpload: read.boolean('DICOM_ANONYMIZE_ON_UPLOAD', false),
    secretFromEnv,
    defaults: {
      regenerateUids: read.boolean('DICOM_REGENERATE_UIDS', true),
      removePrivate: read.boolean('DICOM_REMOVE_PRIVATE_TAGS', true),
      patient: read.boolean('DICOM_CLEAN_PATIENT', true),
      institution: read.boolean('DICOM_CLEAN_INSTITUTION', true),
      study: read.boolean('DICOM_CLEAN_STUDY', true),
      dates,
      ...(standardOptions.length > 0 ? { standardOptions } : {}),
      ...(profile !== undefined && profile !== 'basic' ? { profile } : {}),
      ...(burnedIn === 'accept' ? { burnedIn } : {}),
      ...(read.boolean('DICOM_OCR', false) ? { ocr: true } : {}),
    },
    patientIds: read.path('DICOM_PATIENT_IDS'),
    unlistedPatients,
    rules: read.path('DICOM_RULES'),
    pixelRegions: read.path('DICOM_PIXEL_REGIONS'),
    mappingUrl,
    nodeName,
    watch: watchTuningFrom(read),
    inflateLimits: inflateLimitsFrom(read),
    logNames,
  };
}

/**
 * One of `allowed` (any case, spaces around it dropped); undefined when unset.
 *
 * @throws ConfigError for another word.
 */
function isBurnedInPolicy(value: string): value is BurnedInPolicy {
  return (BURNED_IN_POLICIES as readonly string[]).includes(value);
}

function oneOf<T extends string>(read: EnvVariables, name: string, allowed: readonly T[], is: (value: string) => value is T): T | undefined {
  const value = read.text(name)?.trim().toLowerCase();
  if (value === undefined || is(value)) return value;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(read.text(name))}`, { variable: name });
}

function mappingUrlFrom(read: EnvVariables): string | undefined {
  const mappingUrl = read.text('DICOM_MAPPING_URL');
  const urlProblem = mappingUrl === undefined ? undefined : mappingUrlProblem(mappingUrl);
  // The value is not quoted: it may hold a password.
  if (urlProblem !== undefined) throw new ConfigError(`DICOM_MAPPING_URL ${urlProblem} (unset it for the embedded SQLite store)`, { variable: 'DICOM_MAPPING_URL' });
  return mappingUrl;
}

function nodeNameFrom(read: EnvVariables): string {
  const nodeName = read.text('DICOM_NODE_NAME')?.trim() ?? (os.hostname() || 'localhost');
  if (read.text('DICOM_NODE_NAME') !== undefined && !/^[\x21-\x7e]{1,128}$/.test(nodeName)) {
    throw new ConfigError(`DICOM_NODE_NAME must be 1 to 128 printable ASCII characters without spaces, not ${JSON.stringify(nodeName)}`, { variable: 'DICOM_NODE_NAME' });
  }
  return nodeName;
}

function watchTuningFrom(read: EnvVariables): WatchTuning {
  return {
    stableMs: read.wholeNumber('DICOM_WATCH_STABLE_MS', 2000, MAX_WATCH_MS),
    concurrency: read.wholeNumber('DICOM_WATCH_CONCURRENCY', 2, MAX_WATCH_CONCURRENCY),
    pollMs: read.wholeNumber('DICOM_WATCH_POLL_MS', 1000, MAX_WATCH_MS),
    retryMs: read.wholeNumber('DICOM_WATCH_RETRY_MS', 2000, MAX_WATCH_MS),
  };
}

function inflateLimitsFrom(read: EnvVariables): InflateLimits {
  return {
    maxBytes: read.wholeNumber('DICOM_INFLATE_MAX_MB', DEFAULT_INFLATE_LIMITS.maxBytes / 2 ** 20, MAX_INFLATE_MB) * 2 ** 20,
    maxRatio: read.wholeNumber('DICOM_INFLATE_MAX_RATIO', DEFAULT_INFLATE_LIMITS.maxRatio, MAX_INFLATE_RATIO),
  };
}

/** @throws ConfigError when `DICOM_ANON_SECRET` is too short; the message never contains it. */
export function checkEnvSecret(secret: string): void {
  if ([...secret].length < MIN_ENV_SECRET_LENGTH) {
    throw new ConfigError(`DICOM_ANON_SECRET is too short: use at least ${MIN_ENV_SECRET_LENGTH} characters (for example the output of: openssl rand -hex 32)`, {
      variable: 'DICOM_ANON_SECRET',
    });
  }
}

function profileFrom(value: string | undefined): ProfileName | undefined {
  const profile = value?.trim().toLowerCase();
  if (profile === undefined || isProfileName(profile)) return profile;
  throw new ConfigError(`DICOM_PROFILE must be one of ${PROFILE_NAMES.join(', ')}, not ${JSON.stringify(value)}`, { variable: 'DICOM_PROFILE' });
}

/** The options of `DICOM_PROFILE`, then `DICOM_PROFILE_OPTIONS`, checked against each other and `DICOM_DATES`; each option once. */
function standardOptionsFrom(profile: ProfileName | undefined, names: string | undefined, dates: DatesMode): StandardOption[] {
  const options: StandardOption[] = [...(profile === undefined ? [] : profileOptions(profile))];
  for (const name of names === undefined ? [] : names.split(',').map((part) => part.trim().toLowerCase())) {
    if (!isStandardOption(name)) {
      throw new ConfigError(`DICOM_PROFILE_OPTIONS must be a comma-separated list of ${STANDARD_OPTION_NAMES.join(', ')}, not ${JSON.stringify(names)}`, {
        variable: 'DICOM_PROFILE_OPTIONS',
      });
    }
    if (!options.includes(name)) options.push(name);
  }
  const conflict = optionConflict(dates, options);
  if (conflict) {
    const other = conflict.with === 'retain-full-dates' ? conflict.with : `DICOM_DATES=${conflict.with}`;
    const variable = profile !== undefined && profileOptions(profile).includes(conflict.option) ? 'DICOM_PROFILE' : 'DICOM_PROFILE_OPTIONS';
    throw new ConfigError(`${variable}: ${conflict.option} and ${other} exclude each other`, { variable });
  }
  return options;
}

function isDatesMode(value: string): value is DatesMode {
  return (DATES_MODES as readonly string[]).includes(value);
}

function isLogNames(value: string): value is LogNames {
  return (LOG_NAMES as readonly string[]).includes(value);
}

function isUnlistedPatients(value: string): value is UnlistedPatients {
  return (UNLISTED_PATIENTS as readonly string[]).includes(value);
}

function readDotEnv(cwd: string): Record<string, string> {
  const file = path.join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`${file}: cannot read: ${describeFsError(error)}`, { path: file, cause: error });
  }
  return parse(text);
}
