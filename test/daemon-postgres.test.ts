import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDatabase, onServer, postgresBin, ThrowawayCluster, withDatabase } from '../scripts/throwaway-postgres.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { isTemporary } from '../src/io/temporary-name.js';
import { readDaemonStatus } from '../src/status/daemon-status.js';
import type { RecordedFile } from '../src/store/mapping-record.js';
import { openMappingStore, openUploadStore } from '../src/store/open-mapping-store.js';
import { runCli } from './helpers/run-cli.js';
import { corpusDir } from './helpers/corpus.js';
import { filesBelow, killLeftRunning, makeInstances, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';
import { POSTGRES_SKIP_REASON, postgresAvailable, usePostgres } from './helpers/postgres-server.js';

// The watch daemon on a PostgreSQL mapping store, as real processes on a real server: several
// daemons recording into one store, one killed and restarted, the server away for ten seconds,
// and a server that cannot be reached at all. The end state of each Sources folder, the records
// and the journal is checked; where it matters, when each record was committed.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-daemon-pg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'the daemon postgres tests secret, 0123456789';
const PASSWORD = 'hunter2-not-to-be-logged';
const keys = new Pseudonymizer(Buffer.from(SECRET, 'utf8'));
const ELE = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
const running: DaemonProcess[] = [];
afterEach(() => killLeftRunning(running));

const expectedName = (sopUid: string) => `${keys.uid(sopUid)}.dcm`;

/** One server's daemon: its own Sources, data folder and node name, recording into `mappingUrl`. */
function node(name: string, mappingUrl: string) {
  const sources = path.join(root, name, 'sources');
  const quarantine = path.join(root, name, 'quarantine');
  const data = path.join(root, name, 'data');
  mkdirSync(sources, { recursive: true });
  const env = {
    DICOM_ANONYMIZE_ON_UPLOAD: 'true',
    DICOM_DATA_DIR: data,
    DICOM_QUARANTINE_DIR: quarantine,
    DICOM_ANON_SECRET: SECRET,
    DICOM_MAPPING_URL: mappingUrl,
    DICOM_NODE_NAME: name,
    DICOM_WATCH_STABLE_MS: '100',
    DICOM_WATCH_POLL_MS: '100',
    DICOM_WATCH_RETRY_MS: '300',
  };
  const start = () => {
    const daemon = startDaemon(sources, env, ['--log-format', 'json']);
    running.push(daemon);
    return daemon;
  };
  return { name, sources, quarantine, data, start };
}

/** The log's events, in order. */
function events(daemon: DaemonProcess): { event: string; message: string }[] {
  return daemon
    .output()
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event: string; message: string });
}

async function recordsIn(mappingUrl: string): Promise<RecordedFile[]> {
  const store = await openMappingStore({ dataDir: path.join(root, 'reader'), mappingUrl });
  try {
    return await store.records();
  } finally {
    await store.close();
  }
}

