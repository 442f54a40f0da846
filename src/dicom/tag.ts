/** A tag is held as one unsigned 32-bit number: group << 16 | element. */
export type Tag = number;

export function makeTag(group: number, element: number): Tag {
  return ((group << 16) | element) >>> 0;
}

export function tagGroup(tag: Tag): number {
  return tag >>> 16;
}

export function tagElement(tag: Tag): number {
  return tag & 0xffff;
}

/** "(GGGG,EEEE)" in upper case, the form every message and dump uses. */
export function formatTag(tag: Tag): string {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/** Parses "GGGGEEEE", "(GGGG,EEEE)" or "GGGG,EEEE". */
export function parseTag(text: string): Tag {
  const hex = text.replace(/[(),\s]/g, '');
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw new Error(`not a tag: ${text}`);
  return Number.parseInt(hex, 16) >>> 0;
}

/** Private: odd group, except 0001, 0003, 0005, 0007 and FFFF, which are not valid groups (PS3.5 7.8.1). */
export function isPrivateTag(tag: Tag): boolean {
  const group = tagGroup(tag);
  return (group & 1) === 1 && group > 0x0007 && group !== 0xffff;
}

/** Private Creator Data Element: (gggg,0010-00FF) in a private group. */
export function isPrivateCreatorTag(tag: Tag): boolean {
  const element = tagElement(tag);
  return isPrivateTag(tag) && element >= 0x0010 && element <= 0x00ff;
}

export function isGroupLengthTag(tag: Tag): boolean {
  return tagElement(tag) === 0x0000;
}

export const ITEM = 0xfffee000;
export const ITEM_DELIMITATION = 0xfffee00d;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;
export const PIXEL_DATA = 0x7fe00010;
export const FLOAT_PIXEL_DATA = 0x7fe00008;
export const DOUBLE_FLOAT_PIXEL_DATA = 0x7fe00009;
export const SPECIFIC_CHARACTER_SET = 0x00080005;
export const TRANSFER_SYNTAX_UID = 0x00020010;
export const SOP_CLASS_UID = 0x00080016;
export const SOP_INSTANCE_UID = 0x00080018;
export const PIXEL_REPRESENTATION = 0x00280103;

export function isPixelDataTag(tag: Tag): boolean {
  return tag === PIXEL_DATA || tag === FLOAT_PIXEL_DATA || tag === DOUBLE_FLOAT_PIXEL_DATA;
}

export function isItemOrDelimiterTag(tag: Tag): boolean {
  return tagGroup(tag) === 0xfffe;
}
