import { createHash } from 'node:crypto';
import path from 'node:path';
import type { InputFile } from '../io/collect-inputs.js';

/** One of `count` parts of a batch's inputs; `index` counts from 1 ("shard 2 of 3"). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** A `--shard` value that is not K/N with 1 ≤ K ≤ N; the message says which rule it breaks. */
export class ShardSyntaxError extends Error {}

/**
 * Reads "K/N": whole numbers in decimal, nothing else around them. Strict, because a shard that is
 * silently read another way would leave files out of every shard or put them in two.
 *
 * @throws ShardSyntaxError naming the rule the text breaks.
 */
export function parseShard(text: string): Shard {
  const match = /^([0-9]+)\/([0-9]+)$/.exec(text);
  if (!match) throw new ShardSyntaxError('--shard needs K/N, two whole numbers such as 2/3 (shard K of N, counting from 1)');
  const index = Number(match[1]);
  const count = Number(match[2]);
  // Beyond this a number is no longer exact, and the same text could name another shard.
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(index)) throw new ShardSyntaxError('--shard K/N: N is too large');
  if (count < 1) throw new ShardSyntaxError('--shard K/N: N, the number of shards, must be at least 1');
  if (index < 1) throw new ShardSyntaxError('--shard K/N: K counts from 1 (the first of N shards is 1/N)');
  if (index > count) throw new ShardSyntaxError(`--shard K/N: K must be at most N (the last of ${count} shards is ${count}/${count})`);
  return { index, count };
}

/** "K/N", as the user writes it and as reports show it. */
export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * The collected files that belong to `shard`, in their collected order. `roots` are the PATH
 * arguments the files were collected from (InputFile.root indexes them).
 */
export function filesInShard<File extends InputFile>(files: readonly File[], roots: readonly string[], shard: Shard): File[] {
  if (shard.count === 1) return [...files];
  const count = BigInt(shard.count);
  const wanted = BigInt(shard.index - 1);
  return files.filter((file) => shardNumber(partitionKey(file, roots), count) === wanted);
}

/**
 * What decides a file's shard: the position of the PATH argument it was found under (1 for the first)
 * and its path below that argument with "/" separators, in NFC — e.g. "1:series2/IM0007". A file named
 * directly has its base name. Nothing of where the tree is mounted enters, so machines that see one
 * export at different absolute paths agree, as long as they are given the same PATHs in the same
 * order. The position keeps trees of like layout (CDs with DICOM/IM000001…) from all landing in one shard.
 */
export function partitionKey(file: InputFile, roots: readonly string[]): string {
  const root = roots[file.root] ?? '';
  const below = file.named ? path.basename(file.path) : path.relative(root, file.path);
  return `${file.root + 1}:${below.split(path.sep).join('/').normalize('NFC')}`;
}

/** SHA-256 of the key, its first 8 bytes as an unsigned big-endian integer, modulo the shard count (0-based). */
function shardNumber(key: string, count: bigint): bigint {
  return createHash('sha256').update(key, 'utf8').digest().readBigUInt64BE(0) % count;
}
