// Driving Ink apps in tests: write a key, then poll the last frame until it shows what the key
// should have done. No fixed sleeps: each wait ends as soon as the frame is right, or fails with
// the frame it saw.

/** What a test needs of a rendered app: ink-testing-library's instance, or a FakeTerminal. */
export interface InkHandle {
  readonly stdin: { write: (data: string) => void };
  readonly lastFrame: () => string | undefined;
}

/** The bytes a terminal sends for each key. */
export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  home: '\u001B[H',
  end: '\u001B[F',
  enter: '\r',
  escape: '\u001B',
  space: ' ',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
  ctrlC: '\u0003',
  ctrlU: '\u0015',
} as const;

export type Until = string | RegExp | ((frame: string) => boolean);

export interface WaitOptions {
  /**
   * Generous: the wait ends as soon as the frame holds, and the whole suite shares two cores (one
   * frame took over 5 s to follow a key while the daemon tests ran beside it).
   * @default 15000
   */
  readonly timeout?: number;
}

const POLL_MS = 5;

function matcher(until: Until): (frame: string) => boolean {
  if (typeof until === 'string') return (frame) => frame.includes(until);
  if (until instanceof RegExp) return (frame) => until.test(frame);
  return until;
}

/** Polls `lastFrame()` until `until` holds; returns that frame, or fails showing the last one. */
export async function waitForFrame(app: InkHandle, until: Until, options: WaitOptions = {}): Promise<string> {
  const timeout = options.timeout ?? 15_000;
  const holds = matcher(until);
  const deadline = Date.now() + timeout;
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (holds(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`no frame matched ${String(until)} within ${timeout} ms; the last frame was:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Writes `key`, then waits for a new frame for which `until` holds. */
export async function press(app: InkHandle, key: string, until: Until, options: WaitOptions = {}): Promise<string> {
  const before = app.lastFrame();
  const holds = matcher(until);
  app.stdin.write(key);
  return waitForFrame(app, (frame) => frame !== before && holds(frame), options);
}

/** Types text one character at a time, each waiting for the frame to show it so far. */
export async function type(app: InkHandle, text: string, shownAs: (typed: string) => Until): Promise<string> {
  let frame = app.lastFrame() ?? '';
  for (let index = 1; index <= text.length; index++) frame = await press(app, text.slice(index - 1, index), shownAs(text.slice(0, index)));
  return frame;
}

/** The frame's lines without trailing spaces. */
export function lines(frame: string): string[] {
  return frame.split('\n').map((line) => line.trimEnd());
}

/** The one line of the frame that contains `text`, trailing spaces cut; fails if there is none. */
export function lineWith(frame: string, text: string): string {
  const found = lines(frame).filter((line) => line.includes(text));
  if (found.length === 0) throw new Error(`no line contains ${JSON.stringify(text)} in:\n${frame}`);
  return found[0] ?? '';
}
