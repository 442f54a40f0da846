import type { Config } from '../config/config.js';
import { loadSiteRules, SiteRulesError } from '../config/site-rules-file.js';
import type { DeidOptions } from '../deid/options.js';
import { UsageError } from './usage-error.js';

/** A site rules file on the command line; DICOM_RULES gives the default. */
export const siteRulesFlags = {
  rules: { type: 'string' },
} as const;

export const SITE_RULES_FLAGS_HELP = `  --rules FILE.json    site rules: per attribute (by keyword, tag, or private creator and offset)
                       keep, remove, empty, replace, hash or shift, over the profile and the
                       options above (default: DICOM_RULES); a malformed file stops before any
                       file is touched (exit 2)`;

/**
 * The options with the rules file the flag (over the configuration) names, read and checked; the
 * options as they are without one.
 *
 * @throws UsageError for a missing file name or a rules file that cannot be used, naming its line.
 */
export function optionsWithSiteRules(values: { readonly rules?: string | undefined }, config: Pick<Config, 'rules'>, options: DeidOptions): DeidOptions {
  const file = values.rules ?? config.rules;
  if (file === '') throw new UsageError('--rules needs a file name');
  try {
    const siteRules = loadSiteRules(file);
    return siteRules ? { ...options, siteRules } : options;
  } catch (error) {
    // Like a malformed flag: nothing has been touched, and the user fixes the command's input.
    if (error instanceof SiteRulesError) throw new UsageError(error.message, error);
    throw error;
  }
}
