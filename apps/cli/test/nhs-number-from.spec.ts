// The demo's and the tests' fictitious NHS numbers: always ten digits that pass Modulus 11, and a
// start that would give more digits is refused rather than turned into an invalid number.
import { isValidNhsNumber } from '@trial/linkage';
import { nhsNumberFrom } from '../src/demo/small-trial';
import { enrollments } from '../../../test/e2e/support/dashboard-trial';

const valid = (n: string) => /^\d{10}$/.test(n) && isValidNhsNumber(n);

describe('nhsNumberFrom', () => {
  it('gives the first valid number at or after the start', () => {
    expect(nhsNumberFrom(400_000_000)).toMatch(/^40000000\d{2}$/);
    for (const start of [0, 1, 123_456_789, 999_999_990]) expect(valid(nhsNumberFrom(start))).toBe(true);
  });

  it('refuses a start past nine digits', () => {
    expect(() => nhsNumberFrom(1_000_000_000)).toThrow(RangeError);
  });

  it("gives the dashboard trial's patients valid numbers whatever the trial id", () => {
    for (const id of ['DASH-a', 'DASH0-b', 'DASH-mx67jxo8ecea47', 'DASH0-mx67k6pc5cb3c1', 'x'.repeat(40)]) {
      for (const e of enrollments(id)) if (e.type === 'PatientRandomised') expect(valid(e.nhsNumber!)).toBe(true);
    }
  });
});
