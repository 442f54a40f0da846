import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { profileEntryFor } from '../src/deid/profile.js';
import { lookupTag } from '../src/dicom/dictionary.js';
import { formatTag } from '../src/dicom/tag.js';
import { CLASS_UID_ATTRIBUTES, CODE_ATTRIBUTES, CONCEPT_SEQUENCES, ruleFor } from '../src/deid/nested-rules.js';

// The nested rules' lists are keyed by tag and carry the keyword as a check: each must be the
// dictionary's, and none may be a row of Table E.1-1 (the row would win, and the entry do nothing).

describe.each([
  ['CONCEPT_SEQUENCES', CONCEPT_SEQUENCES, ['SQ']],
  ['CODE_ATTRIBUTES', CODE_ATTRIBUTES, ['SH', 'LO', 'CS', 'DT', 'UI', 'UC', 'UR', 'SQ']],
  ['CLASS_UID_ATTRIBUTES', CLASS_UID_ATTRIBUTES, ['UI']],
])('%s', (_name, list, vrs) => {
  it.each([...list].map(([tag, keyword]) => [formatTag(tag), keyword, tag] as const))('%s %s is a dictionary attribute of the expected VR that the table does not name', (_label, keyword, tag) => {
    expect(lookupTag(tag)?.keyword).toBe(keyword);
    expect(vrs).toContain(lookupTag(tag)?.vrs[0]);
    expect(profileEntryFor(tag)).toBeUndefined();
  });
});

describe('ruleFor', () => {
  it('keeps what the table does not name at the top level, and treats it as D inside a dummied sequence', () => {
    expect(ruleFor(0x0040a160, 'UT', false, 'profile', DEFAULT_OPTIONS).action).toBe('keep');
    expect(ruleFor(0x0040a160, 'UT', false, 'scrub', DEFAULT_OPTIONS).action).toBe('dummy');
    expect(ruleFor(0x0040a730, 'SQ', true, 'profile', DEFAULT_OPTIONS)).toMatchObject({ action: 'dummy', items: 'scrub' });
    expect(ruleFor(0x00081140, 'SQ', true, 'profile', DEFAULT_OPTIONS)).toMatchObject({ action: 'uid', items: 'scrub' });
    expect(ruleFor(0x0040a043, 'SQ', true, 'scrub', DEFAULT_OPTIONS)).toMatchObject({ action: 'keep', items: 'concept' });
    expect(ruleFor(0x00080104, 'LO', false, 'concept', DEFAULT_OPTIONS).action).toBe('keep');
    expect(ruleFor(0x00080104, 'LO', false, 'scrub', DEFAULT_OPTIONS).action).toBe('dummy');
    expect(ruleFor(0x0040a30a, 'DS', false, 'scrub', DEFAULT_OPTIONS).action).toBe('keep');
    expect(ruleFor(0x0040a040, 'CS', false, 'scrub', DEFAULT_OPTIONS).action).toBe('keep');
    expect(ruleFor(0x00081150, 'UI', false, 'scrub', DEFAULT_OPTIONS).action).toBe('keep');
    expect(ruleFor(0x00081167, 'UI', false, 'scrub', DEFAULT_OPTIONS)).toMatchObject({ action: 'uid', keepsStandardUids: true });
  });

  it('removes private group lengths and disallowed groups with private tags, at any depth', () => {
    for (const scope of ['profile', 'scrub', 'concept'] as const) {
      expect(ruleFor(0x00090000, 'UL', false, scope, DEFAULT_OPTIONS).action).toBe('remove');
      expect(ruleFor(0xffff0010, 'LO', false, scope, DEFAULT_OPTIONS).action).toBe('remove');
      expect(ruleFor(0x00030010, 'UN', false, scope, { ...DEFAULT_OPTIONS, removePrivate: false }).action).toBe('keep');
      expect(ruleFor(0x00080000, 'UL', false, scope, DEFAULT_OPTIONS).action).toBe('keep');
    }
  });
});
