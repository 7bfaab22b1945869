import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { causeInRanges, enrollmentEvent, upcast } from '@trial/contracts';
import { DEMO_SEED } from './generate';
import { regionOf } from './places';
import { buildWorld } from './world';

// Issue 15, item 6: the demo's deaths carry realistic underlying causes (about six in ten
// cardiovascular) and its registration the analysis plan: region strata, subgroups, CVDEATH.
const data = join(__dirname, 'data');
const expected = JSON.parse(readFileSync(join(data, 'expected.json'), 'utf8')) as {
  patients: Array<{ patientId: string; arm: string; status: number }>;
};
const events = readFileSync(join(data, 'enrollments.jsonl'), 'utf8')
  .trimEnd()
  .split('\n')
  .map((l) => enrollmentEvent.parse(upcast((JSON.parse(l) as { event: unknown }).event)));

describe('demo causes of death and analysis plan', () => {
  it('gives about six in ten of the deaths that count a cardiovascular cause, fewer in the IABP arm', () => {
    const world = buildWorld(DEMO_SEED, { haystack: false });
    const cv = { control: 0, IABP: 0 } as Record<string, number>;
    for (const p of expected.patients.filter((x) => x.status === 1)) {
      if (causeInRanges(world.fates.get(p.patientId)?.death?.cause, [{ from: 'I00', to: 'I99' }])) cv[p.arm]++;
    }
    expect(cv).toEqual({ control: 38, IABP: 22 });
  });

  it('registers BCIS-1 with region strata, sex, age-band and region subgroups and the CVDEATH endpoint', () => {
    const reg = events.find((e) => e.type === 'TrialRegistered');
    expect(reg).toMatchObject({
      v: 2,
      stratificationFactors: ['region'],
      subgroups: [
        { variable: 'sex', from: 'sex' },
        { variable: 'age75', from: 'age', cuts: [75] },
        { variable: 'region', from: 'stratum' },
      ],
      endpoints: [{ code: 'CVDEATH', icd10: [{ from: 'I00', to: 'I99' }] }],
    });
  });

  it('randomises every patient in the region of their site', () => {
    const randomised = events.flatMap((e) => (e.type === 'PatientRandomised' ? [e] : []));
    expect(randomised).toHaveLength(301);
    for (const p of randomised) expect(p.strata).toEqual({ region: regionOf(p.site) });
    expect(new Set(randomised.map((p) => p.strata.region)).size).toBe(6);
  });
});
