// A fake terminal for Ink's own render(): settable size with resize events, and the promise
// that settles when the app exits (ink-testing-library exposes neither).
import { EventEmitter } from 'node:events';
import { render, type Instance } from 'ink';
import type { ReactElement } from 'react';

class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
}

class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  #data: string | null = null;
  write = (data: string): void => {
    this.#data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const data = this.#data;
    this.#data = null;
    return data;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface FakeTerminal {
  readonly stdin: { write: (data: string) => void };
  readonly lastFrame: () => string | undefined;
  /** Changes the size and emits "resize", as a terminal window does. */
  readonly resize: (columns: number, rows: number) => void;
  /** Settles when the app calls exit() (or is unmounted). */
  readonly exited: Promise<unknown>;
  readonly instance: Instance;
}

/** Renders `tree` in a fake terminal of the given size. */
export function renderInTerminal(tree: ReactElement, columns = 80, rows = 24): FakeTerminal {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new FakeStdout(columns, rows) as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    stdin,
    lastFrame: () => stdout.frames.at(-1),
    resize: (newColumns, newRows) => {
      stdout.columns = newColumns;
      stdout.rows = newRows;
      stdout.emit('resize');
    },
    exited: instance.waitUntilExit(),
    instance,
  };
}
