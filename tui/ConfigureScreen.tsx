import { Box } from 'ink';
import { useState } from 'react';
import { appliedStandardOptions, printableText, PROFILE_EDITION, STANDARD_OPTION_NAMES, STANDARD_OPTIONS, type DeidOptions, type StandardOption } from '../src/index.js';
import { useMessages } from './contexts.js';
import type { Messages } from './messages.js';
import { moveCursor } from './list-window.js';
import { changeOption, CONFIGURE_ROWS, type ConfigureRow } from './option-list.js';
import { OptionRow } from './OptionRow.js';
import { chosenOptions, profileChoice, stepDates, stepProfile, toggleStandardOption, type Outcome } from './profile-choice.js';
import { AdvancedRow, ProfileRow } from './ProfileRow.js';
import { panelRows, StandardOptionsPanel } from './StandardOptionsPanel.js';
import { profileName, refusalText } from './standard-option-text.js';
import { TextPrompt } from './TextPrompt.js';
import { Tint } from './Tint.js';
import type { TuiDeps } from './tui-deps.js';
import { truncateMiddle, truncateStart } from './truncate.js';
import { useKeys } from './use-keys.js';
import { useStoreDescription } from './use-store-description.js';

export interface ConfigureScreenProps {
  readonly options: DeidOptions;
  readonly onOptions: (options: DeidOptions) => void;
  readonly outDir: string;
  readonly onOutDir: (typed: string) => void;
  readonly describeStore: TuiDeps['describeStore'];
  /** "Options for 3 files (1.2 MB)". */
  readonly heading: string;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  /** Whether the panel of PS3.15 options is open (the App shows its key hint). */
  readonly advanced: boolean;
  readonly onAdvanced: (open: boolean) => void;
  readonly onStart: () => void;
  readonly onBack: () => void;
}

/**
 * Lines of the screen with every description shown (heading, gap, 15 lines of rows, notice,
 * output folder, profile); below that only the focused row has one, and the gap goes.
 */
const FULL_HEIGHT = 20;
/** Lines with only the focused description: heading, eight rows, one description, notice, output folder, profile. */
const COMPACT_HEIGHT = 13;

/** Step 2: the six options as checkboxes, the PS3.15 profile and its options, the output folder and the mapping store. */
export function ConfigureScreen({ options, onOptions, outDir, onOutDir, describeStore, heading, width, height, active, advanced, onAdvanced, onStart, onBack }: ConfigureScreenProps) {
  const messages = useMessages();
  const [cursor, setCursor] = useState(0);
  const [panelCursor, setPanelCursor] = useState(0);
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const choice = useOptionChoice(options, onOptions, width);
  const store = useStoreDescription(describeStore);
  const openPanel = () => {
    setPanelCursor(0);
    onAdvanced(true);
  };
  useRowKeys({ cursor, setCursor, options, choice, openPanel, outDir, setEditing, onStart, onBack, active: active && editing === undefined && !advanced });
  usePanelKeys({ panelCursor, setPanelCursor, options, choice, height, onAdvanced, active: active && advanced });

  if (advanced) return <StandardOptionsPanel options={options} cursor={panelCursor} notice={choice.notice} height={height} />;
  const full = height >= FULL_HEIGHT;
  // The store on a spare line (at 80×24 there is one): descriptions come first.
  const showStore = store !== '' && height > (full ? FULL_HEIGHT : COMPACT_HEIGHT);
  return (
    <Box flexDirection="column" height={height}>
      <Tint bold>{heading}</Tint>
      <ConfigureRows options={options} cursor={cursor} full={full} hasCustom={choice.custom !== undefined} />
      <OutDirLines editing={editing} setEditing={setEditing} notice={choice.notice} outDir={outDir} onOutDir={onOutDir} width={width} />
      {/* Middle-cut: the kind in front and the file or database at the end both matter. */}
      {showStore ? <Tint>{messages.configure.store(truncateMiddle(printableText(store), Math.max(10, width - [...messages.configure.store('')].length)))}</Tint> : null}
      <Tint muted>{profileSummary(messages, options, width)}</Tint>
    </Box>
  );
}

interface OptionChoice {
  /** Why the last change was refused; cleared by the next key. */
  readonly notice: string | undefined;
  readonly clearNotice: () => void;
  /** The last custom set of PS3.15 options, for the profile row to step back to. */
  readonly custom: readonly StandardOption[] | undefined;
  /** Takes an outcome's options, or shows why they were refused. */
  readonly apply: (outcome: Outcome) => void;
}

function useOptionChoice(options: DeidOptions, onOptions: (options: DeidOptions) => void, width: number): OptionChoice {
  const messages = useMessages();
  const [notice, setNotice] = useState<string | undefined>(undefined);
  // The last custom set, so that the profile row can step back to it after trying a preset.
  const [custom, setCustom] = useState<readonly StandardOption[] | undefined>(() => (profileChoice(options) === 'custom' ? chosenOptions(options) : undefined));
  const apply = (outcome: Outcome) => {
    setNotice(outcome.refused ? refusalText(messages, outcome.refused, width) : undefined);
    if (!outcome.options) return;
    if (profileChoice(outcome.options) === 'custom') setCustom(chosenOptions(outcome.options));
    onOptions(outcome.options);
  };
  return { notice, clearNotice: () => setNotice(undefined), custom, apply };
}

interface RowKeysProps extends Pick<ConfigureScreenProps, 'options' | 'outDir' | 'onStart' | 'onBack'> {
  readonly cursor: number;
  readonly setCursor: (cursor: number) => void;
  readonly choice: OptionChoice;
  readonly openPanel: () => void;
  readonly setEditing: (typed: string) => void;
  readonly active: boolean;
}

