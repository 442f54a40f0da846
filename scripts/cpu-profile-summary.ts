// npx tsx scripts/cpu-profile-summary.ts PROFILE.cpuprofile... [--top=N]
// Sums the self time of a `node --cpu-prof` profile (one per thread) by module: our own modules by
// their path under dist/, a package by its name, Node's internals as `node:<module>`, and V8's
// pseudo-frames ((garbage collector), (program), (idle)); then the functions with the most self
// time; and the same self time charged to the nearest caller that is ours or a package's (a system
// call or a Node internal counts for the module that made it). For the README's "where the
// microseconds go" (issue 21).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Where a frame's code lives, as the summary groups it. */
function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const packageName = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (packageName !== undefined) return packageName;
  if (url.startsWith('node:')) return url;
  const own = /\/dist\/(.+)$/.exec(url)?.[1];
  return own ?? url.replace(/^file:\/\//, '');
}

/** Whether a module is code we or a package wrote (not Node's, V8's or a native binding). */
const isCaller = (module: string) => !module.startsWith('node:') && !module.startsWith('(');

/**
 * Self time in microseconds by module, by function (`name module:line`) and by the nearest caller
 * that is ours or a package's, and the profile's wall time.
 */
function selfTimes(profile: CpuProfile): { byModule: Map<string, number>; byFunction: Map<string, number>; byCaller: Map<string, number>; wallUs: number } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const callerOf = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      if (frame !== undefined && isCaller(moduleOf(frame.url, frame.functionName))) return moduleOf(frame.url, frame.functionName);
    }
    const frame = nodes.get(id)?.callFrame;
    return frame === undefined ? '?' : moduleOf(frame.url, frame.functionName);
  };
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byCaller = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const module = moduleOf(url, functionName);
    byModule.set(module, (byModule.get(module) ?? 0) + delta);
    const name = `${functionName || '(anonymous)'} ${module}${url === '' ? '' : `:${lineNumber + 1}`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    const caller = callerOf(id);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + delta);
  });
  return { byModule, byFunction, byCaller, wallUs: profile.endTime - profile.startTime };
}

function main(): void {
  const args = process.argv.slice(2);
  const top = Number(args.find((arg) => arg.startsWith('--top='))?.slice(6) ?? 15);
  for (const file of args.filter((arg) => !arg.startsWith('--'))) {
    const { byModule, byFunction, byCaller, wallUs } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const busy = [...byModule].filter(([module]) => module !== '(idle)').reduce((sum, [, us]) => sum + us, 0);
    console.log(`\n${file}: ${(wallUs / 1e6).toFixed(2)} s profiled, ${(busy / 1e6).toFixed(2)} s not idle`);
    const print = (title: string, times: Map<string, number>) => {
      console.log(`  ${title}`);
      for (const [name, us] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top)) {
        console.log(`    ${(us / 1e3).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`);
      }
    };
    print('self time by module (% of the time not idle)', byModule);
    print('self time by function', byFunction);
    print('self time charged to the nearest caller of ours or a package', byCaller);
  }
}

main();
