// The floor for any Node.js tool that writes its outputs atomically: copies every file of a folder
// through a temporary file and a rename, then flushes the file system once, and does nothing else
// (no parsing, no de-identification). `npm run bench` times it beside cp and dicom-tools.
// Usage: node scripts/node-atomic-copy.mjs SOURCE_DIR TARGET_DIR
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

const [source, target] = process.argv.slice(2);
mkdirSync(target, { recursive: true });
const buffer = Buffer.allocUnsafe(4 << 20);
const renames = [];
for (const [index, name] of readdirSync(source).entries()) {
  const input = openSync(path.join(source, name), 'r');
  const temporary = path.join(target, `.${name}.${index}.tmp`);
  const output = openSync(temporary, 'wx', 0o644);
  for (let read; (read = readSync(input, buffer, 0, buffer.length, null)) > 0; ) writeSync(output, buffer, 0, read);
  closeSync(output);
  closeSync(input);
  renames.push([temporary, path.join(target, name)]);
}
spawnSync('sync', ['-f', target]);
for (const [from, to] of renames) renameSync(from, to);
