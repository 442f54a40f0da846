import { createHmac } from 'node:crypto';

// Keyed, stateless replacements: the same input and secret give the same output on every machine,
// in every batch, with no lookup; without the secret nobody can compute or reverse them.

/** Keeps a secret and derives replacement UIDs, patient pseudonyms and date offsets from it. */
export class Pseudonymizer {
  private readonly uidCache = new Map<string, string>();
  private readonly patientCache = new Map<string, { readonly pseudonym: string; readonly shiftDays: number }>();

  constructor(private readonly secret: Uint8Array) {
    if (secret.length < 16) throw new Error('the de-identification secret must be at least 16 bytes');
  }

  /** The key, for worker threads of the same batch. */
  secretBytes(): Uint8Array {
    return Uint8Array.from(this.secret);
  }

  /** `2.25.` + the decimal value of the first 128 bits of HMAC-SHA-256(secret, uid). */
  uid(original: string): string {
    let mapped = this.uidCache.get(original);
    if (mapped === undefined) {
      const digest = createHmac('sha256', this.secret).update(original, 'latin1').digest();
      mapped = `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString(10)}`;
      if (this.uidCache.size > 100_000) this.uidCache.clear();
      this.uidCache.set(original, mapped);
    }
    return mapped;
  }

  /** `ANON-` + 10 base32 characters from HMAC(secret, Patient ID + Issuer): one patient, one pseudonym. */
  patient(patientKey: PatientKey): string {
    return this.derivedForPatient(patientKey).pseudonym;
  }

  /** Days to move this patient's dates: between 1 and 3650 days back, fixed per patient. */
  dateShiftDays(patientKey: PatientKey): number {
    return this.derivedForPatient(patientKey).shiftDays;
  }

  /** Both per-patient values, computed once per patient: a study's files all ask for them. */
  private derivedForPatient(patientKey: PatientKey): { readonly pseudonym: string; readonly shiftDays: number } {
    const key = `${patientKey.id}\u0000${patientKey.issuer}`;
    let derived = this.patientCache.get(key);
    if (!derived) {
      const pseudonymDigest = createHmac('sha256', this.secret).update(`patient\u0000${key}`, 'utf8').digest();
      const shiftDigest = createHmac('sha256', this.secret).update(`date-shift\u0000${key}`, 'utf8').digest();
      derived = { pseudonym: `ANON-${base32(pseudonymDigest).slice(0, 10)}`, shiftDays: -(1 + (shiftDigest.readUInt32BE(0) % 3650)) };
      if (this.patientCache.size > 10_000) this.patientCache.clear();
      this.patientCache.set(key, derived);
    }
    return derived;
  }

  /** A site rule's hash of a text value: 16 base32 characters of HMAC(secret, value); one value, one token, in every attribute. */
  hashToken(value: string): string {
    return base32(createHmac('sha256', this.secret).update(`site-hash\u0000${value}`, 'utf8').digest()).slice(0, 16);
  }

  /**
   * The watch daemon's name for an upload in its log, status, quarantine and mapping row: `u-` + 8 hex
   * digits of HMAC(secret, path in Sources). The same path always gets the same id; without the
   * secret it cannot be turned back into the name (which often carries the patient's).
   */
  uploadId(pathInSources: string): string {
    return `u-${createHmac('sha256', this.secret).update(`upload\u0000${pathInSources}`, 'utf8').digest('hex').slice(0, 8)}`;
  }

  /** A PHI-free stand-in for a value (file names without a SOP Instance UID). */
  token(value: string): string {
    return createHmac('sha256', this.secret).update(`token\u0000${value}`, 'utf8').digest('hex').slice(0, 24);
  }
}

/** What identifies a patient: Patient ID with its issuer (or, without an ID, name and birth date). */
export interface PatientKey {
  readonly id: string;
  readonly issuer: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}
