// Group labels are arm labels, so any string. Read back from a plain object,
// a Cox warm start found Object's `constructor` for a group of that name; from a Map it finds
// only what was put in.
import { byLabel, computeReadout, coxWarmStart, orderGroups, SurvivalTable } from '../src';

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

describe("labels in R's order", () => {
  // R 4.2, C.UTF-8 with ICU (capabilities('ICU')): levels(factor(c('IABP', 'control', '10', '9', 'B', '_x', 'a', 'b', 'Ä', '<70', '70+')))
  //   "_x" "<70" "10" "70+" "9" "a" "Ä" "b" "B" "control" "IABP"
  it('sorts as factor() levels: punctuation, digits, then letters with case and accents breaking ties', () => {
    const labels = ['IABP', 'control', '10', '9', 'B', '_x', 'a', 'b', 'Ä', '<70', '70+'];
    expect([...labels].sort(byLabel)).toEqual(['_x', '<70', '10', '70+', '9', 'a', 'Ä', 'b', 'B', 'control', 'IABP']);
  });
  it("makes R's first level the default reference: control before IABP, as coxph(~ factor(arm)) takes it", () => {
    expect(orderGroups(['IABP', 'control'])).toEqual(['control', 'IABP']);
    expect(orderGroups(['IABP', 'control'], 'IABP')).toEqual(['IABP', 'control']);
  });
  it('is total: labels the collation calls equal are ordered by code unit', () => {
    const nfc = '\u00e9';
    const nfd = 'e\u0301';
    expect([nfd, nfc].sort(byLabel)).toEqual([nfc, nfd].sort(byLabel));
    expect(byLabel(nfc, nfd)).not.toBe(0);
  });
});
