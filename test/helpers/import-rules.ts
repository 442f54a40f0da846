// The import rules of STYLE.md as functions over a module tree, so a test can run them on the
// repository and on a small planted tree that breaks them.
import { builtinModules } from 'node:module';
import type { ModuleTree } from './module-tree.js';

/** Which of our modules may import a runtime dependency: a file, or a folder ending in `/`. */
export type LibraryOwners = Readonly<Record<string, readonly string[]>>;

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));
}

function owns(owner: string, file: string): boolean {
  return owner.endsWith('/') ? file.startsWith(owner) : file === owner;
}

/**
 * Each runtime dependency is imported only by its owners, every owner file imports it, every
 * dependency has owners (and only dependencies do), and nothing else outside Node is imported.
 */
export function libraryViolations(tree: ModuleTree, dependencies: readonly string[], owners: LibraryOwners): string[] {
  const problems: string[] = [];
  for (const dependency of dependencies) if (!owners[dependency]) problems.push(`${dependency} is a dependency without stated owners`);
  for (const library of Object.keys(owners)) if (!dependencies.includes(library)) problems.push(`${library} has owners but is not a dependency`);
  const importers = new Map<string, Set<string>>();
  for (const [file, imports] of tree.modules) {
    for (const { specifier } of imports) {
      if (specifier.startsWith('.') || isBuiltin(specifier)) continue;
      const library = packageOf(specifier);
      const allowed = owners[library];
      if (!dependencies.includes(library)) problems.push(`${file} imports ${specifier}, which is not a runtime dependency`);
      else if (allowed && !allowed.some((owner) => owns(owner, file))) problems.push(`${file} imports ${library}, which only ${allowed.join(', ')} may import`);
      else importers.set(library, (importers.get(library) ?? new Set()).add(file));
    }
  }
  for (const [library, allowed] of Object.entries(owners)) {
    for (const owner of allowed) {
      if (!owner.endsWith('/') && !importers.get(library)?.has(owner)) problems.push(`${owner} is named as an importer of ${library} but does not import it`);
    }
  }
  return [...new Set(problems)];
}

/** The folder of a module path: `src`, `daemon`, `tui` or `bin`. */
function folderOf(file: string): string {
  return file.split('/')[0] ?? file;
}

/**
 * src/ imports neither daemon/, tui/ nor bin/; daemon/ and tui/ reach src/ only through
 * src/index.ts and import neither each other nor bin/; bin/, the entry point, may import
 * anything of ours.
 */
export function layerViolations(tree: ModuleTree): string[] {
  const problems: string[] = [];
  for (const [file, imports] of tree.modules) {
    const from = folderOf(file);
    for (const { specifier, target } of imports) {
      if (target === undefined) continue;
      const to = folderOf(target);
      if (from === to || from === 'bin') continue;
      if (from === 'src') problems.push(`${file} imports ${target}: src/ imports neither daemon/, tui/ nor bin/`);
      else if (to !== 'src') problems.push(`${file} imports ${target}: ${from}/ imports neither ${from === 'tui' ? 'daemon/' : 'tui/'} nor bin/`);
      else if (target !== 'src/index.ts') problems.push(`${file} imports ${specifier}: ${from}/ reaches src/ only through src/index.ts`);
    }
  }
  return problems;
}

/** The rooms of src/ from the bottom up: a room imports only rooms of lower layers (and src/index.ts imports any). */
export type RoomLayers = readonly (readonly string[])[];

/** The room of a module of src/ (`src/deid/plan-deid.ts` → `deid`); undefined for src/index.ts and outside src/. */
function roomOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

/**
 * Inside src/, every module sits in a room (a folder) that has a layer, and imports only its own
 * room and the rooms of layers below: rooms of one layer are apart, and nothing imports upwards.
 */
export function roomViolations(tree: ModuleTree, layers: RoomLayers): string[] {
  const layerOf = new Map<string, number>();
  layers.forEach((rooms, layer) => rooms.forEach((room) => layerOf.set(room, layer)));
  const problems = new Set<string>();
  for (const [file, imports] of tree.modules) {
    if (!file.startsWith('src/') || file === 'src/index.ts') continue;
    const from = roomOf(file);
    if (from === undefined) {
      problems.add(`${file} is in no room: every module of src/ but index.ts lives in a folder`);
      continue;
    }
    const fromLayer = layerOf.get(from);
    if (fromLayer === undefined) {
      problems.add(`src/${from}/ has no place in the layer order`);
      continue;
    }
    for (const { target } of imports) {
      const to = target === undefined ? undefined : roomOf(target);
      if (target === undefined || !target.startsWith('src/') || to === from) continue;
      if (to === undefined) problems.add(`${file} imports ${target}: only the entry points import src/index.ts`);
      else if ((layerOf.get(to) ?? Infinity) >= fromLayer) problems.add(`${file} imports ${target}: ${from}/ may not import ${to}/, ${layerOf.get(to) === fromLayer ? 'which is beside it' : 'which is above it'}`);
    }
  }
  return [...problems];
}
