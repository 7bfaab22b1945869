// The order of group and level labels: R's, so that the default reference group and the order of
// groups, subgroup levels and strata are those R's factor() gives the same labels.

/**
 * Compares two labels as R sorts character vectors in a UTF-8 locale with ICU (R's
 * capabilities("ICU"), the default on this project's machines, C.UTF-8 included): the Unicode
 * collation algorithm's root order (punctuation, then digits, then letters; case and accents
 * only break ties, lower case first), so `control` comes before `IABP` as it does in
 * levels(factor(c("IABP", "control"))). Labels the collation calls equal (canonically
 * equivalent spellings) fall back to code-unit order, so the order is total and stable.
 * Reference: R's Scollate (src/main/util.c) through ICU ucol_strcoll; Unicode TR10.
 */
const collator = new Intl.Collator('und');

export function byLabel(a: string, b: string): number {
  const c = collator.compare(a, b);
  if (c !== 0) return c;
  return a < b ? -1 : a > b ? 1 : 0;
}
