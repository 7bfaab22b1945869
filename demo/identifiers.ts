import { Rng } from './prng';

/** Modulus 11 check digit over nine digits (weights 10..2); null where the number cannot be issued (10). */
export function mod11(nine: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  return check === 10 ? null : check;
}

export function isValidNhsNumber(n: string): boolean {
  return /^\d{10}$/.test(n) && mod11(n.slice(0, 9)) === Number(n[9]);
}

export function isValidChiNumber(n: string, dateOfBirth: string, sex: 'M' | 'F'): boolean {
  const [y, m, d] = dateOfBirth.split('-');
  const sexOk = Number(n[8]) % 2 === (sex === 'M' ? 1 : 0);
  return isValidNhsNumber(n) && n.slice(0, 6) === `${d}${m}${y.slice(2)}` && sexOk;
}

/** A fresh valid NHS number in the English and Welsh ranges (4xx and 6xx), not in `taken`. */
export function newNhsNumber(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const nine = `${rng.pick(['4', '6'])}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
    const check = mod11(nine);
    const n = `${nine}${check}`;
    if (check !== null && !taken.has(n)) {
      taken.add(n);
      return n;
    }
  }
}

/** A fresh valid CHI number: DDMMYY of birth, two serial digits, a sex digit (odd male), Modulus 11. */
export function newChiNumber(rng: Rng, dateOfBirth: string, sex: 'M' | 'F', taken: Set<string>): string {
  const [y, m, d] = dateOfBirth.split('-');
  for (;;) {
    const sexDigit = 2 * rng.int(0, 4) + (sex === 'M' ? 1 : 0);
    const nine = `${d}${m}${y.slice(2)}${String(rng.int(0, 99)).padStart(2, '0')}${sexDigit}`;
    const check = mod11(nine);
    const n = `${nine}${check}`;
    if (check !== null && !taken.has(n)) {
      taken.add(n);
      return n;
    }
  }
}

/**
 * The NHS number as a site might mistype it: two adjacent digits among the first nine swapped.
 * Modulus 11 always catches that (the weights differ by one), so the result is never valid.
 */
export function transposeDigits(n: string, rng: Rng): string {
  const candidates = [...Array(8).keys()].filter((i) => n[i] !== n[i + 1]);
  const i = rng.pick(candidates);
  return `${n.slice(0, i)}${n[i + 1]}${n[i]}${n.slice(i + 2)}`;
}
