import type { ElementRule, Scope } from './nested-rules.js';

/**
 * The scope a sequence's items are cleaned in when a site rule keeps it: the profile's own for a
 * sequence it keeps or dummies; scrubbed (as for D) for one it removes or empties, whose items the
 * profile never looked into.
 */
export function keptItemsScope(rule: ElementRule): Scope {
  return rule.action === 'remove' || rule.action === 'empty' ? 'scrub' : rule.items;
}
