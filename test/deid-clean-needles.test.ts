import { describe, expect, it } from 'vitest';
import { NeedleSet, cutOut, isUsableNeedle, type NeedleKind } from '../src/deid/clean-text.js';
import { datePattern } from '../src/deid/date-notations.js';

// The text cleaner's own rules: which identifying values may be cut out of kept text (long enough,
// not generic), how they are matched (case, word boundaries, Unicode, longest first), and the
// notations a date is found in.

function clean(text: string, needles: readonly (readonly [string, NeedleKind])[]): string {
  const set = new NeedleSet();
  for (const [value, kind] of needles) set.add(value, kind);
  return cutOut(text, set.matcher(), '[removed]');
}

describe('which values are needles', () => {
  it('drops one-letter initials, generic answers and titles, and short numbers; keeps two-letter names and long IDs', () => {
    for (const value of ['M', 'YES', 'No', 'Dr.', 'von', 'UNKNOWN', '12', '123']) expect([value, isUsableNeedle(value.replace(/\.$/, ''), 'name')]).toEqual([value, false]);
    for (const value of ['Li', 'Max', 'Mustermann', '4711', 'ACC20240099']) expect([value, isUsableNeedle(value, 'name')]).toEqual([value, true]);
    // Other text needs three characters: a two-letter station code ("CT") is a modality, not an identity.
    expect(isUsableNeedle('CT', 'text')).toBe(false);
    expect(isUsableNeedle('MR1', 'text')).toBe(true);
  });

  it('leaves text alone when every value is generic or short', () => {
    expect(clean('T1 M YES 12 mm', [['M', 'name'], ['YES', 'text'], ['12', 'text']])).toBe('T1 M YES 12 mm');
  });
});

describe('matching', () => {
  it('cuts case-insensitively, on word boundaries only, the longest value first', () => {
    expect(clean('Thorax MUSTERMANN followup', [['Mustermann', 'name']])).toBe('Thorax [removed] followup');
    expect(clean('Maximilian and Max', [['Max', 'name'], ['Maximilian', 'name']])).toBe('[removed] and [removed]');
    expect(clean('Maxilla CT', [['Max', 'name']])).toBe('Maxilla CT');
    expect(clean('Lina', [['Li', 'name']])).toBe('Lina');
  });

  it('is Unicode-aware: umlauts are letters, upper and lower case match, and the spelled-out form is found too', () => {
    expect(clean('Befund WEISSENFELS / weißenfels, Jörgen', [['Weißenfels', 'name'], ['Jörg', 'name']])).toBe('Befund [removed] / [removed], Jörgen');
    expect(clean('Dr. Mueller und Müller', [['Müller', 'name']])).toBe('Dr. [removed] und [removed]');
  });

  it('finds a phone number whatever its separators, and not inside a longer number', () => {
    const needles = [['+49 30 1234567', 'phone']] as const;
    expect(clean('call 49-30-123 4567 or (49) 30/1234567', needles)).toBe('call [removed] or ([removed]');
    expect(clean('ref 9493012345678', needles)).toBe('ref 9493012345678');
  });

  it('finds an address whole, by its parts and by its longer words', () => {
    const needles = [['Hauptstraße 5, 12345 Berlin', 'words']] as const;
    expect(clean('lives Hauptstraße 5, 12345 Berlin', needles)).toBe('lives [removed]');
    expect(clean('from Berlin, zip 12345; Hauptstraße', needles)).toBe('from [removed], zip [removed]; [removed]');
    expect(clean('Tumor 5 mm', needles)).toBe('Tumor 5 mm');
  });
});

describe('dates', () => {
  const notations = [
    '20210312', '2021-03-12', '2021/03/12', '2021.3.12', '12.03.2021', '12.3.2021', '12.03.21', '12/03/2021', '03/12/2021', '3/12/2021',
    '12-03-2021', '12 Mar 2021', '12-MAR-2021', '12th March 2021', '12. März 2021', '12.März 2021', '12. Mrz. 2021', 'March 12, 2021', 'Mar. 12 2021',
  ];

  it.each(notations)('finds 2021-03-12 written as %s', (notation) => {
    expect(clean(`seen ${notation} again`, [['20210312', 'date']])).toBe('seen [removed] again');
  });

  it('leaves other dates, and numbers that merely contain the digits', () => {
    for (const text of ['13.03.2021', '2021-03-13', '120320210', '12 Apr 2021', 'v2.12.03.2021x']) expect(clean(text, [['20210312', 'date']])).toBe(text);
  });

  it('reads the date of a DT and refuses what is not a full date', () => {
    expect(clean('at 12.03.2021', [['20210312093015.000000+0100', 'date']])).toBe('at [removed]');
    expect(datePattern('2021')).toBeUndefined();
    expect(datePattern('20211350')).toBeUndefined();
  });
});
