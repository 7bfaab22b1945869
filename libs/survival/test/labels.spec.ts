// Group labels are arm labels, so any string. Read back from a plain object,
// a Cox warm start found Object's `constructor` for a group of that name; from a Map it finds
// only what was put in.
import { computeReadout, coxWarmStart, SurvivalTable } from '../src';

function table(rows: Array<[number, 0 | 1]>): SurvivalTable {
  const t = new SurvivalTable();
  for (const [time, event] of rows) t.add(time, event);
  return t;
}

describe('group labels that are object property names', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('a warm start for a group %s gives the cold-start fit', (label) => {
    const groups = (): Map<string, SurvivalTable> =>
      new Map([
        [
          'A',
          table([
            [2, 1],
            [3, 0],
            [5, 1],
            [8, 1],
            [9, 0],
            [12, 1],
          ]),
        ],
        [
          label,
          table([
            [1, 1],
            [4, 1],
            [6, 0],
            [7, 1],
            [10, 1],
            [11, 0],
          ]),
        ],
      ]);
    const cold = computeReadout(groups(), { reference: 'A' });
    expect(cold.groups.map((g) => g.group)).toEqual(['A', label]);
    // The warm start holds the group's coefficient under its label (an object lost `__proto__`).
    expect([...coxWarmStart(cold)]).toEqual([[label, cold.cox?.terms[0].coef]]);
    const warm = computeReadout(groups(), { reference: 'A', coxInit: coxWarmStart(cold) });
    expect(warm.cox?.terms[0].coef).toBeCloseTo(cold.cox?.terms[0].coef ?? NaN, 9);
    // No warm start for this group: the fit starts from 0, not from a prototype's property.
    const empty = computeReadout(groups(), { reference: 'A', coxInit: new Map() });
    expect(empty.cox?.terms[0].coef).toBeCloseTo(cold.cox?.terms[0].coef ?? NaN, 9);
  });
});
