import { JsonSyntaxError, parseJsonWithPositions, type JsonMember, type JsonPosition, type JsonValue } from './json-with-positions.js';

/** Throws the file's own error for a problem at a place; never returns. */
export type Fail = (at: JsonPosition, problem: string) => never;

/** The shape of a JSON configuration file: one object whose `listKey` holds a list of `itemNoun`. */
export interface JsonListFile {
  readonly listKey: string;
  readonly itemNoun: string;
  /** The top-level fields allowed besides the list (a "comment" among them is checked to be a string). */
  readonly topFields: ReadonlySet<string>;
}

/**
 * The items of a JSON configuration file's list (site rules, region lists), the file's syntax and
 * top level checked; each problem is reported through `fail` at its line and column.
 */
export function jsonListItems(text: string, shape: JsonListFile, fail: Fail): { readonly items: readonly JsonValue[]; readonly at: JsonPosition } {
  let root: JsonValue;
  try {
    root = parseJsonWithPositions(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) fail(error.at, `not valid JSON: ${error.problem}`);
    throw error;
  }
  const example = `{ "${shape.listKey}": [ ... ] }`;
  if (root.kind !== 'object') return fail(root.at, `the file must hold one JSON object: ${example}`);
  checkFields(root.members, shape.topFields, 'the top level', fail);
  const list = root.members.find((member) => member.key === shape.listKey);
  if (!list) return fail(root.at, `no "${shape.listKey}" list: ${example}`);
  if (list.value.kind !== 'array') return fail(list.value.at, `"${shape.listKey}" must be a list of ${shape.itemNoun}`);
  return { items: list.value.items, at: list.value.at };
}

/** Every field is one of `allowed`, and a "comment" is a string. */
export function checkFields(members: readonly JsonMember[], allowed: ReadonlySet<string>, where: string, fail: Fail): void {
  for (const member of members) {
    if (!allowed.has(member.key)) fail(member.at, `unknown field "${member.key}" in ${where} (allowed: ${[...allowed].join(', ')})`);
    if (member.key === 'comment' && member.value.kind !== 'string') fail(member.value.at, '"comment" must be a string');
  }
}
