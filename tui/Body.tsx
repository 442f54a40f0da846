import { Box } from 'ink';
import type { Dispatch, SetStateAction } from 'react';
import type { AnonymizeSummary, DeidOptions, FileResult } from '../src/index.js';
import { AnonymizeScreen } from './AnonymizeScreen.js';
import { screenOf, type BodyState, type Overlay, type PictureTarget } from './app-state.js';
import { ConfigureScreen } from './ConfigureScreen.js';
import { useMessages } from './contexts.js';
import { DaemonScreen } from './DaemonScreen.js';
import { formatSize } from './format-size.js';
import { HelpOverlay } from './HelpOverlay.js';
import type { Step } from './messages.js';
import { PickScreen } from './PickScreen.js';
import { PictureView } from './PictureView.js';
import { ReviewScreen } from './ReviewScreen.js';
import type { RunSession } from './run-session.js';
import { totalSize, type Selection } from './selection.js';
import type { TuiDeps } from './tui-deps.js';
import type { RunPhase } from './use-anonymize-run.js';

export interface BodyActions {
  readonly setStep: (step: Step) => void;
  readonly setOverlay: (overlay: Overlay) => void;
  readonly setDir: (dir: string) => void;
  readonly setSelection: Dispatch<SetStateAction<Selection>>;
  readonly setOptions: (options: DeidOptions) => void;
  readonly setOutDir: (typed: string) => void;
  readonly setSummary: (summary: AnonymizeSummary | undefined) => void;
  readonly setComparing: (result: FileResult | undefined) => void;
  readonly setPicture: (target: PictureTarget | undefined) => void;
  readonly setAdvanced: (open: boolean) => void;
  readonly startRun: () => void;
  readonly setRunPhase: (phase: RunPhase) => void;
}

export interface BodyProps {
  readonly deps: TuiDeps;
  readonly session: RunSession;
  readonly cwd: string;
  readonly state: BodyState;
  readonly actions: BodyActions;
  /** False while the terminal is too small: the screens stay mounted but take no keys. */
  readonly visible: boolean;
  readonly width: number;
  readonly height: number;
}

/**
 * The current step's screen, or the picture view or an overlay over it. The step's screen stays
 * mounted under them (hidden, keys off), so a run goes on and a review keeps its state.
 */
export function Body({ deps, session, cwd, state, actions, visible, width, height }: BodyProps) {
  const messages = useMessages();
  const { picture } = state;
  const active = visible && state.overlay === undefined && picture === undefined;
  const hidden = state.overlay !== undefined || picture !== undefined;
  const screen = () => {
    switch (state.step) {
      case 'pick':
        return <PickScreen deps={deps} dir={state.dir} onDir={actions.setDir} selection={state.selection} onSelection={actions.setSelection} outDir={state.outDir} width={width} height={height} active={active} onContinue={() => actions.setStep('configure')} onPicture={actions.setPicture} />;
      case 'configure':
        return (
          <ConfigureScreen
            options={state.options} onOptions={actions.setOptions} outDir={state.outDir} onOutDir={actions.setOutDir} describeStore={deps.describeStore}
            heading={messages.configure.heading(state.selection.size, formatSize(totalSize(state.selection), messages.language))}
            width={width} height={height} active={active} advanced={state.advanced} onAdvanced={actions.setAdvanced}
            onStart={actions.startRun} onBack={() => actions.setStep('pick')}
          />
        );
      case 'anonymize':
        return state.run ? (
          <AnonymizeScreen key={state.run.id} session={session} run={state.run.input} now={deps.now} width={width} height={height} active={active}
            onReview={(summary) => {
              actions.setSummary(summary);
              actions.setStep('review');
            }}
            onBack={() => actions.setStep('configure')} onPhase={actions.setRunPhase}
          />
        ) : null;
      case 'review':
        return state.summary ? (
          <ReviewScreen deps={deps} session={session} summary={state.summary} outDir={state.run?.input.outDir ?? state.outDir} cwd={cwd} comparing={state.comparing} onCompare={actions.setComparing} onPicture={actions.setPicture}
            width={width} height={height} active={active} onBack={() => actions.setStep('configure')} />
        ) : null;
    }
  };
  return (
    <>
      <Box display={hidden ? 'none' : 'flex'} flexDirection="column" height={height}>
        {screen()}
      </Box>
      {picture ? (
        <Box display={state.overlay === undefined ? 'flex' : 'none'} flexDirection="column" height={height}>
          <PictureView key={`${picture.file}\n${picture.output ?? ''}`} deps={deps} target={picture} siteRegions={state.options.pixelRegions} width={width} height={height}
            active={visible && state.overlay === undefined} onClose={() => actions.setPicture(undefined)} />
        </Box>
      ) : null}
      {state.overlay === 'daemon' ? <DaemonScreen deps={deps} width={width} height={height} active={visible} onClose={() => actions.setOverlay(undefined)} /> : null}
      {state.overlay === 'help' ? (
        <HelpOverlay screen={screenOf(state)} height={height} active={visible} onClose={() => actions.setOverlay(undefined)} />
      ) : null}
    </>
  );
}
