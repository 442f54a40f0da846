// The leak gate's matcher: an original's value is found as a whole value or whole tokens only, so a
// short value inside a longer one is no leak (issue 18: 58 false findings on the shared corpus).
import { describe, expect, it } from 'vitest';
import { findWhole, provesNothing, textHolds } from '../src/deid/leak-match.js';

const at = (haystack: string, value: string, uid = false) => findWhole(Buffer.from(haystack, 'latin1'), Buffer.from(value, 'latin1'), uid);

describe('findWhole', () => {
  it('finds a UID only as a whole UID, not inside a longer one', () => {
    expect(at('\u0000\u00001.2.840.10008.5.1.4.1.1.1\u0000', '1.1.1', true)).toBe(-1);
    expect(at('UI\u0006\u00001.1.1\u0000', '1.1.1', true)).toBe(4);
    expect(at('1.2.3.4.5', '1.2.3.4', true)).toBe(-1);
    expect(at('x1.2.3.4\\1.2.3.4.5', '1.2.3.4', true)).toBe(1);
    // A file named by the UID: the extension is no part of it.
    expect(at('1.2.3.4.dcm', '1.2.3.4', true)).toBe(0);
  });

  it('finds a time of day or a number only as a whole token, not among a new UID\'s digits', () => {
    expect(at('2.25.31412000099887766', '120000')).toBe(-1);
    expect(at('StudyTime 120000.000', '120000')).toBe(10);
    expect(at('12345678', '1234567')).toBe(-1);
  });

  it('finds names as whole tokens, in any text around them', () => {
    expect(at('Seen by SMITH^JOHN today', 'SMITH^JOHN')).toBe(8);
    expect(at('SMITHSON', 'SMITH')).toBe(-1);
    expect(at('DR SMITH.', 'SMITH')).toBe(3);
    // A byte of a multi-byte character counts as a letter.
    expect(findWhole(Buffer.from('MÜLLERS', 'utf8'), Buffer.from('LLERS', 'utf8'), false)).toBe(-1);
    expect(textHolds('SMITH_JOHN_PID12345.dcm', { value: 'PID12345', uid: false })).toBe(true);
  });
});

describe('provesNothing', () => {
  it('leaves out values shorter than 5 characters, our dummies and one character repeated', () => {
    expect(['1.1', 'ABCD', 'ANONYMIZED', '19000101', '00000000', '     '].filter(provesNothing)).toEqual(['1.1', 'ABCD', 'ANONYMIZED', '19000101', '00000000', '     ']);
    expect(['SMITH', '12345', '0.000000', '1.2.3.4.5'].filter(provesNothing)).toEqual([]);
  });
});
