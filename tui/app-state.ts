import type { AnonymizeSummary, DeidOptions, FileResult } from '../src/index.js';
import type { Screen, Step } from './messages.js';
import type { Selection } from './selection.js';
import type { RunInput } from './use-anonymize-run.js';

/** What covers the step's screen, if anything. */
export type Overlay = 'help' | 'daemon' | undefined;

/** The file the picture view shows, and in the review the anonymized copy it shows as "after". */
export interface PictureTarget {
  readonly file: string;
  readonly output?: string | undefined;
}

/** The steps' shared state, owned by App and shown by Body. */
export interface BodyState {
  readonly step: Step;
  readonly overlay: Overlay;
  readonly dir: string;
  readonly selection: Selection;
  readonly options: DeidOptions;
  readonly outDir: string;
  readonly run: { readonly id: number; readonly input: RunInput } | undefined;
  readonly summary: AnonymizeSummary | undefined;
  readonly comparing: FileResult | undefined;
  /** The picture view, open over the step's screen. */
  readonly picture: PictureTarget | undefined;
  /** The Configure step's panel of PS3.15 options is open. */
  readonly advanced: boolean;
}

/** The screen the step shows: the step's own, or the view open inside it (for the key hint and help). */
export function screenOf(state: Pick<BodyState, 'step' | 'comparing' | 'advanced' | 'picture'>): Screen {
  if (state.picture) return 'picture';
  if (state.step === 'review' && state.comparing) return 'compare';
  if (state.step === 'configure' && state.advanced) return 'advanced';
  return state.step;
}
