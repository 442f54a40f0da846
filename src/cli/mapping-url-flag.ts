import type { Config } from '../config/config.js';
import { mappingUrlProblem } from '../config/mapping-url.js';
import type { MappingStoreConfig } from '../store/open-mapping-store.js';
import { UsageError } from './usage-error.js';

/** A PostgreSQL mapping store on the command line; DICOM_MAPPING_URL gives the default. */
export const mappingUrlFlag = {
  'mapping-url': { type: 'string' },
} as const;

export const MAPPING_URL_FLAG_HELP = `  --mapping-url URL    the mapping store in PostgreSQL (postgres://user@host:port/db) instead
                       of the SQLite file in DICOM_DATA_DIR (default: DICOM_MAPPING_URL); keep the
                       password out of the URL (PGPASSWORD or ~/.pgpass): command lines are visible`;

/**
 * The store the flag (over the configuration) selects.
 *
 * @throws UsageError for a value that is not a PostgreSQL URL (never quoting it: it may hold a password).
 */
export function storeConfigFrom(values: { readonly 'mapping-url'?: string | undefined }, config: Pick<Config, 'dataDir' | 'mappingUrl'>): MappingStoreConfig {
  const url = values['mapping-url'];
  if (url === undefined) return { dataDir: config.dataDir, mappingUrl: config.mappingUrl };
  const problem = mappingUrlProblem(url);
  if (problem !== undefined) throw new UsageError(`--mapping-url ${problem}`);
  return { dataDir: config.dataDir, mappingUrl: url };
}