/** The rows' keys: move, change the focused row, open the panel, edit the output folder, start or go back. */
function useRowKeys({ cursor, setCursor, options, choice, openPanel, outDir, setEditing, onStart, onBack, active }: RowKeysProps): void {
  const focused = CONFIGURE_ROWS[cursor] ?? 'regenerateUids';
  const change = (row: ConfigureRow, step: 1 | -1) => {
    if (row === 'dates') choice.apply(stepDates(options, step));
    else if (row === 'profile') choice.apply(stepProfile(options, step, choice.custom));
    else if (row === 'advanced') openPanel();
    else choice.apply({ options: changeOption(options, row) });
  };
  useKeys(
    (input, key) => {
      choice.clearNotice();
      if (key.upArrow || input === 'k') setCursor(moveCursor(cursor, -1, CONFIGURE_ROWS.length));
      else if (key.downArrow || input === 'j') setCursor(moveCursor(cursor, 1, CONFIGURE_ROWS.length));
      else if (key.home || key.end) setCursor(key.home ? 0 : CONFIGURE_ROWS.length - 1);
      else if (input === ' ') change(focused, 1);
      else if ((focused === 'dates' || focused === 'profile') && (key.leftArrow || key.rightArrow)) change(focused, key.leftArrow ? -1 : 1);
      else if (input === 'a' || (key.return && focused === 'advanced')) openPanel();
      else if (input === 'o') setEditing(outDir);
      else if (key.return) onStart();
      else if (key.escape || (key.tab && key.shift)) onBack();
    },
    { active },
  );
}

interface PanelKeysProps extends Pick<ConfigureScreenProps, 'options' | 'height' | 'onAdvanced'> {
  readonly panelCursor: number;
  readonly setPanelCursor: (cursor: number) => void;
  readonly choice: OptionChoice;
  readonly active: boolean;
}

/** The panel's keys: move, toggle the focused PS3.15 option, step the profile, close. */
function usePanelKeys({ panelCursor, setPanelCursor, options, choice, height, onAdvanced, active }: PanelKeysProps): void {
  const count = STANDARD_OPTION_NAMES.length;
  const page = panelRows(height);
  useKeys(
    (input, key) => {
      choice.clearNotice();
      if (key.upArrow || input === 'k') setPanelCursor(moveCursor(panelCursor, -1, count));
      else if (key.downArrow || input === 'j') setPanelCursor(moveCursor(panelCursor, 1, count));
      else if (key.pageUp || key.pageDown) setPanelCursor(moveCursor(panelCursor, key.pageUp ? -page : page, count));
      else if (key.home || key.end) setPanelCursor(key.home ? 0 : count - 1);
      else if (input === ' ') {
        const option = STANDARD_OPTION_NAMES[panelCursor];
        if (option !== undefined) choice.apply(toggleStandardOption(options, option));
      } else if (key.leftArrow || key.rightArrow) choice.apply(stepProfile(options, key.leftArrow ? -1 : 1, choice.custom));
      else if (key.escape || key.return || input === 'a') onAdvanced(false);
    },
    { active },
  );
}

/** The option rows; with `full` each has its description, else only the focused one. */
function ConfigureRows({ options, cursor, full, hasCustom }: { readonly options: DeidOptions; readonly cursor: number; readonly full: boolean; readonly hasCustom: boolean }) {
  return (
    <Box flexDirection="column" marginTop={full ? 1 : 0}>
      {CONFIGURE_ROWS.map((row, index) => {
        const describe = full || index === cursor;
        if (row === 'profile') return <ProfileRow key={row} options={options} hasCustom={hasCustom} focused={index === cursor} describe={describe} />;
        if (row === 'advanced') return <AdvancedRow key={row} options={options} focused={index === cursor} />;
        return <OptionRow key={row} option={row} options={options} focused={index === cursor} describe={describe} />;
      })}
    </Box>
  );
}

interface OutDirLinesProps extends Pick<ConfigureScreenProps, 'outDir' | 'onOutDir' | 'width'> {
  /** The folder being typed; undefined when not editing. */
  readonly editing: string | undefined;
  readonly setEditing: (typed: string | undefined) => void;
  readonly notice: string | undefined;
}

/** The notice line and the output folder, or the prompt that edits the folder. */
function OutDirLines({ editing, setEditing, notice, outDir, onOutDir, width }: OutDirLinesProps) {
  const messages = useMessages();
  if (editing === undefined) {
    return (
      <>
        <Tint tone="warning">{notice ?? ' '}</Tint>
        <Tint>{messages.configure.outDir(truncateStart(printableText(outDir), Math.max(10, width - 20)))}</Tint>
      </>
    );
  }
  return (
    <TextPrompt
      label={messages.configure.outPrompt}
      value={editing}
      width={width}
      onChange={setEditing}
      onSubmit={(value) => {
        if (value.trim() !== '') onOutDir(value.trim());
        setEditing(undefined);
      }}
      onCancel={() => setEditing(undefined)}
    />
  );
}

/** The profile line: its edition, preset and option codes, or how many codes when they do not fit `width`. */
function profileSummary(messages: Messages, options: DeidOptions, width: number): string {
  const codes = appliedStandardOptions(options).map((option) => STANDARD_OPTIONS[option].code);
  const preset = profileName(messages, profileChoice(options));
  // DICOM_RULES applies to the run too: say so, by the file's name.
  const rules = options.siteRules ? messages.configure.siteRules(printableText(options.siteRules.name)) : '';
  const listed = messages.configure.profile(PROFILE_EDITION, preset, codes) + rules;
  // The codes when they fit on the line, else how many: the panel lists them.
  return [...listed].length <= width ? listed : messages.configure.profileCount(PROFILE_EDITION, preset, codes.length) + rules;
}
