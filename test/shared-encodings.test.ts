import { TextDecoder } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeText, shortAsciiText } from '../src/dicom/character-set.js';
import { byteOrderOf } from '../src/dicom/byte-order.js';
import { decodeValue, stringValue } from '../src/dicom/decode-value.js';
import type { ElementEdit } from '../src/dicom/edits.js';
import type { Encoding } from '../src/dicom/model.js';
import type { Tag } from '../src/dicom/tag.js';
import type { Vr } from '../src/dicom/vr.js';
import { planDataSet, type PlanContext } from '../src/dicom/plan-data-set.js';

// A batch encodes the same new values file after file, and decodes thousands of short values: both
// take shortcuts, which must give exactly what the general paths give.

const EXPLICIT_LE: Encoding = { explicitVr: true, littleEndian: true };
const IMPLICIT_LE: Encoding = { explicitVr: false, littleEndian: true };
const EXPLICIT_BE: Encoding = { explicitVr: true, littleEndian: false };

/** The bytes planDataSet gives for adding one element to an empty data set. */
function added(tag: Tag, vr: Vr, value: string, encoding: Encoding): Buffer {
  const context: PlanContext = { encoding, characterSet: [], bytes: () => new Uint8Array(0) };
  const segments = planDataSet([], new Map<Tag, ElementEdit>([[tag, { op: 'set', vr, value }]]), context);
  return Buffer.concat(segments.map((segment) => (segment.kind === 'bytes' ? segment.bytes : Buffer.alloc(0))));
}

describe('new text elements shared between files', () => {
  it('are the same bytes each time', () => {
    const first = added(0x00100010, 'PN', 'ANON-ABCDEFGHIJ', EXPLICIT_LE);
    const again = added(0x00100010, 'PN', 'ANON-ABCDEFGHIJ', EXPLICIT_LE);
    expect(again).toEqual(first);
    expect([...first.subarray(0, 8)]).toEqual([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 16, 0]); // (0010,0010) PN, 16 bytes
    expect(first.subarray(8).toString('latin1')).toBe('ANON-ABCDEFGHIJ ');
  });

  it('follow the VR given each time: header and padding (the same tag can be LO in one file and UI in the next)', () => {
    const tag = 0x00291010; // a private element: its VR is whatever the file says
    const asLo = added(tag, 'LO', '1.2.3', EXPLICIT_LE);
    const asUi = added(tag, 'UI', '1.2.3', EXPLICIT_LE);
    expect(asLo.subarray(4, 6).toString('latin1')).toBe('LO');
    expect(asUi.subarray(4, 6).toString('latin1')).toBe('UI');
    expect(asLo[asLo.length - 1]).toBe(0x20); // strings pad with a space
    expect(asUi[asUi.length - 1]).toBe(0x00); // UIDs with NUL
    expect(added(tag, 'LO', '1.2.3', EXPLICIT_LE)).toEqual(asLo);
  });

  it('follow the encoding: implicit headers have no VR, big endian lengths are big endian', () => {
    const implicit = added(0x00080080, 'LO', 'X', IMPLICIT_LE);
    const bigEndian = added(0x00080080, 'LO', 'X', EXPLICIT_BE);
    const little = added(0x00080080, 'LO', 'X', EXPLICIT_LE);
    expect([...implicit]).toEqual([0x08, 0x00, 0x80, 0x00, 2, 0, 0, 0, 0x58, 0x20]);
    expect([...bigEndian]).toEqual([0x00, 0x08, 0x00, 0x80, 0x4c, 0x4f, 0, 2, 0x58, 0x20]);
    expect([...little]).toEqual([0x08, 0x00, 0x80, 0x00, 0x4c, 0x4f, 2, 0, 0x58, 0x20]);
  });

  it('still reject what the VR does not allow, every time', () => {
    expect(() => added(0x00080080, 'SH', 'seventeen letters', EXPLICIT_LE)).toThrow(/allows 16/);
    expect(() => added(0x00080080, 'SH', 'seventeen letters', EXPLICIT_LE)).toThrow(/allows 16/);
  });
});

describe('short ASCII values decoded without the decoder', () => {
  const latin1 = new TextDecoder('latin1'); // what the general path uses for the default repertoire

  it('are decoded as the decoder decodes them', () => {
    for (const text of ['', 'A', 'DOE^JOHN', '1.2.840.10008.1.2.1', 'x'.repeat(64)]) {
      const bytes = Buffer.from(text, 'latin1');
      expect(shortAsciiText(bytes)).toBe(latin1.decode(bytes));
    }
  });

  it('are only short, all-ASCII values: anything else goes to the decoder', () => {
    expect(shortAsciiText(Buffer.from('x'.repeat(65), 'latin1'))).toBeUndefined();
    expect(shortAsciiText(Uint8Array.of(0x41, 0x80, 0x42))).toBeUndefined();
    expect(decodeValue('LO', Uint8Array.of(0x41, 0x80, 0xe9), byteOrderOf(true))).toEqual({ kind: 'text', values: [latin1.decode(Uint8Array.of(0x41, 0x80, 0xe9))] });
    expect(decodeText(Uint8Array.of(0xc3, 0xa9), ['ISO_IR 192'])).toBe('é');
    expect(decodeText(Uint8Array.of(0xe9), ['ISO_IR 100'])).toBe('é');
  });

  it('lose their padding, and only their padding', () => {
    expect(stringValue(Buffer.from('1.2.3\0', 'latin1'))).toBe('1.2.3');
    expect(stringValue(Buffer.from(' A B  ', 'latin1'))).toBe(' A B');
    expect(stringValue(Buffer.from('\0 \0', 'latin1'))).toBe('');
    const decoded = decodeValue('CS', Buffer.from('ORIGINAL\\PRIMARY ', 'latin1'), byteOrderOf(true));
    expect(decoded).toEqual({ kind: 'text', values: ['ORIGINAL', 'PRIMARY'] });
  });
});
