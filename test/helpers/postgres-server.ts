import { afterAll, beforeAll } from 'vitest';
import { createDatabase, dropDatabases, postgresBin, ThrowawayCluster, withDatabase } from '../../scripts/throwaway-postgres.js';

// A real PostgreSQL server for the store tests: DICOM_TEST_POSTGRES_URL when set (CI starts one
// cluster for the whole run), else a throwaway cluster of this machine's PostgreSQL started for the
// test file, else none (the tests skip, saying how to run them). Each test file gets a database
// of its own, so files running at once never see each other's rows.

/** How to run the PostgreSQL tests, for the one line a skip prints. */
export const POSTGRES_SKIP_REASON =
  'PostgreSQL store tests skipped: no server (install Debian\'s postgresql, or set DICOM_TEST_POSTGRES_URL=postgres://user@host/db of a server where that user may CREATE DATABASE)';

/** Whether the PostgreSQL tests can run here. In CI (DICOM_TEST_POSTGRES_REQUIRED=1) they must: a skip would hide them. */
export function postgresAvailable(): boolean {
  const available = Boolean(process.env['DICOM_TEST_POSTGRES_URL']) || postgresBin() !== undefined;
  if (!available && process.env['DICOM_TEST_POSTGRES_REQUIRED'] === '1') {
    throw new Error('DICOM_TEST_POSTGRES_REQUIRED=1 but there is no PostgreSQL server: set DICOM_TEST_POSTGRES_URL or install postgresql');
  }
  if (!available) process.stderr.write(`${POSTGRES_SKIP_REASON}\n`);
  return available;
}

export interface TestDatabase {
  /** The URL of this test file's own, empty database (set in beforeAll). */
  readonly url: string;
  /** A further empty database of its own, dropped after the file. */
  fresh(): Promise<string>;
}

/**
 * Registers beforeAll/afterAll that give the calling test file a database of its own on a real
 * server. Call only where `postgresAvailable()` said yes.
 */
export function usePostgres(): TestDatabase {
  let serverUrl = process.env['DICOM_TEST_POSTGRES_URL'] || undefined;
  let cluster: ThrowawayCluster | undefined;
  const databases: string[] = [];
  let url = '';
  const fresh = async (): Promise<string> => {
    const name = await createDatabase(serverUrl as string, 'dicom_tools_test_');
    databases.push(name);
    return withDatabase(serverUrl as string, name);
  };
  beforeAll(async () => {
    if (serverUrl === undefined) {
      const bin = postgresBin();
      if (bin === undefined) throw new Error(POSTGRES_SKIP_REASON);
      cluster = new ThrowawayCluster(bin);
      serverUrl = cluster.start();
    }
    url = await fresh();
  });
  afterAll(async () => {
    if (cluster !== undefined) {
      cluster.stop();
      return;
    }
    await dropDatabases(serverUrl as string, databases.splice(0));
  });
  return {
    get url() {
      return url;
    },
    fresh,
  };
}
