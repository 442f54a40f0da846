/** The URL schemes of a PostgreSQL mapping store. */
export const MAPPING_URL_SCHEMES = ['postgres:', 'postgresql:'] as const;

/** Whether `url` names a PostgreSQL store (checked without quoting it anywhere: it may hold a password). */
export function isMappingUrl(url: string): boolean {
  return MAPPING_URL_SCHEMES.some((scheme) => url.toLowerCase().startsWith(`${scheme}//`));
}
