// Import circles among our modules, each reported as the path that closes it.
import type { ModuleTree } from './module-tree.js';

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
  let count = 0;
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
    const number = count++;
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.set(member, number);
      if (member === node) break;
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return component;
}
