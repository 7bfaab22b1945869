/**
 * JSON with object keys sorted. Postgres jsonb reorders keys, so comparing a state read back
 * from the database with a freshly folded one needs a canonical form.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Whether `a` and `b` have the same canonical JSON (canonicalJson(a) === canonicalJson(b)),
 * compared in place instead of building and sorting both texts: the projector compares every
 * touched patient's state, follow-up and guard, and the two stringifications were its largest
 * CPU cost in bench:pipeline (node --cpu-prof). JSON's rules: a key whose value JSON drops
 * (undefined, a function) is absent, such a value in an array is null, a non-finite number is
 * null, and a value with toJSON (a Date) counts as what toJSON returns.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return same(asJson(a, false), asJson(b, false));
}

const ABSENT = Symbol('absent');

function asJson(v: unknown, inArray: boolean): unknown {
  const j =
    v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v;
  if (typeof j === 'number') return Number.isFinite(j) ? j : null;
  if (j === undefined || typeof j === 'function' || typeof j === 'symbol') return inArray ? null : ABSENT;
  return j;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => same(asJson(x, true), asJson(bs[i], true)));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let present = 0;
  for (const k of Object.keys(ao)) {
    const x = asJson(ao[k], false);
    if (x === ABSENT) continue;
    present++;
    if (!Object.prototype.hasOwnProperty.call(bo, k) || !same(x, asJson(bo[k], false))) return false;
  }
  return present === Object.keys(bo).filter((k) => asJson(bo[k], false) !== ABSENT).length;
}
