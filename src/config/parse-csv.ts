/** One record of a CSV file and the line it starts on (1-based), for messages that must not quote values. */
export interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
}

/** A CSV file that breaks RFC 4180; the message names the line, never a value. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Parses CSV text (RFC 4180): fields separated by commas, records by CRLF or LF; a field in double
 * quotes may hold commas, line breaks and doubled quotes. A leading byte order mark and blank lines
 * are ignored: spreadsheets write the one, hand edits leave the other.
 *
 * @throws CsvSyntaxError for a quote inside an unquoted field, text after a closing quote, or a quote never closed.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let at = text.startsWith('\uFEFF') ? 1 : 0;
  let line = 1;
  while (at < text.length) {
    const start = line;
    const fields: string[] = [];
    let blank = true;
    for (;;) {
      let field = '';
      if (text[at] === '"') {
        blank = false;
        at++;
        for (;;) {
          if (at >= text.length) throw new CsvSyntaxError(start, 'a quoted field is never closed');
          const char = text[at] as string;
          if (char === '"') {
            if (text[at + 1] === '"') {
              field += '"';
              at += 2;
              continue;
            }
            at++;
            break;
          }
          if (char === '\n') line++;
          field += char;
          at++;
        }
        if (at < text.length && text[at] !== ',' && text[at] !== '\n' && !(text[at] === '\r' && text[at + 1] === '\n')) {
          throw new CsvSyntaxError(line, 'text after the closing quote of a field');
        }
      } else {
        while (at < text.length && text[at] !== ',' && text[at] !== '\n' && !(text[at] === '\r' && text[at + 1] === '\n')) {
          if (text[at] === '"') throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field and double the quote)');
          field += text[at];
          at++;
        }
        if (field !== '') blank = false;
      }
      fields.push(field);
      if (text[at] === ',') {
        blank = false;
        at++;
        continue;
      }
      // End of the record: a line break (CRLF or LF) or the end of the text.
      if (text[at] === '\r') at++;
      if (text[at] === '\n') {
        at++;
        line++;
      }
      break;
    }
    if (!blank) records.push({ fields, line: start });
  }
  return records;
}
