import { createHash } from 'node:crypto';

/**
 * A small seeded PRNG (sfc32), so the demo data is a pure function of its seed: Math.random
 * cannot be seeded, and a library would tie the committed bytes to its version.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Warm up: the first outputs of sfc32 still echo the seed.
    for (let i = 0; i < 15; i++) this.next();
  }

  /** An independent stream for one part of the world, so changing one part leaves the others' draws alone. */
  static stream(seed: number, label: string): Rng {
    return new Rng(hash32(`${seed}:${label}`));
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Normal by Box-Muller (one draw per call: simpler to keep deterministic than a cached pair). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }

  weighted<T>(xs: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((s, w) => s + w, 0);
    let r = this.next() * total;
    for (let i = 0; i < xs.length; i++) {
      r -= weights[i];
      if (r < 0) return xs[i];
    }
    return xs[xs.length - 1];
  }

  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** `k` distinct items, each drawn with probability proportional to its weight among those left. */
  sampleWeighted<T>(xs: readonly T[], weight: (x: T) => number, k: number): T[] {
    const left = [...xs];
    const out: T[] = [];
    while (out.length < k && left.length > 0) {
      const chosen = this.weighted(left, left.map(weight));
      out.push(chosen);
      left.splice(left.indexOf(chosen), 1);
    }
    return out;
  }
}

export function hash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

/** A name-based UUID (v5 layout, SHA-1) from the seed and a stable key: same seed, same ids. */
export function seededUuid(seed: number, key: string): string {
  const b = createHash('sha1').update(`bcis1-demo:${seed}:${key}`).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
