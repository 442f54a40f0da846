import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The import rules of DEVELOPERS.md and STYLE.md, checked on the source itself.

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(folder: string): string[] {
  const dir = path.join(root, folder);
  if (!existsSync(dir)) return []; // daemon/ and tui/ arrive with their features
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name))
    .map((name) => path.join(folder, name));
}

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1] ?? match[2] ?? '');
}

function resolvesInto(file: string, specifier: string, folder: string): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = path.relative(root, path.resolve(path.dirname(path.join(root, file)), specifier));
  return target === folder || target.startsWith(`${folder}${path.sep}`);
}

describe('module boundaries', () => {
  it('src/ imports neither daemon/ nor tui/', () => {
    const offending = sources('src').flatMap((file) => importsOf(file).filter((specifier) => resolvesInto(file, specifier, 'daemon') || resolvesInto(file, specifier, 'tui')).map((specifier) => `${file} -> ${specifier}`));
    expect(offending).toEqual([]);
  });

  it('daemon/ and tui/ do not import each other, and reach the engine only through src/index.ts', () => {
    const offending: string[] = [];
    for (const [folder, other] of [['daemon', 'tui'], ['tui', 'daemon']] as const) {
      for (const file of sources(folder)) {
        for (const specifier of importsOf(file)) {
          if (resolvesInto(file, specifier, other)) offending.push(`${file} -> ${specifier}`);
          if (resolvesInto(file, specifier, 'src') && path.relative(root, path.resolve(path.dirname(path.join(root, file)), specifier)) !== path.join('src', 'index.js')) {
            offending.push(`${file} -> ${specifier} (use src/index.js)`);
          }
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it.each([
    ['dicom-parser', 'src/dicom/byte-order.ts'],
    ['better-sqlite3', 'src/store/mapping-store.ts'],
    ['yazl', 'src/export/zip-export.ts'],
    ['csv-stringify', 'src/export/mapping-csv.ts'],
    ['dotenv', 'src/config/config.ts'],
  ])('%s is imported by exactly one module', (library, module) => {
    const importers = ['src', 'daemon', 'tui', 'bin'].flatMap(sources).filter((file) => importsOf(file).some((specifier) => specifier === library || specifier.startsWith(`${library}/`)));
    expect(importers).toEqual([module.split('/').join(path.sep)]);
  });
});
