/** Where a value starts: 1-based line and column. */
export interface JsonPosition {
  readonly line: number;
  readonly column: number;
}

/** Text that is not JSON; `problem` says what was expected, never quoting the text. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly at: JsonPosition,
    readonly problem: string,
  ) {
    super(`line ${at.line}, column ${at.column}: ${problem}`);
  }
}

/**
 * A place in JSON text that knows its line and column, so that each value and each error can say
 * where it is. Only whitespace crosses a line break: inside a string one is an error.
 */
export class JsonCursor {
  /** Offset of the next character to read. */
  at: number;
  private line = 1;
  private lineStart: number;

  constructor(readonly text: string) {
    // A leading byte order mark is no part of the JSON: column 1 is after it.
    this.at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.lineStart = this.at;
  }

  /** The character at the cursor; undefined at the end of the text. */
  get char(): string | undefined {
    return this.text[this.at];
  }

  position(): JsonPosition {
    return { line: this.line, column: this.at - this.lineStart + 1 };
  }

  /** @throws JsonSyntaxError at the cursor. */
  fail(problem: string): never {
    throw new JsonSyntaxError(this.position(), problem);
  }

  skipSpace(): void {
    for (;;) {
      const char = this.char;
      if (char === '\n') {
        this.at++;
        this.line++;
        this.lineStart = this.at;
      } else if (char === ' ' || char === '\t' || char === '\r') this.at++;
      else return;
    }
  }

  /** Steps over `char` after any whitespace; `what` names it in the error when it is not there. */
  expect(char: string, what: string): void {
    this.skipSpace();
    if (this.char !== char) this.fail(`expected ${what}`);
    this.at++;
  }
}
