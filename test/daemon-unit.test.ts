import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const unit = readFileSync(new URL('../daemon/dicom-tools-watch.service', import.meta.url), 'utf8');
const settings = new Map(
  unit
    .split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

describe('the systemd unit', () => {
  it('runs the daemon in the foreground as a dedicated user, configured from an environment file', () => {
    expect(settings.get('Type')).toBe('exec');
    expect(settings.get('User')).toBe('dicom-tools');
    expect(settings.get('EnvironmentFile')).toBe('/etc/dicom-tools/dicom-tools.env');
    expect(settings.get('ExecStart')).toMatch(/dist\/bin\/dicom-tools\.js watch$/);
    expect(settings.get('Restart')).toBe('on-failure');
  });

  it('is hardened without breaking Node (no MemoryDenyWriteExecute=yes)', () => {
    for (const key of ['NoNewPrivileges', 'PrivateTmp', 'ProtectHome', 'RestrictNamespaces']) expect(settings.get(key)).toBe('yes');
    expect(settings.get('ProtectSystem')).toBe('strict');
    expect(settings.get('ReadWritePaths')).toContain('/var/lib/dicom-tools');
    expect(settings.has('MemoryDenyWriteExecute')).toBe(false);
  });
});
