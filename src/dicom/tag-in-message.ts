// Tags in error messages. A tag is four bytes of the file: where the walk has lost its way (after a
// corrupt length) they are a value's bytes, a patient's name read as a tag. Only a tag the
// standard lists is named; any other (private, or no tag at all) is left to the byte offset.
import { lookupTag } from './dictionary.js';
import { formatTag, type Tag } from './tag.js';

/** `tag` when the dictionary lists it, else undefined. */
export function listedTag(tag: Tag | undefined): Tag | undefined {
  return tag !== undefined && lookupTag(tag) !== undefined ? tag : undefined;
}

/** `(GGGG,EEEE)` for a tag the dictionary lists, else `(unlisted tag)`. */
export function tagInMessage(tag: Tag): string {
  return listedTag(tag) === undefined ? '(unlisted tag)' : formatTag(tag);
}
