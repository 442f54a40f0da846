import { isWithin, realPathOf } from '../io/real-path.js';

/**
 * Why `outDir` cannot take the outputs of `inputs`, or undefined when it can: it must not be an
 * input, nor hold one (the walk leaves the output folder out, so nothing would be read). An output
 * folder inside an input folder is fine: the walk leaves it out (see `outDirInsideInput`).
 */
export function outDirProblem(inputs: readonly string[], outDir: string): string | undefined {
  const out = realPathOf(outDir);
  for (const input of inputs) {
    const real = realPathOf(input);
    if (real === out) return `--out ${outDir}: is the input ${input}; choose a folder of its own for the anonymized files`;
    if (isWithin(real, out)) return `--out ${outDir}: holds the input ${input}; choose a folder outside the inputs`;
  }
  return undefined;
}

/** Whether `outDir` lies inside one of the input folders, whose walk then leaves it out. */
export function outDirInsideInput(inputs: readonly string[], outDir: string): boolean {
  const out = realPathOf(outDir);
  return inputs.some((input) => isWithin(out, realPathOf(input)));
}
