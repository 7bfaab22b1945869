// Small cases of `followup interim`'s maths checked by hand (closed forms), beside the rpact
// agreement in interim.spec.ts.
import { designRates, interimAnalysis, sequentialProbabilities } from '@trial/survival';
import { pnorm } from '../src/dist';

describe('sequentialProbabilities', () => {
  test('one look: the normal tails', () => {
    const [p] = sequentialProbabilities([-1], [1.96], [0.4]);
    expect(p.below).toBeCloseTo(pnorm(-1), 12);
    expect(p.above).toBeCloseTo(pnorm(-1.96), 12);
    expect(p.reached).toBe(1);
  });

  test('two looks: P(Z1 < 0, Z2 < 0) = 1/4 + asin(rho) / (2 pi) with rho = sqrt(t1 / t2)', () => {
    // Continuing at look 1 means Z1 in (-inf, 0); then Z2 < 0. rho = sqrt(0.5): 1/4 + 1/8 = 0.375.
    // rpact clips the lower bound at -6 and integrates on a 91-point Newton-Cotes grid: within 1e-7.
    const [, p] = sequentialProbabilities([-Infinity, 0], [0, 0], [0.5, 1]);
    expect(Math.abs(p.reached - 0.5)).toBeLessThan(1e-7);
    expect(Math.abs(p.below - 0.375)).toBeLessThan(1e-7);
    expect(Math.abs(p.above - 0.125)).toBeLessThan(1e-7);
  });
});

describe('designRates: the i-th look taken replaces the i-th planned look', () => {
  test.each([
    [120, [40], [1 / 3, 2 / 3, 1], [40 / 120, 2 / 3, 1]],
    [100, [30], [0.25, 0.5, 1], [0.3, 0.5, 1]],
    [100, [55], [0.5, 1], [0.55, 1]],
    [100, [60], [0.5, 0.75], [0.6, 0.75, 1]],
    [100, [45, 104], [0.5, 1], [45 / 104, 1]],
    [100, [30, 80], [0.5, 0.75, 1], [0.3, 0.8, 1]],
    [100, [40], [1], [0.4, 1]],
  ])('N = %d, events %j, planned %j', (n, events, planned, want) => {
    expect(designRates(n, events, planned)).toEqual(want);
  });
});

describe('closed forms', () => {
  const r = interimAnalysis({ plannedEvents: 100, events: [50], z: [-1.5], looks: [0.5, 1], hr1: 0.7 });

  test('repeated CI: exp(log HR +- c_k (1 + r) / sqrt(r E_k)), HR = exp(z (1 + r) / sqrt(r E))', () => {
    const se = 2 / Math.sqrt(50);
    const log = -1.5 * se;
    const c = r.looks[0].efficacyZ;
    expect(r.looks[0].repeatedCi?.lower).toBeCloseTo(Math.exp(log - c * se), 12);
    expect(r.looks[0].repeatedCi?.upper).toBeCloseTo(Math.exp(log + c * se), 12);
    expect(r.conditionalPowerTrend?.hr).toBeCloseTo(Math.exp(log), 12);
  });

  test('conditional power with one look to come: 1 - Phi(shifted final boundary)', () => {
    // shifted = (c_2 - s sqrt(t_1)) / sqrt(1 - t_1) - theta sqrt(d r / (1 + r)^2), s = -z, theta = -log(hr1)
    const c2 = r.looks[1].efficacyZ;
    const shifted = (c2 - 1.5 * Math.sqrt(0.5)) / Math.sqrt(0.5) + Math.log(0.7) * Math.sqrt(50 / 4);
    expect(r.conditionalPower?.final).toBeCloseTo(pnorm(-shifted), 8);
    const crp = (c2 - 1.5 * Math.sqrt(0.5)) / Math.sqrt(0.5);
    expect(r.conditionalRejectionProbability).toBeCloseTo(pnorm(-crp), 8);
  });

  test('stopping at look 1: the fixed-sample p-value and estimate', () => {
    const s = interimAnalysis({ plannedEvents: 100, events: [50], z: [-3.5], looks: [0.5, 1] });
    expect(s.looks[0].action).toBe('reject and stop');
    expect(s.final?.look).toBe(1);
    expect(s.final?.pValue).toBeCloseTo(pnorm(-3.5), 12);
    expect(s.final?.medianUnbiased).toBeCloseTo(Math.exp((-3.5 * 2) / Math.sqrt(50)), 12);
  });

  test('a single-look design: repeated p is the fixed-sample one-sided p, no final inference (rpact kMax = 1)', () => {
    // rpact: getAnalysisResults(getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1, informationRates = 1,
    //   typeOfDesign = "asOF"), getDataset(overallEvents = 100, overallLogRanks = -2.1), directionUpper = FALSE):
    //   testActions "reject", repeated CI 0.4439724 - 0.9723814, repeated p 0.01786442, finalStage NA.
    const s = interimAnalysis({ plannedEvents: 100, events: [100], z: [-2.1] });
    expect(s.looks).toHaveLength(1);
    expect(s.looks[0].action).toBe('reject');
    expect(s.looks[0].repeatedP).toBeCloseTo(0.01786442, 4);
    expect(s.looks[0].repeatedCi?.lower).toBeCloseTo(0.4439724, 4);
    expect(s.looks[0].repeatedCi?.upper).toBeCloseTo(0.9723814, 4);
    expect(s.final).toBeNull();
    expect(s.conditionalRejectionProbability).toBeNull();
  });

  test.each([
    // for (sd in 1:2) getAnalysisResults(getDesignGroupSequential(kMax = 1, alpha = 0.025 * sd, sided = sd),
    //   getDataset(overallEvents = 605, overallLogRanks = 0.217, overallAllocationRatios = 1), directionUpper = FALSE)$repeatedPValues
    [1, 0.5858958],
    [2, 0.8282083],
  ] as const)('a single look against the experimental arm, sided %d: the repeated p is its p-value, above 0.5 too', (sided, p) => {
    const s = interimAnalysis({ plannedEvents: 605, events: [605], z: [0.217], alpha: 0.025 * sided, sided });
    expect(Math.abs((s.looks[0].repeatedP ?? NaN) - p)).toBeLessThan(1e-7);
  });

  test('the sign convention: a positive z (against the experimental arm) never rejects', () => {
    const s = interimAnalysis({ plannedEvents: 100, events: [50], z: [3.5], looks: [0.5, 1] });
    expect(s.looks[0].action).toBe('continue');
    expect(s.final).toBeNull();
  });
});
