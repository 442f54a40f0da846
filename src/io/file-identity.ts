import { lstatSync, type BigIntStats } from 'node:fs';

/**
 * Which file stands at `file` now: inode, size and modification time (ns). An upload that replaces
 * another under the same name differs in at least one. Undefined when nothing is there.
 */
export function fileIdentity(file: string): string | undefined {
  const stat = lstatSync(file, { bigint: true, throwIfNoEntry: false });
  return stat === undefined ? undefined : identityOf(stat);
}

/** fileIdentity of a file already looked at. */
export function identityOf(stat: BigIntStats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
}
