// A throwaway PostgreSQL cluster of this machine's installed PostgreSQL, and databases made and
// dropped on a server, for the store tests (test/helpers/postgres-server.ts) and the benchmark
// (scripts/bench.ts). Neither is part of dicom-tools itself, so this lives outside src/.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const POSTGRES_LIB = '/usr/lib/postgresql';

/** The bin folder of the newest PostgreSQL installed (Debian's layout), if any. */
export function postgresBin(): string | undefined {
  if (!existsSync(POSTGRES_LIB)) return undefined;
  const versions = readdirSync(POSTGRES_LIB).filter((name) => existsSync(path.join(POSTGRES_LIB, name, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(POSTGRES_LIB, versions[0], 'bin');
}

export interface ClusterOptions {
  /**
   * Whether commits are flushed to disk as on a real server. Tests leave it off (fsync=off: faster,
   * and a lost test cluster costs nothing); the benchmark turns it on, or PostgreSQL would be
   * timed without the flush that the SQLite store pays for every group.
   */
  readonly durable?: boolean;
  /** Further server settings (`name=value`), e.g. `track_commit_timestamp=on` for a test that asks when rows were committed. */
  readonly settings?: readonly string[];
  /**
   * The superuser's password, asked for (SCRAM) on every connection; without it the cluster trusts
   * every local connection. For tests of how dicom-tools finds a password.
   */
  readonly password?: string;
}

/** A cluster of our own: initdb into a temporary folder, listening on a Unix socket there only. */
export class ThrowawayCluster {
  readonly dir: string;
  readonly #bin: string;
  readonly #durable: boolean;
  readonly #settings: readonly string[];
  readonly #password: string | undefined;
  /** Who owns the cluster's files when that is not us (run as root). */
  #owner: { uid: number; gid: number } | undefined;
  /** PostgreSQL refuses to run as root: then the cluster is the postgres user's. */
  readonly #asUser = process.getuid?.() === 0 ? 'postgres' : undefined;

  constructor(bin: string, options: ClusterOptions = {}) {
    this.#bin = bin;
    this.#durable = options.durable ?? false;
    this.#settings = options.settings ?? [];
    this.#password = options.password;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'dicom-pg-'));
    if (this.#asUser !== undefined) {
      const uid = Number(execFileSync('id', ['-u', this.#asUser], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', this.#asUser], { encoding: 'utf8' }));
      chownSync(this.dir, uid, gid);
      this.#owner = { uid, gid };
    }
  }

  #run(tool: string, args: readonly string[]): void {
    const command = path.join(this.#bin, tool);
    const [file, argv] = this.#asUser === undefined ? [command, args] : ['runuser', ['-u', this.#asUser, '--', command, ...args]];
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** Starts the cluster and returns the URL of its `postgres` database, as the superuser `postgres`. */
  start(): string {
    const auth = ['-A', 'trust'];
    if (this.#password !== undefined) {
      const passwordFile = path.join(this.dir, 'password');
      writeFileSync(passwordFile, `${this.#password}\n`, { mode: 0o600 });
      if (this.#owner !== undefined) chownSync(passwordFile, this.#owner.uid, this.#owner.gid);
      auth.splice(0, 2, '-A', 'scram-sha-256', `--pwfile=${passwordFile}`);
    }
    this.#run('initdb', ['-D', path.join(this.dir, 'data'), ...auth, '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    this.resume();
    // "localhost" only keeps the URL parseable: the host parameter (the socket folder) wins.
    const credentials = this.#password === undefined ? 'postgres' : `postgres:${encodeURIComponent(this.#password)}`;
    return `postgresql://${credentials}@localhost/postgres?host=${encodeURIComponent(this.dir)}`;
  }

  /** Stops the server as an administrator would (`pg_ctl stop -m fast`: sessions are ended), keeping its data. */
  pause(): void {
    this.#run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  /** Starts the server (again) on its data and socket folder. */
  resume(): void {
    const settings = [`-k ${this.dir} -c listen_addresses=`, ...(this.#durable ? [] : ['-c fsync=off']), ...this.#settings.map((setting) => `-c ${setting}`)].join(' ');
    this.#run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-l', path.join(this.dir, 'log'), '-w', '-o', settings, 'start']);
  }

  /** Stops the cluster (unless paused) and removes its folder. */
  stop(): void {
    try {
      if (existsSync(path.join(this.dir, 'data', 'postmaster.pid'))) this.#run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
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

/** Runs `work` on one connection to the server of `url`, closing it afterwards. */
export async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named `prefix` + random hex on the server of `serverUrl`; resolves with its name. */
export async function createDatabase(serverUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return name;
}

/** Drops the named databases, ending any session still connected to them. */
export async function dropDatabases(serverUrl: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await onServer(serverUrl, async (client) => {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}
