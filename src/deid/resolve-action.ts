import { isPrivateTag, type Tag } from '../dicom/tag.js';
import { dataGroupOf } from './option-groups.js';
import { appliedStandardOptions, type DeidOptions } from './options.js';
import { PRIVATE_RULE, profileEntryFor, type ActionCode, type ProfileEntry } from './profile.js';
import { STANDARD_OPTIONS, type StandardOption } from './standard-options.js';

/**
 * What happens to one element:
 * - keep: unchanged (a sequence's items are still cleaned);
 * - remove, empty: X and Z;
 * - dummy: D, a harmless value valid for the VR (a sequence's items are cleaned instead);
 * - uid: U, keyed UID replacement (a sequence's contained UIDs are replaced);
 * - shift: a date or time moved by the patient's offset (Retain Longitudinal Modified Dates, C).
 */
export type ElementAction = 'keep' | 'remove' | 'empty' | 'dummy' | 'uid' | 'shift';

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
 * The action the applied options give a row, if any: K keeps, C is the option's cleaning (none:
 * the basic code stays). Where two options speak of one row (a calibration date under Device
 * Identity and Modified Dates), the one that reveals less wins: the shift.
 */
function optionAction(entry: ProfileEntry, applied: readonly StandardOption[]): ElementAction | undefined {
  let action: ElementAction | undefined;
  for (const option of applied) {
    const { column, clean } = STANDARD_OPTIONS[option];
    if (column === undefined) continue;
    const code = entry.actions[column];
    const here = code === 'K' ? 'keep' : code === 'C' ? clean : undefined;
    if (here === 'shift' || (here === 'keep' && action === undefined)) action = here;
  }
  return action;
}
