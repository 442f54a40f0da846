import path from 'node:path';
import type { MappingStore } from './mapping-store.js';
import { MAPPING_STORE_FILENAME } from './sqlite-mapping-store.js';
import { SqliteStoreAdapter } from './sqlite-store-adapter.js';
import { SqliteUploadStore } from './sqlite-upload-store.js';
import type { UploadStore, UploadStoreScope } from './upload-store.js';

/** What picks and finds the store: a PostgreSQL URL, else the SQLite file in the data folder. */
export interface MappingStoreConfig {
  readonly dataDir: string;
  /** `DICOM_MAPPING_URL` or `--mapping-url`: `postgres://…` or `postgresql://…`. */
  readonly mappingUrl: string | undefined;
}

/**
 * Opens the mapping store: the PostgreSQL database of `mappingUrl` when set, else the embedded
 * SQLite file in the data folder. node-postgres is loaded only for the former.
 *
 * @throws MappingStoreError naming the store (never a password) and the problem.
 */
export async function openMappingStore(config: MappingStoreConfig): Promise<MappingStore> {
  if (config.mappingUrl === undefined) return SqliteStoreAdapter.open(config.dataDir);
  const { PostgresMappingStore } = await import('./postgres-mapping-store.js');
  return PostgresMappingStore.open(config.mappingUrl);
}

/** The store for people: `SQLite /data/mapping.sqlite` or `PostgreSQL postgres://user@host:5432/db` (no password). */
export async function describeMappingStore(config: MappingStoreConfig): Promise<string> {
  if (config.mappingUrl === undefined) return `SQLite ${path.join(config.dataDir, MAPPING_STORE_FILENAME)}`;
  const { postgresLocation } = await import('./postgres-mapping-store.js');
  return `PostgreSQL ${postgresLocation(config.mappingUrl)}`;
}

/**
 * Opens the watch daemon's store (records and its journal) for one node and Sources folder: the
 * PostgreSQL database of `mappingUrl` when set, else the SQLite file in the data folder.
 *
 * @throws MappingStoreError naming the store (never a password); `unreachable` when it cannot be reached.
 */
export async function openUploadStore(config: MappingStoreConfig, scope: UploadStoreScope): Promise<UploadStore> {
  if (config.mappingUrl === undefined) return SqliteUploadStore.open(config.dataDir, scope);
  const [{ PostgresMappingStore }, { PostgresUploadStore }] = await Promise.all([import('./postgres-mapping-store.js'), import('./postgres-upload-store.js')]);
  return PostgresUploadStore.open(await PostgresMappingStore.open(config.mappingUrl), scope);
}
