import type { ElementEdit } from '../dicom/edits.js';
import type { DicomElement } from '../dicom/model.js';
import type { Vr } from '../dicom/vr.js';
import type { Pseudonymizer } from './pseudonyms.js';
import type { SiteRule } from './site-rules.js';

/** What the planner lends a site rule for one element: its reading, cleaning and keyed replacements. */
export interface SiteEditTools {
  readonly keys: Pseudonymizer;
  /** The element's text values read with `vr`; undefined when its value is not text. */
  values(vr: Vr): readonly string[] | undefined;
  /** A kept sequence's items, cleaned as the profile cleans that sequence's items. */
  keptItems(): ElementEdit | undefined;
  /** UIDs replaced by keyed UIDs, recorded as the profile's U records them. */
  keyedUids(): ElementEdit | undefined;
  /** Dates moved by the patient's offset. */
  shiftedDates(vr: Vr): ElementEdit | undefined;
  /** Notes the element as changed (for the mapping's list of anonymized tags). */
  changed(): void;
}

/** The edit a site rule makes of one element; undefined when the element already is as the rule wants it. */
export function siteRuleEdit(rule: SiteRule, element: DicomElement, vr: Vr, tools: SiteEditTools): ElementEdit | undefined {
  switch (rule.action) {
    case 'keep':
      return element.items ? tools.keptItems() : undefined;
    case 'remove':
      tools.changed();
      return { op: 'remove' };
    case 'empty':
      if (element.items ? element.items.length === 0 : element.valueLength === 0) return undefined;
      tools.changed();
      return element.items ? { op: 'set', vr: 'SQ', value: { items: [] } } : { op: 'set', vr, value: '' };
    case 'replace': {
      const value = rule.value ?? [];
      const ruleVr = rule.vr ?? vr;
      const current = tools.values(ruleVr);
      if (current?.length === value.length && current.every((text, index) => text === value[index])) return undefined;
      tools.changed();
      return { op: 'set', vr: ruleVr, value: value.length === 1 ? (value[0] as string) : value };
    }
    case 'hash': {
      if (rule.vr === 'UI') return tools.keyedUids();
      const current = tools.values(rule.vr ?? vr) ?? [];
      if (current.every((text) => text === '')) return undefined;
      tools.changed();
      const hashed = current.map((text) => (text === '' ? '' : tools.keys.hashToken(text)));
      return { op: 'set', vr: rule.vr ?? vr, value: hashed.length === 1 ? (hashed[0] as string) : hashed };
    }
    case 'shift':
      return tools.shiftedDates(rule.vr ?? vr);
  }
}
