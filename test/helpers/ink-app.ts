// The TUI on real temporary folders: corpus files copied into an input folder, a real mapping
// store in a temporary DICOM_DATA_DIR, the real engine. Tests replace single dependencies (the
// clock, the pace of a run) through `deps`.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { loadConfig, type Config } from '../../src/config/config.js';
import { DEFAULT_OPTIONS, type DeidOptions } from '../../src/deid/options.js';
import { App } from '../../tui/App.js';
import { MESSAGES, type Language } from '../../tui/messages.js';
import { RunSession } from '../../tui/run-session.js';
import { themeFromEnv, type Theme } from '../../tui/theme.js';
import { createTuiDeps, type TuiDeps } from '../../tui/tui-deps.js';
import type { TerminalSize } from '../../tui/use-terminal-size.js';
import { corpusDir } from './corpus.js';
import { renderInTerminal, type FakeTerminal } from './ink-terminal.js';
import { waitForFrame, type InkHandle } from './ink-keys.js';

/** A secret for DICOM_ANON_SECRET (at least 16 characters). */
export const TEST_SECRET = 'tui-test-secret-0123456789';

export interface Workspace {
  readonly root: string;
  /** The folder the browser starts in, holding the copied files. */
  readonly input: string;
  readonly outDir: string;
  readonly dataDir: string;
  readonly config: Config;
}

/** Input files: name in the input folder → corpus file name, or `{ text }` for a file that is not DICOM. */
export type InputFiles = Readonly<Record<string, string | { readonly text: string }>>;

export const STANDARD_INPUT: InputFiles = {
  'report.dcm': 'fodicom_GH178.dcm',
  'greek.dcm': 'fodicom_chrGreek.dcm',
  'series/noextension': 'fodicom_chrRuss.dcm',
  'notes.txt': { text: 'not an image\n' },
};

const workspaces: string[] = [];

/** `env`: more DICOM_* settings for the workspace's configuration (paths in it relative to the workspace root). */
export function createWorkspace(files: InputFiles = STANDARD_INPUT, env: Readonly<Record<string, string>> = {}): Workspace {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tui-'));
  workspaces.push(root);
  const input = path.join(root, 'in');
  for (const [name, source] of Object.entries(files)) {
    const target = path.join(input, name);
    mkdirSync(path.dirname(target), { recursive: true });
    if (typeof source === 'string') {
      copyFileSync(path.join(corpusDir, source), target);
      chmodSync(target, 0o644);
    } else writeFileSync(target, source.text);
  }
  mkdirSync(input, { recursive: true });
  const dataDir = path.join(root, 'data');
  const config = loadConfig({ env: { DICOM_DATA_DIR: dataDir, DICOM_ANON_SECRET: TEST_SECRET, ...env }, cwd: root });
  return { root, input, outDir: path.join(root, 'out'), dataDir, config };
}

export interface RenderOptions {
  readonly deps?: Partial<TuiDeps>;
  readonly language?: Language;
  /** @default 80×24; `null` lets the App measure its terminal. */
  readonly size?: TerminalSize | null;
  readonly theme?: Theme;
  readonly startDir?: string;
  /** The options the Configure step starts with. @default DEFAULT_OPTIONS */
  readonly defaults?: DeidOptions;
}

export type RenderedApp = ReturnType<typeof render> & { readonly session: RunSession; readonly deps: TuiDeps };

export type AppInTerminal = FakeTerminal & { readonly session: RunSession };

const rendered: { readonly unmount: () => void; readonly session: RunSession }[] = [];

function appElement(workspace: Workspace, options: RenderOptions) {
  const deps: TuiDeps = { ...createTuiDeps(workspace.config), ...options.deps };
  const session = new RunSession(deps);
  const size = options.size === undefined ? { columns: 80, rows: 24 } : options.size;
  const element = createElement(App, {
    deps,
    session,
    startDir: options.startDir ?? workspace.input,
    outDir: workspace.outDir,
    cwd: workspace.root,
    defaults: options.defaults ?? DEFAULT_OPTIONS,
    messages: MESSAGES[options.language ?? 'en'],
    theme: options.theme ?? themeFromEnv({ NO_COLOR: '1' }),
    ...(size === null ? {} : { size }),
  });
  return { element, deps, session };
}

/** Renders the whole App with ink-testing-library at 80×24 (English, no colour) on the workspace. */
export function renderApp(workspace: Workspace, options: RenderOptions = {}): RenderedApp {
  const { element, deps, session } = appElement(workspace, options);
  const handle = Object.assign(render(element), { session, deps });
  rendered.push(handle);
  return handle;
}

/** Renders the App in a fake terminal it measures itself (resizable, with exit()). */
export function renderAppInTerminal(workspace: Workspace, columns: number, rows: number, options: RenderOptions = {}): AppInTerminal {
  const { element, session } = appElement(workspace, { ...options, size: null });
  const terminal = renderInTerminal(element, columns, rows);
  rendered.push({ unmount: () => terminal.instance.unmount(), session });
  return Object.assign(terminal, { session });
}

/** Unmounts every app, waits for runs in flight, closes stores and removes the workspaces. For afterEach. */
export async function cleanupApps(): Promise<void> {
  for (const app of rendered.splice(0)) {
    app.unmount();
    await app.session.settle();
    await app.session.close();
  }
  for (const root of workspaces.splice(0)) rmSync(root, { recursive: true, force: true });
}

/**
 * Waits until the browser lists the start folder. The first frame comes before the listing: a key
 * pressed then acts on the lone ".." row ("a" can still select, End cannot reach a file), and once
 * the listing arrives the frame never shows what the test waits for.
 */
export function waitForStartFolder(app: InkHandle): Promise<string> {
  return waitForFrame(app, (frame) => /Selected: 0 files|Ausgewählt: 0 Dateien/.test(frame) && /\n\d+-\d+ (of|von) \d+\n/.test(frame));
}
