import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Benchmarks are not timed tests: this runs the tiny benchmark only to prove it works end to end
// (generation, cp and dicom-tools runs, verification, daemon drop) and prints what it should.

const root = fileURLToPath(new URL('..', import.meta.url));

describe('npm run bench -- --tiny', () => {
  it('generates W1-W3, times cp, a plain Node.js copy and dicom-tools, verifies the outputs and runs the daemon', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--tiny'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    expect(result.stderr).not.toContain('benchmark failed');
    expect(result.status).toBe(0);
    for (const workload of ['W1', 'W2', 'W3']) expect(result.stdout).toMatch(new RegExp(`${workload}: .* files, [\\d.]+ MB`));
    expect(result.stdout.match(/outputs verified: pixel data unchanged, identity removed/g)).toHaveLength(3);
    // Median wall time (range), rates, peak RSS and the ratio to cp, for each contender of each workload.
    for (const contender of ['cp\\+sync', 'node copy', 'anonymize']) {
      expect(result.stdout.match(new RegExp(`${contender} +[\\d.]+ s \\([\\d.]+–[\\d.]+\\) +[\\d.]+ files/s +[\\d.]+ MB/s +peak RSS +[\\d.]+ MiB +[\\d.]+× cp`, 'g'))).toHaveLength(3);
    }
    expect(result.stdout).toMatch(/arrival -> anonymized delay: median \d+ ms, p95 \d+ ms/);
    expect(result.stdout).toMatch(/originals left: 0/);
  }, 300_000);
});
