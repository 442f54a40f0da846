import pg from 'pg';
import type { BatchSummary, IdPair, MappingRecord, RecordedFile } from './mapping-record.js';
import type { MappingStore } from './mapping-store.js';
import { MappingStoreError } from './mapping-store-error.js';
import { plural } from '../text/plural.js';
import { passwordFor, type PasswordLookup } from './postgres-password.js';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION, POSTGRES_VERSION_TABLE } from './postgres-schema.js';
import { checkRecords, LIST_SEPARATOR, localDay, newBatch, recordedFile, type FileRow, type RecordsFilter, type StartBatchOptions } from './record-checks.js';

/**
 * Asked (as a method of the connecting client) when neither the URL nor PGPASSWORD gives a
 * password; a Pool's own password option would lose to the URL's empty one.
 */
function lookUpPassword(this: pg.Client, connection: PasswordLookup): Promise<string> {
  return passwordFor(connection).catch((error: unknown) => {
    // node-postgres (8.23) leaves the socket of a login that failed this way open, and with it the process.
    (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    throw error;
  });
}
// The types say a password is a string: node-postgres also calls a function for it.
pg.defaults.password = lookUpPassword as unknown as string;

/** Connections per process: the CLI and the TUI write one group at a time and read seldom. */
const POOL_MAX = 4;
/** How long to wait for the server to accept a connection before saying it cannot be reached. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Held while the schema is created or migrated, so that processes opening a new database at once do not race ("dicom" in ASCII). */
const SCHEMA_LOCK = 0x6469636f6d;
/** A transaction that PostgreSQL aborts as a deadlock or serialization failure is run again this many times at most. */
const MAX_ATTEMPTS = 3;
const RETRYABLE = new Set(['40001', '40P01']);

const RECORD_COLUMNS = `f.batch_id AS "batchId", f.processed_at AS "processedAt", f.original_filename AS "originalFilename",
  f.anonymized_filename AS "anonymizedFilename", f.original_patient_id AS "originalPatientId",
  f.anonymized_patient_id AS "anonymizedPatientId", tags.list AS "tagsAnonymized", uids.list AS "uidsRegenerated",
  f.upload_id AS "uploadId", f.pixel_cleaning AS "pixelCleaning"`;
const RECORD_SOURCE = `files f LEFT JOIN keyword_lists tags ON tags.id = f.tags_anonymized_list
  LEFT JOIN keyword_lists uids ON uids.id = f.uids_regenerated_list`;
const PAIR_COLUMNS = 'original_uid AS original, anonymized_uid AS anonymized';

const SQL = {
  insertBatch: 'INSERT INTO batches (id, started_at, source, options, profile) VALUES ($1, $2, $3, $4::json, $5)',
  knownBatches: 'SELECT id FROM batches WHERE id = ANY($1::text[])',
  insertLists: 'INSERT INTO keyword_lists (list) SELECT unnest($1::text[]) ON CONFLICT (list) DO NOTHING',
  listIds: 'SELECT id, list FROM keyword_lists WHERE list = ANY($1::text[])',
  // One statement for a whole group, rows kept in the group's order (ids, hence exports, follow it).
  insertFiles: `INSERT INTO files (batch_id, processed_at, original_filename, anonymized_filename, original_patient_id,
      anonymized_patient_id, tags_anonymized, uids_regenerated, tags_anonymized_list, uids_regenerated_list, upload_id, pixel_cleaning)
    SELECT b, p, o, a, op, ap, t, u, tl, ul, up, px FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::integer[], $8::integer[], $9::bigint[], $10::bigint[], $11::text[], $12::text[])
      WITH ORDINALITY AS r(b, p, o, a, op, ap, t, u, tl, ul, up, px, n) ORDER BY n`,
  insertUidPairs: `INSERT INTO uid_pairs (batch_id, original_uid, anonymized_uid)
    SELECT b, o, a FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(b, o, a, n) ORDER BY n
    ON CONFLICT (batch_id, original_uid) DO NOTHING`,
  allFiles: `SELECT ${RECORD_COLUMNS} FROM ${RECORD_SOURCE} ORDER BY f.id`,
  filesOfBatch: `SELECT ${RECORD_COLUMNS} FROM ${RECORD_SOURCE} WHERE f.batch_id = $1 ORDER BY f.id`,
  filesByAnonymizedName: `SELECT ${RECORD_COLUMNS} FROM ${RECORD_SOURCE} WHERE f.anonymized_filename = $1 ORDER BY f.id`,
  allUidPairs: `SELECT ${PAIR_COLUMNS} FROM uid_pairs GROUP BY original_uid, anonymized_uid ORDER BY min(id)`,
  uidPairsOfBatch: `SELECT ${PAIR_COLUMNS} FROM uid_pairs WHERE batch_id = $1 ORDER BY id`,
  allPatientPairs: `SELECT original_patient_id AS original, anonymized_patient_id AS anonymized FROM files
    GROUP BY original_patient_id, anonymized_patient_id ORDER BY min(id)`,
  patientPairsOfBatch: `SELECT original_patient_id AS original, anonymized_patient_id AS anonymized FROM files WHERE batch_id = $1
    GROUP BY original_patient_id, anonymized_patient_id ORDER BY min(id)`,
  batches: `SELECT b.id, b.started_at AS "startedAt", b.source, (SELECT count(*) FROM files f WHERE f.batch_id = b.id)::integer AS "fileCount", b.profile
    FROM batches b ORDER BY b.seq`,
  // processed_at is ISO 8601 UTC text: byte order (COLLATE "C") is time order whatever the database's collation.
  countBetween: 'SELECT count(*)::integer AS n FROM files WHERE processed_at COLLATE "C" >= $1 AND processed_at COLLATE "C" < $2',
};

/**
 * Where a PostgreSQL URL points, for messages and `status`: `postgres://user@host:port/database`,
 * or `postgres://user@/database?host=/socket/folder`, never the password. The PG* variables fill
 * in what the URL leaves out, as when connecting.
 */
export function postgresLocation(url: string): string {
  const client = new pg.Client({ connectionString: url });
  const user = client.user ? `${encodeURIComponent(client.user)}@` : '';
  const database = encodeURIComponent(client.database ?? '');
  const host = client.host ?? 'localhost';
  if (host.startsWith('/')) return `postgres://${user}/${database}?host=${host}`;
  return `postgres://${user}${host.includes(':') ? `[${host}]` : host}:${client.port}/${database}`;
}

/**
 * The mapping store in a PostgreSQL database: the same batches, records, pairs and order as the
 * embedded SQLite store, shared by every machine that uses the server. Credentials come from the
 * URL, the PG* variables or the password file (~/.pgpass), through node-postgres; none is ever put
 * into a message.
 */
/**
 * The statements of an open PostgresMappingStore, for a module that keeps its own table in its
 * database (the upload journal, postgres-upload-store.ts). Internal: src/index.ts does not export it.
 */
export interface PostgresStoreInternals {
  /** Runs one statement; a failure becomes a MappingStoreError saying it cannot do `what`. */
  readonly query: <Row extends pg.QueryResultRow>(what: string, sql: string, values?: readonly unknown[]) => Promise<Row[]>;
  /** Runs `work` in one transaction on one connection: all of it is committed, or none. */
  readonly transaction: (what: string, work: (run: RunStatement) => Promise<void>) => Promise<void>;
  /** Inserts checked records as part of the caller's transaction. */
  readonly insertRecords: (run: RunStatement, records: readonly MappingRecord[]) => Promise<void>;
  /** Takes a session-level advisory lock on a connection of its own; undefined when another session holds it. */
  readonly tryLock: (what: string, name: string) => Promise<HeldLock | undefined>;
}

export class PostgresMappingStore implements MappingStore {
  readonly location: string;
  readonly #url: string;
  readonly #pool: pg.Pool;
  readonly #internals: PostgresStoreInternals = {
    query: (what, sql, values) => this.#query(what, sql, values),
    transaction: (what, work) => this.#transaction(what, work),
    insertRecords: (run, records) => this.#insertRecords(run, records),
    tryLock: (what, name) => this.#tryLock(what, name),
  };
  #closed = false;

  private constructor(location: string, url: string, pool: pg.Pool) {
    this.location = location;
    this.#url = url;
    this.#pool = pool;
  }

  /**
   * Connects, and creates or migrates the schema (in one transaction, under an advisory lock).
   *
   * @throws MappingStoreError naming the server (without password) when it cannot be reached,
   * refuses the login, or holds a schema of a newer dicom-tools.
   */
  static async open(url: string): Promise<PostgresMappingStore> {
    const location = postgresLocation(url);
    const pool = new pg.Pool({ connectionString: url, max: POOL_MAX, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'dicom-tools' });
    // A pooled connection that dies while idle: the next query reports the problem.
    pool.on('error', () => {});
    try {
      await migrate(pool, location);
      return new PostgresMappingStore(location, url, pool);
    } catch (error) {
      await pool.end().catch(() => {});
      if (error instanceof MappingStoreError) throw error;
      throw storeError(location, 'open the mapping store', error);
    }
  }

  async startBatch(batch: StartBatchOptions): Promise<string> {
    const { id, startedAt, options } = newBatch(this.location, batch);
    await this.#query('start a batch', SQL.insertBatch, [id, startedAt, batch.source, options, batch.profile]);
    return id;
  }

  async record(records: readonly MappingRecord[]): Promise<void> {
    checkRecords(this.location, records);
    if (records.length === 0) return;
    await this.#transaction(`record ${plural(records.length, 'file')}`, (run) => this.#insertRecords(run, records));
  }

  /**
   * Inserts checked records as part of the caller's transaction (`run` runs a statement in it): a
   * group's files, lists and UID pairs in a few multi-row statements.
   */
  async #insertRecords(run: RunStatement, records: readonly MappingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const batchIds = [...new Set(records.map((record) => record.batchId))];
    const known = new Set((await run<{ id: string }>(SQL.knownBatches, [batchIds])).map((row) => row.id));
    const unknown = batchIds.find((id) => !known.has(id));
    if (unknown !== undefined) throw new MappingStoreError(this.location, `cannot record files for batch ${JSON.stringify(unknown)}: no such batch (call startBatch() first)`);
    // A list is stored once and referenced (a series' files share one). Sorted, so that two
    // writers adding the same new lists take their locks in one order.
    const lists = [...new Set(records.flatMap((record) => [record.tagsAnonymized.join(LIST_SEPARATOR), record.uidsRegenerated.join(LIST_SEPARATOR)]))].sort();
    await run(SQL.insertLists, [lists]);
    const listIds = new Map((await run<{ id: string; list: string }>(SQL.listIds, [lists])).map((row) => [row.list, row.id]));
    const listId = (keywords: readonly string[]) => listIds.get(keywords.join(LIST_SEPARATOR));
    await run(SQL.insertFiles, [
      records.map((record) => record.batchId),
      records.map((record) => record.processedAt),
      records.map((record) => record.originalFilename),
      records.map((record) => record.anonymizedFilename),
      records.map((record) => record.originalPatientId),
      records.map((record) => record.anonymizedPatientId),
      records.map((record) => record.tagsAnonymized.length),
      records.map((record) => record.uidsRegenerated.length),
      records.map((record) => listId(record.tagsAnonymized)),
      records.map((record) => listId(record.uidsRegenerated)),
      records.map((record) => record.uploadId ?? null),
      records.map((record) => record.pixelCleaning ?? null),
    ]);
    // Most pairs of a batch repeat in every file: each is sent once per call, and the unique key
    // makes a repeat across calls a no-op.
    const pairs = new Map<string, [batchId: string, original: string, anonymized: string]>();
    for (const record of records) {
      for (const pair of record.uidPairs) {
        const key = `${record.batchId}\n${pair.original}`;
        if (!pairs.has(key)) pairs.set(key, [record.batchId, pair.original, pair.anonymized]);
      }
    }
    const rows = [...pairs.values()];
    if (rows.length > 0) await run(SQL.insertUidPairs, [rows.map((row) => row[0]), rows.map((row) => row[1]), rows.map((row) => row[2])]);
  }

  async records(filter: RecordsFilter = {}): Promise<RecordedFile[]> {
    const rows = filter.batchId === undefined ? await this.#query<FileRow>('read the records', SQL.allFiles) : await this.#query<FileRow>('read the records', SQL.filesOfBatch, [filter.batchId]);
    return rows.map(recordedFile);
  }

  async uidPairs(filter: RecordsFilter = {}): Promise<IdPair[]> {
    return filter.batchId === undefined ? this.#query('read the UID pairs', SQL.allUidPairs) : this.#query('read the UID pairs', SQL.uidPairsOfBatch, [filter.batchId]);
  }

  async patientPairs(filter: RecordsFilter = {}): Promise<IdPair[]> {
    return filter.batchId === undefined ? this.#query('read the patient pairs', SQL.allPatientPairs) : this.#query('read the patient pairs', SQL.patientPairsOfBatch, [filter.batchId]);
  }

  async batches(): Promise<BatchSummary[]> {
    return this.#query('list the batches', SQL.batches);
  }

  async countToday(now: Date = new Date()): Promise<number> {
    const { from, to } = localDay(now);
    const [row] = await this.#query<{ n: number }>('count the files of today', SQL.countBetween, [from, to]);
    return row?.n ?? 0;
  }

  async recordsForAnonymizedName(name: string): Promise<RecordedFile[]> {
    return (await this.#query<FileRow>('read the records', SQL.filesByAnonymizedName, [name])).map(recordedFile);
  }

  /**
   * Takes the session-level advisory lock named `name` on a connection of its own, held while that
   * connection lives; undefined when another session holds it.
   */
  async #tryLock(what: string, name: string): Promise<HeldLock | undefined> {
    const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'dicom-tools' });
    let held = true;
    // The server releases the lock with the session: a lost connection is a lost lock.
    client.on('error', () => (held = false));
    client.on('end', () => (held = false));
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [name]);
      if (rows[0]?.locked !== true) {
        await client.end();
        return undefined;
      }
    } catch (error) {
      await client.end().catch(() => {});
      throw storeError(this.location, what, error);
    }
    return {
      held: () => held,
      release: async () => {
        held = false;
        await client.end().catch(() => {});
      },
    };
  }

  /** @internal The statements the upload journal runs (see PostgresStoreInternals), as SqliteMappingStore.internals() gives its database. */
  internals(): PostgresStoreInternals {
    return this.#internals;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /** Runs one statement; a failure becomes a MappingStoreError saying it cannot do `what`. */
  async #query<Row extends pg.QueryResultRow>(what: string, sql: string, values: readonly unknown[] = []): Promise<Row[]> {
    try {
      return (await this.#pool.query<Row>(sql, [...values])).rows;
    } catch (error) {
      throw storeError(this.location, what, error);
    }
  }

  /** Runs `work` in one transaction on one connection: all of it is committed, or none. */
  async #transaction(what: string, work: (run: RunStatement) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.#pool.connect();
        // A server that ends the connection between two statements (a fast shutdown) emits an
        // error on the client, which would end the process: the next statement reports it instead.
        client.on('error', ignoreConnectionError);
        await client.query('BEGIN');
        const inTransaction = client;
        await work(async (sql, values = []) => (await inTransaction.query(sql, [...values])).rows);
        await client.query('COMMIT');
        client.off('error', ignoreConnectionError);
        client.release();
        return;
      } catch (error) {
        if (client !== undefined) {
          // A connection whose rollback fails is dropped rather than handed to the next caller.
          const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
          client.off('error', ignoreConnectionError);
          client.release(!rolledBack);
        }
        if (error instanceof MappingStoreError) throw error;
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(error) ?? '')) continue;
        throw storeError(this.location, what, error);
      }
    }
  }
}

