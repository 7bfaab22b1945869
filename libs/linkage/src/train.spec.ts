import { priorModel } from './default-model';
import { estimateByEm } from './em';
import { fieldLevels, fieldNames } from './levels';
import { modulus11CheckDigit } from './identifiers';
import { compileModel, parseModel, serialiseModel } from './model';
import { PatientIdentity, RecordFacts } from './person';
import { seededRng } from './rng';
import { TrainingCollector, TrainingError, contentVersion, patternCode, patternOfCode, patternSpace, trainFrom } from './train';

const thresholds = { link: 12, review: 0, closeMargin: 6 };

/**
 * A small synthetic cohort and extract with known error rates among the true pairs:
 * NHS number dropped 10%, a different valid number 5%; date of birth one day out 5%; family
 * name misspelt 5%; moved 20%; sex wrong 1%. Plus twins (same date of birth, family name and
 * address; another given name and number) and many unrelated deaths.
 */
function synthetic(seed: number, opts: { patients?: number; deaths?: number; twins?: number; unrelated?: number } = {}) {
  const r = seededRng(seed);
  const nPatients = opts.patients ?? 3000;
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const family = [
    'SMITH',
    'JONES',
    'TAYLOR',
    'BROWN',
    'WILLIAMS',
    'WILSON',
    'JOHNSON',
    'DAVIES',
    'ROBINSON',
    'WRIGHT',
    'THOMPSON',
    'EVANS',
    'WALKER',
    'WHITE',
    'ROBERTS',
    'GREEN',
    'HALL',
    'WOOD',
    'JACKSON',
    'CLARKE',
    'PATEL',
    'KHAN',
    'LEWIS',
    'JAMES',
    'PHILLIPS',
    'MASON',
  ];
  const male = ['JOHN', 'DAVID', 'MICHAEL', 'PAUL', 'ANDREW', 'PETER', 'JAMES', 'ROBERT', 'MARK', 'RICHARD', 'STEPHEN', 'THOMAS'];
  const female = ['MARY', 'SUSAN', 'MARGARET', 'PATRICIA', 'JEAN', 'ELIZABETH', 'SARAH', 'ANN', 'HELEN', 'JANET', 'CAROL', 'LINDA'];
  const used = new Set<string>();
  const nhs = (): string => {
    for (;;) {
      const first9 = String(4 + Math.floor(r() * 4)) + String(Math.floor(r() * 1e8)).padStart(8, '0');
      const c = modulus11CheckDigit(first9);
      if (c === null || used.has(first9 + c)) continue;
      used.add(first9 + c);
      return first9 + c;
    }
  };
  const dob = (): string => new Date(Date.UTC(1925, 0, 1) + Math.floor(r() * 40 * 365) * 86_400_000).toISOString().slice(0, 10);
  const postcode = (): string =>
    `${pick(['SE', 'M', 'B', 'LS', 'EH', 'G'])}${1 + Math.floor(r() * 20)} ${Math.floor(r() * 10)}${pick(['AA', 'AB', 'BD', 'EH', 'JW', 'XY'])}`;
  const person = (): Omit<PatientIdentity, 'patientId' | 'randomisedOn'> => {
    const sex = r() < 0.5 ? 'M' : 'F';
    return {
      nhsNumber: nhs(),
      chiNumber: null,
      dateOfBirth: dob(),
      sex,
      familyName: pick(family) + (r() < 0.5 ? pick(['ER', 'TON', 'LEY', 'S', '']) : ''),
      givenNames: pick(sex === 'M' ? male : female),
      postcode: postcode(),
    };
  };
  const death = (p: Omit<PatientIdentity, 'patientId' | 'randomisedOn'>): RecordFacts => ({
    ...p,
    kind: 'death',
    dateOfDeath: '2010-01-01',
    eventDate: null,
  });
  const patients: PatientIdentity[] = [];
  for (let i = 0; i < nPatients; i++) patients.push({ ...person(), patientId: `P${i}`, randomisedOn: '2008-01-01' });
  const records: RecordFacts[] = [];
  const nDeaths = opts.deaths ?? 900;
  for (let i = 0; i < nDeaths; i++) {
    const p = patients[i];
    const q = { ...p };
    const x = r();
    if (x < 0.1) q.nhsNumber = null;
    else if (x < 0.15) q.nhsNumber = nhs();
    if (r() < 0.05) q.dateOfBirth = new Date(Date.parse(`${p.dateOfBirth}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    if (r() < 0.05) q.familyName = `${p.familyName}Q`;
    if (r() < 0.2) q.postcode = postcode();
    if (r() < 0.01) q.sex = p.sex === 'M' ? 'F' : 'M';
    records.push(death(q));
  }
  for (let i = 0; i < (opts.twins ?? 0); i++) {
    const p = patients[nDeaths + i];
    let given = pick(p.sex === 'M' ? male : female);
    while (given === p.givenNames) given = pick(p.sex === 'M' ? male : female);
    records.push(death({ ...p, givenNames: given, nhsNumber: nhs() }));
  }
  for (let i = 0; i < (opts.unrelated ?? 9000); i++) records.push(death(person()));
  // Shuffle, so the matches are spread through the extract as in a real one.
  for (let i = records.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [records[i], records[j]] = [records[j], records[i]];
  }
  return { patients, records, trueMatches: nDeaths };
}

function collect(
  data: { patients: PatientIdentity[]; records: RecordFacts[] },
  options: { seed?: number; pairFraction?: number } = {},
): TrainingCollector {
  const c = new TrainingCollector({ seed: options.seed ?? 1, sampleRecords: 5000, pairFraction: options.pairFraction });
  for (const p of data.patients) c.addPatient(p);
  for (const rec of data.records) c.addRecord(rec);
  return c;
}

describe('training (train.ts)', () => {
  const data = synthetic(7, { twins: 60 });
  const collector = collect(data);
  const report = trainFrom(collector, { samples: 50_000, seed: 3, thresholds });
  const m = report.model.fields;

  it('numbers every comparison pattern one to one', () => {
    for (let code = 0; code < patternSpace; code++) expect(patternCode(patternOfCode(code))).toBe(code);
    expect(patternSpace).toBe(fieldNames.reduce((a, f) => a * fieldLevels[f].length, 1));
  });

  it('recovers the known m of the true pairs, twins notwithstanding', () => {
    for (const s of report.sessions) expect(s.em?.converged).toBe(true);
    expect(report.em.converged).toBe(true);
    // Among pairs with both numbers: 5/90 have a different valid number.
    expect(m.identifier.other.m).toBeGreaterThan(0.03);
    expect(m.identifier.other.m).toBeLessThan(0.09);
    expect(m.dateOfBirth['one-day'].m).toBeGreaterThan(0.03);
    expect(m.dateOfBirth['one-day'].m).toBeLessThan(0.075);
    expect(m.postcode.full.m).toBeGreaterThan(0.72);
    expect(m.postcode.full.m).toBeLessThan(0.86);
    expect(m.sex.differ.m).toBeLessThan(0.025);
    // Twins differ in given name (and number): one EM over all blocked pairs takes them for
    // matches with two errors; the sessions do not.
    expect(m.givenNames.other.m).toBeLessThan(0.02);
    const start = Object.fromEntries(
      fieldNames.map((f) => [f, Object.fromEntries(Object.entries(m[f]).map(([l, p]) => [l, { m: priorModel.fields[f][l].m, u: p.u }]))]),
    );
    const single = estimateByEm(collector.patterns(), { start: start as typeof m, startLambda: priorModel.prior, allPairs: report.allPairs });
    expect(single.fields.givenNames.other.m).toBeGreaterThan(0.03);
    // λ: the true pairs among all record × patient pairs (twins may add a little).
    const truth = data.trueMatches / (data.records.length * data.patients.length);
    expect(report.model.prior).toBeGreaterThan(0.9 * truth);
    expect(report.model.prior).toBeLessThan(1.15 * truth);
  });

  it('keeps every m and u off 0 and 1, and a different valid number strongly against a match', () => {
    for (const f of fieldNames) {
      for (const [level, p] of Object.entries(m[f])) {
        for (const x of [p.m, p.u]) {
          expect([f, level, x > 1e-7 && x < 1 - 1e-7]).toEqual([f, level, true]);
        }
      }
    }
    // A near-miss number is never seen here (all numbers valid), yet keeps its prior's share.
    expect(m.identifier.near.m).toBeGreaterThan(1e-5);
    expect(compileModel(report.model).weights.identifier.other).toBeLessThan(-3);
  });

  it('writes a model that parses, keeps the thresholds, and is versioned by its content', () => {
    const parsed = parseModel(serialiseModel(report.model));
    expect(parsed.ok).toBe(true);
    expect(report.model.thresholds).toEqual(thresholds);
    expect(report.model.version).toMatch(/^fs-em-[0-9a-f]{12}$/);
    expect(report.model.version).toBe(contentVersion(report.model));
    expect(Object.keys(report.model.termFrequencies.familyName).length).toBeGreaterThan(0);
  });

  it('is deterministic: same data and seeds, same model and version; other thresholds, other version', () => {
    const again = trainFrom(collect(data), { samples: 50_000, seed: 3, thresholds });
    expect(serialiseModel(again.model)).toBe(serialiseModel(report.model));
    const other = trainFrom(collect(data), { samples: 50_000, seed: 3, thresholds: { ...thresholds, link: 10 } });
    expect(other.model.version).not.toBe(report.model.version);
    expect(other.model.fields).toEqual(report.model.fields);
    expect(trainFrom(collect(data), { samples: 50_000, seed: 3, thresholds, version: 'site-7' }).model.version).toBe('site-7');
  });

  it('counts the pairs of a seeded sample of records when asked to', () => {
    const half = collect(data, { pairFraction: 0.5 });
    expect(half.stats.records).toBe(data.records.length);
    expect(half.stats.pairRecords).toBeGreaterThan(0.45 * data.records.length);
    expect(half.stats.pairRecords).toBeLessThan(0.55 * data.records.length);
    const r = trainFrom(half, { samples: 50_000, seed: 3, thresholds });
    expect(r.allPairs).toBe(half.stats.pairRecords * data.patients.length);
    expect(r.model.fields.postcode.full.m).toBeGreaterThan(0.7);
  });

  it('falls back to one EM over all blocked pairs when no pair shares an identifier', () => {
    const strip = <T extends { nhsNumber: string | null }>(x: T): T => ({ ...x, nhsNumber: null });
    const r = trainFrom(collect({ patients: data.patients.map(strip), records: data.records.map(strip) }), { samples: 50_000, seed: 3, thresholds });
    expect(r.sessions.find((s) => s.name === 'same identifier')?.em).toBeNull();
    expect(r.sessions.at(-1)?.name).toBe('all blocked pairs');
    expect(r.model.fields.dateOfBirth.exact.m).toBeGreaterThan(0.85);
  });

  it('rejects what it cannot train on', () => {
    const empty = new TrainingCollector({ seed: 1 });
    expect(() => trainFrom(empty, { samples: 10, seed: 1, thresholds })).toThrow(new TrainingError('no patients to train on'));
    empty.addPatient(data.patients[0]);
    expect(() => trainFrom(empty, { samples: 10, seed: 1, thresholds })).toThrow(/no valid registry records/);
    empty.addRecord({ ...data.records[0], nhsNumber: null, dateOfBirth: null, postcode: null, familyName: null });
    expect(() => trainFrom(empty, { samples: 10, seed: 1, thresholds })).toThrow(/no record shares a blocking key/);
    expect(() => empty.addPatient(data.patients[1])).toThrow(/before the first record/);
    expect(() => trainFrom(collector, { samples: 0, seed: 1, thresholds })).toThrow(/samples must be a positive integer/);
    expect(() => new TrainingCollector({ seed: 1, pairFraction: 0 })).toThrow(RangeError);
    expect(() => new TrainingCollector({ seed: 1, sampleRecords: 0 })).toThrow(RangeError);
  });

  it('keeps the first of two cohort rows with the same patientId', () => {
    const c = new TrainingCollector({ seed: 1 });
    c.addPatient(data.patients[0]);
    c.addPatient({ ...data.patients[1], patientId: data.patients[0].patientId });
    expect(c.stats).toMatchObject({ patients: 1, duplicatePatients: 1 });
  });
});
