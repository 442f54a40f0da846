import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

// A real PostgreSQL server for the store tests: DICOM_TEST_POSTGRES_URL when set (CI starts one
// cluster for the whole run), else a throwaway cluster of this machine's PostgreSQL started for the
// test file, else none (the tests skip, saying how to run them). Each test file gets a database
// of its own, so files running at once never see each other's rows.

const POSTGRES_LIB = '/usr/lib/postgresql';

/** How to run the PostgreSQL tests, for the one line a skip prints. */
export const POSTGRES_SKIP_REASON =
  'PostgreSQL store tests skipped: no server (install Debian\'s postgresql, or set DICOM_TEST_POSTGRES_URL=postgres://user@host/db of a server where that user may CREATE DATABASE)';

/** The bin folder of the newest PostgreSQL installed, if any. */
function postgresBin(): string | undefined {
  if (!existsSync(POSTGRES_LIB)) return undefined;
  const versions = readdirSync(POSTGRES_LIB).filter((name) => existsSync(path.join(POSTGRES_LIB, name, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(POSTGRES_LIB, versions[0], 'bin');
}

/** Whether the PostgreSQL tests can run here. In CI (DICOM_TEST_POSTGRES_REQUIRED=1) they must: a skip would hide them. */
export function postgresAvailable(): boolean {
  const available = Boolean(process.env['DICOM_TEST_POSTGRES_URL']) || postgresBin() !== undefined;
  if (!available && process.env['DICOM_TEST_POSTGRES_REQUIRED'] === '1') {
    throw new Error('DICOM_TEST_POSTGRES_REQUIRED=1 but there is no PostgreSQL server: set DICOM_TEST_POSTGRES_URL or install postgresql');
  }
  if (!available) process.stderr.write(`${POSTGRES_SKIP_REASON}\n`);
  return available;
}

/** A cluster of our own: initdb into a temporary folder, listening on a Unix socket there only. */
class ThrowawayCluster {
  readonly dir: string;
  readonly #bin: string;
  /** PostgreSQL refuses to run as root: then the cluster is the postgres user's. */
  readonly #asUser = process.getuid?.() === 0 ? 'postgres' : undefined;

  constructor(bin: string) {
    this.#bin = bin;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'dicom-pg-'));
    if (this.#asUser !== undefined) {
      const uid = Number(execFileSync('id', ['-u', this.#asUser], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', this.#asUser], { encoding: 'utf8' }));
      chownSync(this.dir, uid, gid);
    }
  }

  #run(tool: string, args: readonly string[]): void {
    const command = path.join(this.#bin, tool);
    const [file, argv] = this.#asUser === undefined ? [command, args] : ['runuser', ['-u', this.#asUser, '--', command, ...args]];
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  start(): string {
    const data = path.join(this.dir, 'data');
    this.#run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    this.#run('pg_ctl', ['-D', data, '-l', path.join(this.dir, 'log'), '-w', '-o', `-k ${this.dir} -c listen_addresses= -c fsync=off`, 'start']);
    // "localhost" only keeps the URL parseable: the host parameter (the socket folder) wins.
    return `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(this.dir)}`;
  }

  stop(): void {
    try {
      this.#run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
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
    const name = `dicom_tools_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
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
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      for (const name of databases.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });
  return {
    get url() {
      return url;
    },
    fresh,
  };
}
