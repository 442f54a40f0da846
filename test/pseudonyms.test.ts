import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shiftDa, shiftDt } from '../src/deid/date-shift.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';

const secret = Buffer.from('a test secret of thirty-two bytes!', 'utf8');

describe('keyed UIDs', () => {
  const keys = new Pseudonymizer(secret);

  it('are 2.25. plus the decimal value of the first 128 bits of HMAC-SHA-256(secret, UID)', () => {
    const uid = '1.2.840.113619.2.55.3.604688119.969.1268071029.320';
    const digest = createHmac('sha256', secret).update(uid).digest();
    expect(keys.uid(uid)).toBe(`2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`)}`);
  });

  it('are the same for the same UID and secret, in another instance too, and differ otherwise', () => {
    expect(new Pseudonymizer(Buffer.from(secret)).uid('1.2.3')).toBe(keys.uid('1.2.3'));
    expect(keys.uid('1.2.4')).not.toBe(keys.uid('1.2.3'));
    expect(new Pseudonymizer(Buffer.alloc(32, 1)).uid('1.2.3')).not.toBe(keys.uid('1.2.3'));
  });

  it('are valid UIDs of at most 64 characters', () => {
    for (let index = 0; index < 2000; index++) {
      const uid = keys.uid(`1.2.826.0.1.${index}`);
      expect(uid.length).toBeLessThanOrEqual(64);
      expect(uid).toMatch(/^2\.25\.(0|[1-9]\d*)$/);
    }
  });

  it('refuses a secret shorter than 16 bytes', () => {
    expect(() => new Pseudonymizer(Buffer.alloc(8))).toThrow('at least 16 bytes');
  });
});

describe('patient pseudonyms and date offsets', () => {
  const keys = new Pseudonymizer(secret);

  it('are ANON- and 10 base32 characters, one per Patient ID and issuer', () => {
    const pseudonym = keys.patient({ id: 'PAT-001', issuer: 'HOSP' });
    expect(pseudonym).toMatch(/^ANON-[A-Z2-7]{10}$/);
    expect(keys.patient({ id: 'PAT-001', issuer: 'HOSP' })).toBe(pseudonym);
    expect(keys.patient({ id: 'PAT-001', issuer: 'OTHER' })).not.toBe(pseudonym);
    expect(new Pseudonymizer(Buffer.alloc(32, 3)).patient({ id: 'PAT-001', issuer: 'HOSP' })).not.toBe(pseudonym);
  });

  it('shift a patient by a fixed 1 to 3650 days back', () => {
    const days = keys.dateShiftDays({ id: 'PAT-001', issuer: '' });
    expect(days).toBeLessThanOrEqual(-1);
    expect(days).toBeGreaterThanOrEqual(-3650);
    expect(keys.dateShiftDays({ id: 'PAT-001', issuer: '' })).toBe(days);
  });
});

describe('date shifting', () => {
  it('moves DA values, ranges and ACR-NEMA dates, keeping them valid', () => {
    expect(shiftDa('20240301', -1)).toBe('20240229');
    expect(shiftDa('20000101', -365)).toBe('19990101');
    expect(shiftDa('1995.07.20', -20)).toBe('19950630');
    expect(shiftDa('20240101-20240131', -1)).toBe('20231231-20240130');
    expect(shiftDa('20240231', -1)).toBeUndefined();
    expect(shiftDa('2024', -1)).toBeUndefined();
  });

  it('moves the date of a DT value and keeps time, fraction and offset', () => {
    expect(shiftDt('20240301123456.123456+0100', -1)).toBe('20240229123456.123456+0100');
    expect(shiftDt('20240301', -10)).toBe('20240220');
    expect(shiftDt('2024', -10)).toBeUndefined();
  });
});
