import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { postgresAvailable } from './helpers/postgres-server.js';

// Benchmarks are not timed tests: this runs the tiny benchmark only to prove it works end to end
// (generation, cp and dicom-tools runs, verification, daemon drop) and prints what it should.

const root = fileURLToPath(new URL('..', import.meta.url));
// CI's server serves the PostgreSQL rows too; without it the benchmark starts a cluster of its own
// when PostgreSQL is installed, and else says that it skips them.
const withPostgres = postgresAvailable();
const testServer = process.env['DICOM_TEST_POSTGRES_URL'] || undefined;

describe('npm run bench -- --tiny', () => {
  it('generates W1-W3, times cp, a plain Node.js copy and dicom-tools with each mapping store, verifies the outputs and runs the daemon', () => {
    const env = { ...process.env, ...(testServer !== undefined && { DICOM_BENCH_POSTGRES_URL: testServer }) };
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--tiny'], { cwd: root, env, encoding: 'utf8', timeout: 240_000 });
    expect(result.stderr).not.toContain('benchmark failed');
    expect(result.status).toBe(0);
    for (const workload of ['W1', 'W2', 'W3']) expect(result.stdout).toMatch(new RegExp(`${workload}: .* files, [\\d.]+ MB`));
    // Each dicom-tools row's last outputs are checked, and its store holds a record of every file.
    const verified = (row: string) => result.stdout.match(new RegExp(`^  ${row}: (\\d+) outputs verified: pixel data unchanged, identity removed; \\1 mapping records in its store$`, 'gm'));
    expect(verified('anonymize')).toHaveLength(3);
    // Median wall time (range), rates, peak RSS and the ratio to cp, for each contender of each workload.
    const timed = (row: string) => `${row} +[\\d.]+ s \\([\\d.]+–[\\d.]+\\) +[\\d.]+ files/s +[\\d.]+ MB/s +peak RSS +[\\d.]+ MiB +[\\d.]+× cp \\([\\d.]+–[\\d.]+\\)`;
    for (const contender of ['cp\\+sync', 'node copy', 'anonymize']) {
      expect(result.stdout.match(new RegExp(`^  ${timed(contender)}`, 'gm'))).toHaveLength(3);
    }
    if (withPostgres) {
      // W1 and W2 only, paired with the SQLite row of the same rounds.
      expect(result.stdout).toMatch(/^PostgreSQL rows: .*\(PostgreSQL [\d.]+.*, fsync (on|off), synchronous_commit \w+\); each run records into a new database, its tables made$/m);
      expect(verified('anonymize \\(PostgreSQL\\)')).toHaveLength(2);
      const postgresRows = result.stdout.match(new RegExp(`^  ${timed('anonymize \\(PostgreSQL\\)')} +[\\d.]+× cp\\+sync +[+-][\\d.]+ % vs SQLite \\([+-][\\d.]+ % to [+-][\\d.]+ %\\)$`, 'gm'));
      expect(postgresRows).toHaveLength(2);
    } else {
      expect(result.stdout).toMatch(/^PostgreSQL rows skipped: no server \(install .*DICOM_BENCH_POSTGRES_URL=/m);
    }
    expect(result.stdout).toMatch(/arrival -> anonymized delay: median \d+ ms, p95 \d+ ms/);
    expect(result.stdout).toMatch(/originals left: 0/);
  }, 300_000);
});
