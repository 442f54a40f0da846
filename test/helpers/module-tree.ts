// Our modules and what each imports, read with the TypeScript parser so type-only imports,
// re-exports, dynamic import() and require() all count. The import rules run over this tree.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The folders holding our modules; each must exist. */
export const MODULE_FOLDERS = ['src', 'daemon', 'tui', 'bin'] as const;

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

/** `import(...)`, `require(...)`, `createRequire(...)(...)` and the `.resolve(...)` of either require. */
function isLoader(callee: ts.Expression): boolean {
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve') return isLoader(callee.expression);
  return ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'createRequire';
}

/** The module a relative specifier names: `./x.js` is `x.ts` or `x.tsx`, a folder its index. */
function resolveRelative(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const stem = base.replace(/\.(?:js|jsx|mjs|ts|tsx|mts)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${base}/index.ts`, `${base}/index.tsx`];
  return candidates.find((candidate) => known.has(candidate));
}