/** See #transaction: a connection lost between statements is reported by the next one. */
function ignoreConnectionError(): void {}

async function migrate(pool: pg.Pool, location: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${POSTGRES_VERSION_TABLE} (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${POSTGRES_VERSION_TABLE}`);
    const found = rows[0]?.version ?? 0;
    if (found > POSTGRES_SCHEMA_VERSION) {
      throw new MappingStoreError(
        location,
        `the mapping store has schema version ${found}, written by a newer dicom-tools (this one knows up to version ${POSTGRES_SCHEMA_VERSION}); update dicom-tools`,
      );
    }
    for (const migration of POSTGRES_MIGRATIONS.slice(found)) await client.query(migration);
    if (rows.length === 0) await client.query(`INSERT INTO ${POSTGRES_VERSION_TABLE} (version) VALUES ($1)`, [POSTGRES_SCHEMA_VERSION]);
    else if (found !== POSTGRES_SCHEMA_VERSION) await client.query(`UPDATE ${POSTGRES_VERSION_TABLE} SET version = $1`, [POSTGRES_SCHEMA_VERSION]);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
    client.release(!rolledBack);
    throw error;
  }
}

/** An advisory lock held on a connection of its own. */
export interface HeldLock {
  /** False once the lock's connection is gone (the server released the lock with it) or it was released. */
  held(): boolean;
  release(): Promise<void>;
}

/** Runs one statement inside a transaction and resolves with its rows. */
export type RunStatement = <Row = Record<string, unknown>>(sql: string, values?: readonly unknown[]) => Promise<Row[]>;

function storeError(location: string, what: string, error: unknown): MappingStoreError {
  return new MappingStoreError(location, `cannot ${what}: ${describePostgresError(error)}`, { cause: error, unreachable: isUnreachable(error) });
}

/**
 * Whether the server cannot be reached or cannot serve now (down, restarting, connection lost,
 * out of disk or connections), as opposed to refusing this request: worth waiting for.
 */
export function isUnreachable(error: unknown): boolean {
  const state = sqlState(error);
  // 08: connection exception; 53: insufficient resources; 57P01-57P03: shut down, crashed, starting.
  if (state !== undefined) return state.startsWith('08') || state.startsWith('53') || ['57P01', '57P02', '57P03'].includes(state);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_PROBLEMS[code] !== undefined) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /connection terminated|connection error|not queryable|timeout/i.test(message);
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Network failures by Node's code: what the user can check. */
const NETWORK_PROBLEMS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the server refused the connection (is PostgreSQL running there?)',
  ENOENT: 'no server socket there (is PostgreSQL running?)',
  ENOTFOUND: 'the host name is not known',
  EAI_AGAIN: 'the host name cannot be looked up now',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the server closed the connection',
  EHOSTUNREACH: 'the host cannot be reached',
  // systemd's RestrictAddressFamilies=AF_UNIX (the shipped daemon unit) refuses TCP sockets.
  EAFNOSUPPORT: 'this process may not open network connections (under systemd: add the shared-store.conf drop-in)',
};

/**
 * What went wrong, safe to show: data errors (SQLSTATE classes 22 and 23) can quote the value
 * refused, which may be patient data, so only their code and constraint are shown; passwords are
 * never part of node-postgres' messages.
 */
export function describePostgresError(error: unknown): string {
  const state = sqlState(error);
  if (state !== undefined) {
    const { message, constraint } = error as pg.DatabaseError;
    if (state.startsWith('22') || state.startsWith('23')) return `the database refused a value (SQLSTATE ${state}${constraint ? `, constraint ${constraint}` : ''})`;
    if (state.startsWith('28')) return `${message}: check the user and password (in the URL, PGPASSWORD or ~/.pgpass) (SQLSTATE ${state})`;
    return `${message} (SQLSTATE ${state})`;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_PROBLEMS[code] !== undefined) return `cannot reach the server: ${NETWORK_PROBLEMS[code]}`;
  const message = error instanceof Error ? error.message : String(error);
  if (/timeout/i.test(message)) return `cannot reach the server: no answer within ${CONNECT_TIMEOUT_MS / 1000} s`;
  return message;
}
