import type { Config } from '../config/config.js';
import { PixelRegionsError, readPixelRegions } from '../config/pixel-regions-file.js';
import type { DeidOptions } from '../deid/options.js';
import type { RegionList } from '../pixels/region-list.js';
import { UsageError } from './usage-error.js';

/** A site's region list on the command line; DICOM_PIXEL_REGIONS gives the default. */
export const pixelRegionsFlags = {
  'pixel-regions': { type: 'string' },
} as const;

export const PIXEL_REGIONS_FLAGS_HELP = `  --pixel-regions FILE  a site's region list for clean-pixel-data, searched before the shipped
                       one: our JSON format or an RSNA CTP DicomPixelAnonymizer script
                       (default: DICOM_PIXEL_REGIONS); a malformed file stops before any file
                       is touched (exit 2)`;

/**
 * The options with the region list the flag (over the configuration) names, read and checked; the
 * options as they are without one.
 *
 * @throws UsageError for a missing file name or a list that cannot be used, naming its line.
 */
export function optionsWithPixelRegions(values: PixelRegionsValues, config: Pick<Config, 'pixelRegions'>, options: DeidOptions): DeidOptions {
  const pixelRegions = pixelRegionsFromFlags(values, config);
  return pixelRegions ? { ...options, pixelRegions } : options;
}

type PixelRegionsValues = { readonly 'pixel-regions'?: string | undefined };

/**
 * The region list the flag (over the configuration) names, read and checked; undefined without one.
 *
 * @throws UsageError for a missing file name or a list that cannot be used, naming its line.
 */
export function pixelRegionsFromFlags(values: PixelRegionsValues, config: Pick<Config, 'pixelRegions'>): RegionList | undefined {
  const file = values['pixel-regions'] ?? config.pixelRegions;
  if (file === '') throw new UsageError('--pixel-regions needs a file name');
  if (file === undefined) return undefined;
  try {
    return readPixelRegions(file);
  } catch (error) {
    // Like a malformed flag: nothing has been touched, and the user fixes the command's input.
    if (error instanceof PixelRegionsError) throw new UsageError(error.message, error);
    throw error;
  }
}
