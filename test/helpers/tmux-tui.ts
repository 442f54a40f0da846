// The real program in a real terminal: tmux runs the built dicom-tools tui in a pane of a given
// size; a test types keys with send-keys and reads the screen with capture-pane, polling until the
// expected text appears.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI } from './run-cli.js';

export const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

/** Keys sent by their tmux name; anything else is typed as literal text. */
const NAMED_KEYS = ['Enter', 'Tab', 'Escape', 'BSpace', 'Up', 'Down', 'Left', 'Right', 'Space'];

export interface TuiStart {
  /** Columns and rows of the pane. @default [100, 30] */
  readonly size?: readonly [columns: number, rows: number];
  /** The arguments after `tui`. @default ['in', '--out', 'out'] */
  readonly args?: readonly string[];
}

/** Our own tmux server, on a socket in a temporary folder: no other tmux session is touched. */
export class TmuxServer {
  readonly #socketDir = mkdtempSync(path.join(os.tmpdir(), 'tui-tmux-'));
  readonly #socket = path.join(this.#socketDir, 'tmux.sock');

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.#socket, ...args], { encoding: 'utf8' });
  }

  /**
   * Starts `dicom-tools tui` in `root` in a new session, with DICOM_DATA_DIR=root/data and the
   * secret; the shell stays open after it exits and prints its exit status.
   */
  startTui(session: string, root: string, secret: string, env: Record<string, string>, start: TuiStart = {}): void {
    const [columns, rows] = start.size ?? [100, 30];
    const variables = Object.entries({ DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: secret, TERM: 'xterm-256color', LANG: 'C.UTF-8', ...env }).map(([name, value]) => `${name}=${value}`);
    // Ink draws nothing until exit when it thinks it runs in CI, so CI markers are removed.
    const command = ['env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', ...variables, process.execPath, CLI, 'tui', ...(start.args ?? ['in', '--out', 'out'])];
    const shell = `${command.map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ')}; echo "exit status $?"; exec sleep 600`;
    this.tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), '-c', root, shell);
  }

  screen(session: string, escapes = false): string {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session);
  }

  /** Polls the pane until it contains `text`; fails with the screen it last saw. */
  async waitForScreen(session: string, text: string, timeout = 20_000): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const shown = this.screen(session);
      if (shown.includes(text)) return shown;
      if (Date.now() > deadline) throw new Error(`the terminal did not show ${JSON.stringify(text)} within ${timeout} ms; it showed:\n${shown}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends one key (a tmux key name like Enter or Tab, or literal text) and waits for `text`. */
  async key(session: string, keys: string, text: string): Promise<string> {
    if (NAMED_KEYS.includes(keys)) this.tmux('send-keys', '-t', session, keys);
    else this.tmux('send-keys', '-t', session, '-l', keys);
    return this.waitForScreen(session, text);
  }

  /** Ends the server and its sessions, and removes the socket's folder. */
  close(): void {
    if (HAS_TMUX) spawnSync('tmux', ['-S', this.#socket, 'kill-server']);
    rmSync(this.#socketDir, { recursive: true, force: true });
  }
}