async function journalRows(mappingUrl: string): Promise<number> {
  return onServer(mappingUrl, async (client) => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM upload_journal')).rows[0]?.n));
}

/** Copies the staged instances into Sources one by one, as an upload would. */
function upload(staging: string, sources: string, names: readonly string[]): void {
  for (const name of names) copyFileSync(path.join(staging, name), path.join(sources, name));
}

describe('the watch daemon with a PostgreSQL store it cannot reach', () => {
  it('waits, saying so without the password, touches no file, creates no SQLite store, and stops cleanly', async () => {
    const unreachable = node('unreachable', `postgres://maps:${PASSWORD}@127.0.0.1:1/mappings`);
    copyFileSync(ELE, path.join(unreachable.sources, 'IM1'));
    const daemon = unreachable.start();
    await waitUntil(() => events(daemon).some((line) => line.event === 'store-unreachable'), 'the daemon to say it waits');
    // Several attempts: it keeps waiting rather than giving up or falling back to SQLite.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [waiting] = events(daemon).filter((line) => line.event === 'store-unreachable');
    expect(waiting?.message).toContain('postgres://maps@127.0.0.1:1/mappings: cannot open the mapping store: cannot reach the server');
    expect(waiting?.message).toContain('waiting for the mapping store: no file is taken and no original removed until it answers');
    expect(events(daemon).filter((line) => line.event === 'store-unreachable')).toHaveLength(1); // once a minute, not per attempt
    expect(daemon.output()).not.toContain(PASSWORD);
    expect(filesBelow(unreachable.sources)).toEqual(['IM1']);
    expect(existsSync(path.join(unreachable.data, 'mapping.sqlite'))).toBe(false);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  }, 30_000);
});

describe.skipIf(!postgresAvailable())('watch daemons on several servers sharing one PostgreSQL store', () => {
  const database = usePostgres();

  it('refuses a second daemon under the same node name and Sources path (a cloned server), also one that comes while the first was cut off', async () => {
    const url = await database.fresh();
    const config = { dataDir: path.join(root, 'lock-data'), mappingUrl: url };
    const scope = { node: 'clone', sourcesDir: '/srv/dicom/sources' };
    const refusal = 'another watch daemon records /srv/dicom/sources as node clone in this store (a second server with the same DICOM_NODE_NAME, or host name?)';
    const first = await openUploadStore(config, scope);
    await expect(openUploadStore(config, scope)).rejects.toThrow(refusal);
    // Another node on the same path, or another folder of the same node: each has its own journal.
    for (const other of [{ ...scope, node: 'other' }, { ...scope, sourcesDir: '/srv/dicom/sources-2' }]) await (await openUploadStore(config, other)).close();
    // The server drops every connection of the first (a restart, a network cut); a clone claims the journal meanwhile.
    await onServer(url, (client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'));
    const clone = await openUploadStore(config, scope);
    await expect(first.probe()).rejects.toThrow(refusal);
    await expect(first.beginUploads([{ originalPath: '/srv/dicom/sources/IM1', outputPath: '/srv/dicom/sources/1.2.dcm' }])).rejects.toThrow(refusal);
    expect(await clone.journalEntries()).toEqual([]);
    await clone.close();
    // Once the clone is gone, the first carries on.
    await first.probe();
    await first.close();
  });

  it('record into one store; one killed mid-group and restarted loses nothing and records nothing twice', async () => {
    const url = await database.fresh();
    const a = node('node-a', url);
    const b = node('node-b', url);
    const COUNT = 150;
    const uidsA = await makeInstances(ELE, path.join(root, 'staging-a'), COUNT, 'A');
    const uidsB = await makeInstances(ELE, path.join(root, 'staging-b'), COUNT, 'BB');
    const namesOf = (prefix: string) => Array.from({ length: COUNT }, (_, index) => `${prefix}${index + 1}`);
    const daemonB = b.start();
    let daemonA = a.start();
    let startsA = 1;
    await waitUntil(() => [daemonA, daemonB].every((daemon) => events(daemon).some((line) => line.event === 'started')), 'both daemons to start');
    upload(path.join(root, 'staging-b'), b.sources, namesOf('BB'));
    upload(path.join(root, 'staging-a'), a.sources, namesOf('A'));

    // Kill node A as soon as some of its work is visible (writing, recording or removing), a few times.
    const recordedFrom = async (sources: string) => (await recordsIn(url)).filter((record) => record.originalFilename.startsWith(`${sources}/`)).length;
    let kills = 0;
    for (let round = 0; round < 4; round++) {
      // Recovered and watching first: what is visible from here on is this run's work.
      await waitUntil(() => events(daemonA).some((line) => line.event === 'started'), 'node A to start');
      const before = await recordedFrom(a.sources);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !filesBelow(a.sources).some((name) => isTemporary(path.basename(name))) && (await recordedFrom(a.sources)) <= before) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      daemonA.child.kill('SIGKILL');
      await daemonA.exited;
      kills++;
      if ((await recordedFrom(a.sources)) === COUNT) break;
      daemonA = a.start();
      startsA++;
    }
    expect(kills).toBeGreaterThan(1);
    if (daemonA.child.signalCode !== null) {
      daemonA = a.start();
      startsA++;
    }
    const done = async () => (await recordsIn(url)).length === 2 * COUNT;
    const deadline = Date.now() + 90_000;
    while (!((await done()) && filesBelow(a.sources).length === COUNT && filesBelow(b.sources).length === COUNT)) {
      if (Date.now() > deadline) throw new Error('timed out waiting for both Sources folders to be done');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const daemon of [daemonA, daemonB]) {
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    }

    // Every original gone, one output each, no temporary file; nothing quarantined.
    expect(filesBelow(a.sources)).toEqual(uidsA.map(expectedName).sort());
    expect(filesBelow(b.sources)).toEqual(uidsB.map(expectedName).sort());
    expect(filesBelow(a.quarantine)).toEqual([]);
    expect(filesBelow(b.quarantine)).toEqual([]);
    // One record per upload, each under its own folder; the pairs of both nodes; no journal left.
    const records = await recordsIn(url);
    expect(records).toHaveLength(2 * COUNT);
    expect(new Set(records.map((record) => record.originalFilename)).size).toBe(2 * COUNT);
    expect(records.filter((record) => record.originalFilename.startsWith(`${a.sources}/`))).toHaveLength(COUNT);
    const store = await openMappingStore({ dataDir: path.join(root, 'reader'), mappingUrl: url });
    const pairs = await store.uidPairs();
    const batches = await store.batches();
    await store.close();
    expect(pairs).toEqual(expect.arrayContaining([...uidsA, ...uidsB].map((uid) => ({ original: uid, anonymized: keys.uid(uid) }))));
    expect(new Set(pairs.map((pair) => pair.original)).size).toBe(pairs.length);
    expect(batches.filter((batch) => batch.source === 'daemon').length).toBe(startsA + 1);
    expect(await journalRows(url)).toBe(0);
    // Neither server's data folder holds a SQLite store: everything went to the shared one.
    for (const server of [a, b]) expect(existsSync(path.join(server.data, 'mapping.sqlite'))).toBe(false);
  }, 240_000);
});

const bin = postgresBin();
if (bin === undefined && process.env['DICOM_TEST_POSTGRES_REQUIRED'] === '1') throw new Error('DICOM_TEST_POSTGRES_REQUIRED=1 but PostgreSQL is not installed: the outage test needs a server of its own');
if (bin === undefined) process.stderr.write(`${POSTGRES_SKIP_REASON}\n`);

describe.skipIf(bin === undefined)('the watch daemon when PostgreSQL stops for ten seconds during a burst', () => {
  it('loses nothing, removes no original before its record is committed, and carries on when the server is back', async () => {
    // A server of its own, to stop and start; it keeps each commit's time, to check the order.
    const cluster = new ThrowawayCluster(bin as string, { settings: ['track_commit_timestamp=on'] });
    let watching = true;
    let watcher: Promise<void> = Promise.resolve();
    try {
      const server = cluster.start();
      const url = withDatabase(server, await createDatabase(server, 'dicom_tools_outage_'));
      const n = node('outage', url);
      const COUNT = 200;
      const staging = path.join(root, 'staging-outage');
      const uids = await makeInstances(ELE, staging, COUNT, 'OUT');
      const names = readdirSync(staging).sort();
      const daemon = n.start();
      await waitUntil(() => events(daemon).some((line) => line.event === 'started'), 'the daemon to start');

      // When each original was first seen gone, watched every 20 ms for the whole test.
      const uploaded = new Set<string>();
      const goneAt = new Map<string, number>();
      watcher = (async () => {
        while (watching) {
          const present = new Set(readdirSync(n.sources));
          for (const name of names) if (!present.has(name) && !goneAt.has(name) && uploaded.has(name)) goneAt.set(name, Date.now());
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const send = (batch: readonly string[]) => {
        upload(staging, n.sources, batch);
        for (const name of batch) uploaded.add(name);
      };

      send(names.slice(0, 120));
      await waitUntil(() => goneAt.size >= 10, 'the first files to be done', 30_000);
      cluster.pause();
      const stoppedAt = Date.now();
      send(names.slice(120));
      await waitUntil(() => events(daemon).some((line) => line.event === 'store-unreachable'), 'the daemon to notice', 9_000);
      // `dicom-tools status` says so meanwhile, naming the store without a password.
      await waitUntil(() => typeof readDaemonStatus(n.data)?.storeWaitingSince === 'string', 'the status to say the daemon waits', 5_000);
      const during = runCli(['status', '--json'], { env: { DICOM_DATA_DIR: n.data, DICOM_MAPPING_URL: url } });
      expect(JSON.parse(during.stdout)).toMatchObject({ daemon: { mappingStore: expect.stringMatching(/^PostgreSQL postgres:\/\/postgres@\/dicom_tools_outage_/), storeWaitingSince: expect.any(String) } });
      const goneBeforeStop = new Set([...goneAt].filter(([, at]) => at <= stoppedAt).map(([name]) => name));
      while (Date.now() - stoppedAt < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
      const goneDuringOutage = [...goneAt].filter(([name]) => !goneBeforeStop.has(name)).map(([name]) => name);
      expect(filesBelow(n.quarantine)).toEqual([]);
      cluster.resume();
      const resumedAt = Date.now();

      await waitUntil(() => goneAt.size === COUNT && filesBelow(n.sources).length === COUNT, 'the rest to be done', 60_000);
      expect(readDaemonStatus(n.data)?.storeWaitingSince).toBeNull();
      watching = false;
      await watcher;
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);

      const committed = await onServer(url, async (client) =>
        (await client.query<{ original: string; at: number }>('SELECT original_filename AS original, extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 AS at FROM files')).rows,
      );
      expect(committed).toHaveLength(COUNT);
      expect(new Set(committed.map((row) => row.original)).size).toBe(COUNT);
      // No original was removed before its record was committed; none of those removed while the
      // server was down was recorded after it (the outage gives a 10 s window to catch it).
      for (const { original, at } of committed) {
        const name = path.basename(original);
        // goneAt is a whole millisecond (Date.now()) taken after the removal, the commit time a
        // fraction: a removal right after its commit is seen in the same millisecond.
        expect({ name, committedBeforeRemoval: Number(at) < (goneAt.get(name) ?? 0) + 1 }).toEqual({ name, committedBeforeRemoval: true });
      }
      for (const name of goneDuringOutage) {
        const row = committed.find((entry) => path.basename(entry.original) === name);
        expect(Number(row?.at)).toBeLessThan(stoppedAt);
      }
      expect(filesBelow(n.sources)).toEqual(uids.map(expectedName).sort());
      expect(filesBelow(n.quarantine)).toEqual([]);
      // The daemon said it waited, and that the store was back, and finished the files of the outage after it.
      const log = events(daemon).map((line) => line.event);
      expect(log.indexOf('store-back')).toBeGreaterThan(log.indexOf('store-unreachable'));
      expect(committed.filter((row) => Number(row.at) >= resumedAt).length).toBeGreaterThan(0);
      expect(await journalRows(url)).toBe(0);
    } finally {
      watching = false;
      await watcher;
      cluster.stop();
    }
  }, 180_000);
});
