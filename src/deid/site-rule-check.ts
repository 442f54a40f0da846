import type { DicomElement } from '../dicom/model.js';
import { HASH_TOKEN, type SiteRule } from './site-rules.js';

const KEYED_UID = /^2\.25\.\d+$/;

/** What `verify` finds wrong with an element a site rule decides, if anything. Never quotes a value. */
export interface SiteRuleFinding {
  readonly kind: 'not-removed' | 'not-emptied' | 'not-replaced';
  readonly detail: string;
}

/**
 * An output's element checked against the site rule for it: what a rule keeps is no finding, what it
 * removes must be gone, what it empties empty, what it replaces must hold the rule's value or a keyed
 * one. A shifted date cannot be told from a true one without the original: it is not checked.
 */
export function siteRuleFinding(rule: SiteRule, element: DicomElement, values: () => readonly string[]): SiteRuleFinding | undefined {
  switch (rule.action) {
    case 'keep':
    case 'shift':
      return undefined;
    case 'remove':
      return { kind: 'not-removed', detail: 'a site rule removes it' };
    case 'empty':
      return element.valueLength > 0 && (element.items?.length ?? 1) > 0 ? { kind: 'not-emptied', detail: 'a site rule empties it' } : undefined;
    case 'replace': {
      const expected = rule.value ?? [];
      const found = values();
      const same = found.length === expected.length && found.every((value, index) => value === expected[index]);
      return same ? undefined : { kind: 'not-replaced', detail: "should hold the site rule's value" };
    }
    case 'hash': {
      const keyed = rule.vr === 'UI' ? KEYED_UID : HASH_TOKEN;
      return values().every((value) => value === '' || keyed.test(value)) ? undefined : { kind: 'not-replaced', detail: 'a site rule replaces it by a keyed value' };
    }
  }
}
