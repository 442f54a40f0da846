import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from '../src/config/parse-csv.js';

const fields = (text: string) => parseCsv(text).map((record) => [...record.fields]);
const lines = (text: string) => parseCsv(text).map((record) => record.line);

describe('parseCsv (RFC 4180)', () => {
  it('splits records on LF and CRLF, and a last record without a line break', () => {
    expect(fields('a,b\nc,d\r\ne,f')).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f']]);
    expect(lines('a,b\nc,d\r\ne,f')).toEqual([1, 2, 3]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, numbering records by their first line', () => {
    const text = 'x,"a, b"\r\n"say ""hi""","two\r\nlines"\ny,z\n';
    expect(fields(text)).toEqual([['x', 'a, b'], ['say "hi"', 'two\r\nlines'], ['y', 'z']]);
    expect(lines(text)).toEqual([1, 2, 4]);
  });

  it('keeps empty fields, an empty quoted field, and spaces as they are', () => {
    expect(fields('a,,c\n"",b, c \n')).toEqual([['a', '', 'c'], ['', 'b', ' c ']]);
  });

  it('ignores a byte order mark and blank lines, which still count for line numbers', () => {
    const text = '\uFEFFa,b\n\r\n\nc,d\n\n';
    expect(fields(text)).toEqual([['a', 'b'], ['c', 'd']]);
    expect(lines(text)).toEqual([1, 4]);
  });

  it('rejects a quote inside an unquoted field, text after a closing quote and an unclosed quote, naming the line', () => {
    const problem = (text: string) => {
      try {
        parseCsv(text);
      } catch (error) {
        if (error instanceof CsvSyntaxError) return error.message;
        throw error;
      }
      return 'no error';
    };
    expect(problem('a,b\nc,d"e\n')).toBe('line 2: a quote inside an unquoted field (quote the whole field and double the quote)');
    expect(problem('a,b\n\n"c"d,e\n')).toBe('line 3: text after the closing quote of a field');
    expect(problem('a,b\nc,"d\n\n')).toBe('line 2: a quoted field is never closed');
  });
});
