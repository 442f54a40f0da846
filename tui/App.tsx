import path from 'node:path';
import { Box, useApp, useInput } from 'ink';
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { AnonymizeSummary, DeidOptions, FileResult } from '../src/index.js';
import { screenOf, type Overlay, type PictureTarget } from './app-state.js';
import { Body } from './Body.js';
import { MessagesContext, ThemeContext } from './contexts.js';
import { KeyRouter, KeyRouterContext, type KeyHandler } from './key-router.js';
import type { Messages, Step } from './messages.js';
import type { RunSession } from './run-session.js';
import { EMPTY_SELECTION, type Selection } from './selection.js';
import { StepBar } from './StepBar.js';
import type { Theme } from './theme.js';
import { Tint } from './Tint.js';
import type { TuiDeps } from './tui-deps.js';
import type { RunInput, RunPhase } from './use-anonymize-run.js';
import { useTerminalSize, type TerminalSize } from './use-terminal-size.js';

export interface AppProps {
  readonly deps: TuiDeps;
  readonly session: RunSession;
  /** Where the folder browser starts. */
  readonly startDir: string;
  readonly outDir: string;
  /** Typed paths resolve against this folder. */
  readonly cwd: string;
  /** The options the Configure step starts with (the configuration's defaults). */
  readonly defaults: DeidOptions;
  readonly messages: Messages;
  readonly theme: Theme;
  /** The terminal's size; measured from stdout, and its resize events, when not given. */
  readonly size?: TerminalSize;
}

/** Smallest terminal the screens are laid out for. */
const MIN_COLUMNS = 60;
const MIN_ROWS = 16;

/**
 * The root: owns the steps' shared state, the global keys (?, d, q, Ctrl-C) and the one exit().
 * Renders one row less than the terminal has, so Ink never has to clear the screen to redraw.
 */
export function App({ deps, session, startDir, outDir: initialOutDir, cwd, defaults, messages, theme, size }: AppProps) {
  const { exit } = useApp();
  const measured = useTerminalSize();
  const { columns, rows } = size ?? measured;
  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  const [step, setStep] = useState<Step>('pick');
  const [overlay, setOverlay] = useState<Overlay>(undefined);
  const [router] = useState(() => new KeyRouter());
  const [dir, setDir] = useState(startDir);
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const [options, setOptions] = useState<DeidOptions>(defaults);
  const [outDir, setOutDir] = useState(initialOutDir);
  const [run, setRun] = useState<{ readonly id: number; readonly input: RunInput } | undefined>(undefined);
  const [summary, setSummary] = useState<AnonymizeSummary | undefined>(undefined);
  const [comparing, setComparing] = useState<FileResult | undefined>(undefined);
  const [picture, setPicture] = useState<PictureTarget | undefined>(undefined);
  const [advanced, setAdvanced] = useState(false);
  const [runPhase, setRunPhase] = useState<RunPhase>('running');

  // The one subscription to Ink's input: global keys first, then the screens through the router.
  const onKey = useRef<KeyHandler>(() => {});
  useLayoutEffect(() => {
    onKey.current = (input, key) => {
      if (key.ctrl && input === 'c') exit();
      else if (tooSmall) {
        if (input === 'q') exit();
      } else if (router.capturing() || overlay === 'help') router.dispatch(input, key);
      else if (input === 'q') exit();
      else if (input === '?') setOverlay('help');
      else if (input === 'd') setOverlay(overlay === 'daemon' ? undefined : 'daemon');
      else router.dispatch(input, key);
    };
  });
  useInput(useCallback<KeyHandler>((input, key) => onKey.current(input, key), []));

  const state = { step, overlay, dir, selection, options, outDir, run, summary, comparing, picture, advanced };
  const actions = {
    setStep, setOverlay, setDir, setSelection, setOptions, setSummary, setComparing, setPicture, setAdvanced, setRunPhase,
    setOutDir: (typed: string) => setOutDir(path.resolve(cwd, typed)),
    startRun: () => {
      setRun({ id: (run?.id ?? 0) + 1, input: { files: [...selection.keys()].sort(), outDir, options } });
      setRunPhase('running');
      setSummary(undefined);
      setComparing(undefined);
      setStep('anonymize');
    },
  };
  const screen = overlay ?? screenOf(state);
  // The Anonymize step's keys change when its run ends: Esc no longer cancels, Enter reviews.
  const hint = screen === 'anonymize' && runPhase !== 'running' ? messages.runHints[runPhase] : messages.hints[screen];
  return (
    <MessagesContext.Provider value={messages}>
      <ThemeContext.Provider value={theme}>
        <KeyRouterContext.Provider value={router}>
          <Box flexDirection="column" width={columns} height={Math.max(1, rows - 1)} overflow="hidden">
            {tooSmall ? <Tint wrap="wrap">{messages.tooSmall(columns, rows)}</Tint> : null}
            {/* Hidden, not unmounted, while the terminal is too small: a run goes on meanwhile. */}
            <Box display={tooSmall ? 'none' : 'flex'} flexDirection="column">
              <StepBar step={step} />
              <Body deps={deps} session={session} cwd={cwd} state={state} actions={actions} visible={!tooSmall} width={columns} height={Math.max(1, rows - 3)} />
              <Tint muted>{hint}</Tint>
            </Box>
          </Box>
        </KeyRouterContext.Provider>
      </ThemeContext.Provider>
    </MessagesContext.Provider>
  );
}

