import { isPrivateTag, type Tag } from '../dicom/tag.js';
import { dataGroupOf } from './option-groups.js';
import { isCleanableRow } from './clean-text.js';
import { appliedStandardOptions, type DeidOptions } from './options.js';
import { PRIVATE_RULE, profileEntryFor, type ActionCode, type ProfileEntry } from './profile.js';
import { STANDARD_OPTIONS, type StandardOption, type StandardOptionClean } from './standard-options.js';

/**
 * What happens to one element:
 * - keep: unchanged (a sequence's items are still cleaned);
 * - remove, empty: X and Z;
 * - dummy: D, a harmless value valid for the VR (a sequence's items are cleaned instead);
 * - uid: U, keyed UID replacement (a sequence's contained UIDs are replaced);
 * - shift: a date or time moved by the patient's offset (Retain Longitudinal Modified Dates, C);
 * - clean: text kept with the file's identifying values cut out, a sequence kept with its items
 *   in clean scope (the Clean options and Retain Patient Characteristics, C; see clean-text.ts).
 */
export type ElementAction = 'keep' | 'remove' | 'empty' | 'dummy' | 'uid' | 'shift' | 'clean';

/**
 * Without the IOD's Type for each attribute, combined codes keep an element that is present
 * present: X/Z is emptied, X/D, Z/D and X/Z/D get a dummy, X/Z/U* keeps the sequence with its
 * UIDs replaced. An element that is present stays valid for its Type, and leaks nothing.
 */
const RESOLVED: Readonly<Record<ActionCode, ElementAction>> = {
  D: 'dummy',
  Z: 'empty',
  X: 'remove',
  K: 'keep',
  C: 'shift',
  U: 'uid',
  'Z/D': 'dummy',
  'X/Z': 'empty',
  'X/D': 'dummy',
  'X/Z/D': 'dummy',
  'X/Z/U*': 'uid',
};

/** Actions already resolved, per options object: the same few hundred tags recur in every file of a batch. */
const resolved = new WeakMap<DeidOptions, Map<Tag, ElementAction>>();

/** The action for `tag` under `options`, from Table E.1-1, the product's option groups and the standard options. */
export function resolveAction(tag: Tag, options: DeidOptions): ElementAction {
  let known = resolved.get(options);
  if (!known) resolved.set(options, (known = new Map()));
  let action = known.get(tag);
  if (action === undefined) {
    action = actionFromProfile(tag, options);
    if (known.size < 65_536) known.set(tag, action);
  }
  return action;
}

function actionFromProfile(tag: Tag, options: DeidOptions): ElementAction {
  if (isPrivateTag(tag)) return options.removePrivate ? RESOLVED[PRIVATE_RULE.basic] : 'keep';
  const entry = profileEntryFor(tag);
  if (!entry) return 'keep';
  const group = dataGroupOf(entry);
  // A product group switched off keeps all of it, which is more than any standard option keeps.
  if (group && !options[group]) return 'keep';
  return optionAction(entry, appliedStandardOptions(options)) ?? RESOLVED[entry.actions.basic ?? 'X'];
}

/**
 * The action the applied options give a row, if any: K keeps, C is the option's cleaning (none,
 * or text we cannot clean: the basic code stays). Where two options speak of one row (a calibration
 * date under Device Identity and Modified Dates), the one that reveals less wins: shift, then clean, then keep.
 */
function optionAction(entry: ProfileEntry, applied: readonly StandardOption[]): OptionAction | undefined {
  let action: OptionAction | undefined;
  for (const option of applied) {
    const { column, clean } = STANDARD_OPTIONS[option];
    if (column === undefined) continue;
    const code = entry.actions[column];
    const here = code === 'K' ? 'keep' : code === 'C' ? cleaningOf(clean, entry) : undefined;
    if (here !== undefined && (action === undefined || REVEALS[here] < REVEALS[action])) action = here;
  }
  return action;
}

type OptionAction = 'keep' | 'clean' | 'shift';

/** How much an option's action reveals, for rows two options speak of. */
const REVEALS: Readonly<Record<OptionAction, number>> = { shift: 0, clean: 1, keep: 2 };

/** What an option's C does to a row: shift a date, clean text (where it is text we can clean), or nothing. */
function cleaningOf(clean: StandardOptionClean, entry: ProfileEntry): OptionAction | undefined {
  if (clean === 'shift') return 'shift';
  return clean === 'text' && isCleanableRow(entry) ? 'clean' : undefined;
}
