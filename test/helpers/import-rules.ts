// The import rules of STYLE.md as functions over a folder of sources, so a test can run them on the
// repository and on a small planted tree that breaks them. Imports are read with the TypeScript
// parser: type-only imports, re-exports, dynamic import() and require() all count.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** The folders holding our modules; each must exist. */
export const MODULE_FOLDERS = ['src', 'daemon', 'tui', 'bin'] as const;

/** Which of our modules may import a runtime dependency: a file, or a folder ending in `/`. */
export type LibraryOwners = Readonly<Record<string, readonly string[]>>;

export interface ModuleImport {
  readonly specifier: string;
  /** The module it names inside the tree (relative, `/`-separated), for a relative specifier that resolves. */
  readonly target?: string;
}

export interface ModuleTree {
  readonly root: string;
  /** Module path (relative to the root, `/`-separated) to its imports, in source order. */
  readonly modules: ReadonlyMap<string, readonly ModuleImport[]>;
  /** Folders of MODULE_FOLDERS that are missing, and relative imports that name no module. */
  readonly problems: readonly string[];
}

const SOURCE = /\.(?:ts|tsx|mts)$/;

/** Reads every module under the given folders of `root`. */
export function readModuleTree(root: string, folders: readonly string[] = MODULE_FOLDERS): ModuleTree {
  const problems: string[] = [];
  const files: string[] = [];
  for (const folder of folders) {
    if (!existsSync(path.join(root, folder))) {
      problems.push(`${folder}/ is missing`);
      continue;
    }
    for (const name of readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })) {
      if (SOURCE.test(name) && !name.endsWith('.d.ts')) files.push(`${folder}/${name.split(path.sep).join('/')}`);
    }
  }
  files.sort();
  const known = new Set(files);
  const modules = new Map<string, ModuleImport[]>();
  for (const file of files) {
    modules.set(
      file,
      specifiersOf(path.join(root, file)).map((specifier) => {
        if (!specifier.startsWith('.')) return { specifier };
        const target = resolveRelative(file, specifier, known);
        if (target === undefined) problems.push(`${file} imports ${specifier}, which names no module of ours`);
        return target === undefined ? { specifier } : { specifier, target };
      }),
    );
  }
  return { root, modules, problems };
}

/** Every module specifier in a source file: import/export from, import(), require() and createRequire(...)(). */
export function specifiersOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    } else if (ts.isCallExpression(node) && isLoader(node.expression)) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteralLike(first)) found.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `import(...)`, `require(...)` and `createRequire(...)(...)`. */
function isLoader(callee: ts.Expression): boolean {
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  return ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'createRequire';
}

/** The module a relative specifier names: `./x.js` is `x.ts` or `x.tsx`, a folder its index. */
function resolveRelative(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const stem = base.replace(/\.(?:js|jsx|mjs|ts|tsx|mts)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${base}/index.ts`, `${base}/index.tsx`];
  return candidates.find((candidate) => known.has(candidate));
}

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

/**
 * Every import circle among our modules, each as the path `a -> b -> a` starting at its
 * alphabetically first module; type-only and dynamic imports count, since either ties the
 * modules together for a reader.
 */
export function importCycles(tree: ModuleTree): string[] {
  const edges = new Map<string, string[]>();
  for (const [file, imports] of tree.modules) {
    edges.set(file, [...new Set(imports.flatMap(({ target }) => (target === undefined ? [] : [target])))].sort());
  }
  const component = stronglyConnected(edges);
  const cycles: string[] = [];
  // Each elementary circle is found once, from its smallest module, visiting only larger ones of
  // its own component (which keeps the walk small: most modules are in no circle at all).
  for (const start of [...edges.keys()].sort()) {
    const trail = [start];
    const onTrail = new Set(trail);
    const walk = (node: string): void => {
      for (const next of edges.get(node) ?? []) {
        if (next === start) cycles.push([...trail, start].join(' -> '));
        else if (next > start && component.get(next) === component.get(start) && !onTrail.has(next)) {
          trail.push(next);
          onTrail.add(next);
          walk(next);
          onTrail.delete(next);
          trail.pop();
        }
      }
    };
    walk(start);
  }
  return cycles;
}

/** Tarjan's algorithm: each node to the number of its strongly connected component. */
function stronglyConnected(edges: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const component = new Map<string, number>();
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const number = component.size === 0 ? 0 : Math.max(...component.values()) + 1;
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.set(member, number);
      if (member === node) break;
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return component;
}
