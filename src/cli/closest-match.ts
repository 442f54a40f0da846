/**
 * The candidate nearest to `word` by edit distance (insertions, deletions, substitutions and swaps of
 * two neighbours each count 1), for "did you mean" hints; undefined when none is near. Near means at
 * most half of the word's letters changed (`--output` → `--out`, `anonymise` → `anonymize`); the
 * first candidate wins a tie.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.floor(letters(word).length / 2);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(letters(word), letters(candidate));
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** The word without leading dashes: `-` and `--` are not what a person misspells. */
function letters(word: string): string {
  return word.replace(/^-+/, '').toLowerCase();
}

/** Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => rows[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      row[j] = distance;
    }
  }
  return at(a.length, b.length);
}
