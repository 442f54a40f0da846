import { describe, expect, it } from 'vitest';
import { describeDaemonStatus, type DaemonStatus } from '../src/status/daemon-status.js';

const record: DaemonStatus = {
  pid: process.pid,
  runningSince: '2026-12-07T08:00:00.000Z',
  watchedFolder: '/srv/sources',
  queueLength: 1,
  doneToday: 0,
  quarantined: 0,
  lastError: null,
  state: 'running',
  updatedAt: '2026-12-07T08:00:00.000Z',
};

describe('the daemon status lines', () => {
  it('counts the queue of a running daemon, one file or more', () => {
    expect(describeDaemonStatus(record)).toContain('Queue: 1 file');
    expect(describeDaemonStatus({ ...record, queueLength: 3 })).toContain('Queue: 3 files');
  });

  it('shows no queue for a daemon that stopped, in the plural its zero takes (its record may still say 1)', () => {
    expect(describeDaemonStatus({ ...record, state: 'stopped' })).toContain('Queue: 0 files');
  });
});
