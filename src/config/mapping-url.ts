/** The URL schemes of a PostgreSQL mapping store. */
export const MAPPING_URL_SCHEMES = ['postgres:', 'postgresql:'] as const;

/** Whether `url` names a PostgreSQL store (checked without quoting it anywhere: it may hold a password). */
export function isMappingUrl(url: string): boolean {
  return MAPPING_URL_SCHEMES.some((scheme) => url.toLowerCase().startsWith(`${scheme}//`));
}

/**
 * What is wrong with `url` as a PostgreSQL store, or undefined when node-postgres can read it. It
 * reads the URL with the WHATWG parser, retrying an empty host (`postgres://user@/db?host=/socket`)
 * with a placeholder; a URL that fails both would crash it. The answer never quotes the URL.
 */
export function mappingUrlProblem(url: string): string | undefined {
  if (!isMappingUrl(url)) return 'must be a postgres:// or postgresql:// URL';
  if ([url, url.replace('@/', '@placeholder/')].some(parsesAsUrl)) return undefined;
  return 'is not a valid URL: check the host, the port (a number up to 65535) and that special characters in the user name and password are percent-encoded';
}

function parsesAsUrl(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}
