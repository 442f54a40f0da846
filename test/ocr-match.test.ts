import { describe, expect, it } from 'vitest';
import { matchWords, wordsToBlank } from '../src/pixels/ocr-match.js';
import type { OcrWord } from '../src/pixels/ocr-words.js';

// Which OCR words are patient text (issue 20): the file's own values in OCR's spellings, and
// anything that looks like a date, an ID or a labelled name; the rest of a screen stays.

/** Words as OCR would give them: one array per line, boxes side by side. */
function linesOfWords(...lines: readonly (readonly string[])[]): OcrWord[] {
  return lines.flatMap((texts, line) => texts.map((text, index) => ({ text, confidence: 90, line, box: { x: index * 100, y: line * 30, width: 90, height: 20 } })));
}

/** The texts matched, each with its reason. */
function matched(words: readonly OcrWord[], identifying: readonly string[] = []): string[] {
  return matchWords(words, identifying).map(({ index, reason }) => `${words[index]?.text ?? '?'}:${reason}`);
}

const IDENTIFYING = ['DOE^JANE', 'DOE', 'JANE', '12345678', '19640312'];

describe('OCR words to blank', () => {
  it("finds the file's own values as OCR spells them: carets misread, letters for digits, one letter wrong, values joined or split", () => {
    const words = linesOfWords(['DOE*JANE', 'DOE”', 'JANE', 'ID', '1234567B', 'I2S4567B'], ['JANF', 'ID12345678', '1234', '5678', 'Doe'], ['19640312', 'DOB:19640312']);
    expect(matched(words, IDENTIFYING)).toEqual([
      'DOE*JANE:identifying', 'DOE”:identifying', 'JANE:identifying', '1234567B:identifying', 'I2S4567B:identifying',
      'JANF:identifying', 'ID12345678:identifying', '1234:identifying', '5678:identifying', 'Doe:identifying',
      '19640312:identifying', 'DOB:19640312:identifying',
    ]);
  });

  it('takes dates in any common notation, split over words or not, without the file telling', () => {
    const words = linesOfWords(
      ['1964-03-12', '12.03.1964', '03/12/1964', '19640312', '12-MAR-1964', '12.03.64'],
      ['Born', '12', 'Mar', '1964'],
      ['March', '12,', '1964'],
      ['1964/3/12', '12MAR1964'],
    );
    expect(matched(words)).toEqual([
      '1964-03-12:date', '12.03.1964:date', '03/12/1964:date', '19640312:date', '12-MAR-1964:date', '12.03.64:date',
      '12:date', 'Mar:date', '1964:date', 'March:date', '12,:date', '1964:date', '1964/3/12:date', '12MAR1964:date',
    ]);
  });

  it('takes IDs (five characters or more, four of them digits) and names in DICOM form or after a label', () => {
    const words = linesOfWords(
      ['MRN:98765', 'A1234567', 'Acc#', '20240001'],
      ['SMITH^JOHN', 'ROE"', 'RICHARD'],
      ['Name:', 'John', 'Smith', '45Y'],
      ['Patient:', 'SMITH,', 'JOHN', 'Q.'],
    );
    expect(matched(words)).toEqual([
      'MRN:98765:id', 'A1234567:id', '20240001:id', 'SMITH^JOHN:name', 'ROE":name', 'RICHARD:name',
      'John:name', 'Smith:name', 'SMITH,:name', 'JOHN:name', 'Q.:name',
    ]);
  });

  it("leaves a scanner's settings, labels and anatomy alone", () => {
    const words = linesOfWords(
      ['MI', '1.2', 'TIS', '0.4', 'C5-1', '16cm', 'FR', '30Hz', 'Gain', '50%'],
      ['Abdomen', 'Liver', 'Exam', 'DOB', 'ID', 'Name:', '45Y', 'F', 'L', 'R'],
      ['Jane', 'Lane', 'Doe'],
    );
    // A one-letter value (a middle initial) would blank every such letter: orientation marks too.
    expect(matched(words, ['DOE^JANE^R', 'R'])).toEqual(['Jane:identifying', 'Lane:identifying', 'Doe:identifying']);
  });

  it('takes only the words next to a label, not the next field OCR put on the same line', () => {
    const at = (text: string, x: number): OcrWord => ({ text, confidence: 90, line: 0, box: { x, y: 40, width: text.length * 10, height: 16 } });
    const words = [at('Name:', 20), at('Jane', 90), at('Doe', 140), at('Exam', 330), at('Abdomen', 390)];
    expect(matched(words)).toEqual(['Jane:name', 'Doe:name']);
  });

  it('pads each matched box and clips it to the frame', () => {
    const word = (text: string, x: number, y: number): OcrWord => ({ text, confidence: 90, line: 0, box: { x, y, width: 30, height: 12 } });
    const boxes = wordsToBlank([word('12345678', 2, 1), word('TIS', 40, 10), word('19640312', 85, 40)], [], 4, { width: 100, height: 50 });
    expect(boxes).toEqual([{ x: 0, y: 0, width: 36, height: 17 }, { x: 81, y: 36, width: 19, height: 14 }]);
  });
});
