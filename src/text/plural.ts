/** "1 file", "2 files": the count with its noun, for messages. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
