import { parseShard, ShardSyntaxError, type Shard } from '../pipeline/shard.js';
import { UsageError } from './usage-error.js';

/** `--shard K/N`: this run takes one of N parts of the collected inputs. */
export const shardFlag = {
  shard: { type: 'string' },
} as const;

export const SHARD_FLAG_HELP = `  --shard K/N          anonymize only shard K of N (counting from 1) of the collected files, for
                       N machines that split one export: a file's shard follows from its path
                       below the PATH it was found under and that PATH's position, so give every
                       machine the same PATHs in the same order (where they are mounted does not
                       matter) and the same DICOM_ANON_SECRET`;

/**
 * The shard the flag names; none without the flag.
 *
 * @throws UsageError for a value that is not K/N with 1 ≤ K ≤ N.
 */
export function shardFromFlag(values: { readonly shard?: string | undefined }): Shard | undefined {
  if (values.shard === undefined) return undefined;
  try {
    return parseShard(values.shard);
  } catch (error) {
    if (error instanceof ShardSyntaxError) throw new UsageError(error.message, error);
    throw error;
  }
}
