// The second linkage generator (generate-uk2.ts): deterministic, its identifiers valid exactly
// where it does not damage them (by the checks of identifiers.ts), and malformed exactly the
// rows feeds.md says cannot be a registration.
import { checkChiNumber, checkNhsNumber, isValidChiNumber } from '@trial/linkage';
import { layoutColumns, validateRow } from '@trial/registry';
import { Uk2Data, buildUk2 } from './generate-uk2';

const small = { seed: 7, patients: 2000, rows: 12_000 };
const data = { ons: buildUk2({ ...small, layout: 'ons' }), nrs: buildUk2({ ...small, layout: 'nrs' }) };

interface Row {
  line: number;
  cells: string[];
  patientId: string;
  expected: string;
  tags: string[];
}

function rowsOf(d: Uk2Data): Row[] {
  return d.extract.slice(1).map((text, i) => {
    const [line, patientId, expected, tags] = d.truth[i + 1].split(',');
    return { line: Number(line), cells: text.split(','), patientId, expected, tags: tags ? tags.split(' ') : [] };
  });
}

const C = { recordId: 0, version: 1, kind: 2, id: 3, dob: 4, sex: 5, dod: 9 };
const isoOfCell = (layout: 'ons' | 'nrs', s: string): string | null => {
  const iso =
    layout === 'ons' ? (/^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}` : null) : /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : null;
  if (iso === null) return null;
  const t = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === iso ? iso : null;
};
const sexOfCell = (layout: 'ons' | 'nrs', s: string): 'M' | 'F' | null =>
  layout === 'ons' ? (s === '1' ? 'M' : s === '2' ? 'F' : null) : s === 'M' || s === 'F' ? s : null;

describe('generate-uk2', () => {
  it('gives the same files for the same seed and other files for another seed', () => {
    expect(buildUk2({ seed: 7, patients: 300, rows: 2000, layout: 'nrs' })).toEqual(buildUk2({ seed: 7, patients: 300, rows: 2000, layout: 'nrs' }));
    expect(buildUk2({ seed: 8, patients: 300, rows: 2000, layout: 'nrs' }).extract).not.toEqual(
      buildUk2({ seed: 7, patients: 300, rows: 2000, layout: 'nrs' }).extract,
    );
  });

  it.each(['ons', 'nrs'] as const)('%s: writes the asked sizes, a truth line per row, the layout of feeds.md', (layout) => {
    const d = data[layout];
    expect(d.cohort).toHaveLength(small.patients + 1);
    expect(d.extract).toHaveLength(small.rows + 1);
    expect(d.truth).toHaveLength(small.rows + 1);
    expect(d.extract[0].split(',')).toEqual(layoutColumns[layout]);
    expect(d.truth[0]).toBe('line,patientId,expected,tags');
    const rows = rowsOf(d);
    const wrong = rows.filter(
      (r, i) =>
        r.line !== i + 2 ||
        r.cells.length !== layoutColumns[layout].length ||
        !['match', 'match-review', 'nonmatch', 'malformed'].includes(r.expected),
    );
    expect(wrong).toEqual([]);
    // A small trial against a registry mostly of strangers.
    const matches = rows.filter((r) => r.expected === 'match').length;
    expect(matches / rows.length).toBeGreaterThan(0.01);
    expect(matches / rows.length).toBeLessThan(0.06);
  });

  it('NRS: CHI numbers are valid except the damaged ones, which fail the checks of identifiers.ts', () => {
    const d = data.nrs;
    const seen: Record<string, number> = {};
    const wrong: string[] = [];
    for (const r of rowsOf(d)) {
      const chi = r.cells[C.id];
      if (r.expected === 'malformed' || chi === '') continue;
      const check = checkChiNumber(chi, { dateOfBirth: isoOfCell('nrs', r.cells[C.dob]), sex: sexOfCell('nrs', r.cells[C.sex]) });
      const typo = r.tags.includes('id-typo');
      const dobOff = r.tags.includes('chi-dob-mismatch');
      const sexOff = r.tags.includes('chi-sex-mismatch');
      if (check.ok === (typo || dobOff || sexOff)) wrong.push(`line ${r.line}: check ${check.ok ? 'passes' : 'fails'}, tags ${r.tags.join(' ')}`);
      if (typo) {
        if (isValidChiNumber(chi)) wrong.push(`line ${r.line}: a mistyped CHI is a valid number`);
        seen.typo = (seen.typo ?? 0) + 1;
      } else {
        // Damage to the agreement with the row, not to the number: it is a real CHI.
        if (!isValidChiNumber(chi)) wrong.push(`line ${r.line}: CHI not valid`);
        if (!check.ok && check.problem !== (sexOff ? 'sex-digit' : 'dob-mismatch')) wrong.push(`line ${r.line}: fails with ${check.problem}`);
      }
      if (dobOff && r.tags.includes('chi-dob-corrected')) seen.corrected = (seen.corrected ?? 0) + 1;
      if (dobOff && !r.tags.includes('chi-dob-corrected')) seen.dobColumn = (seen.dobColumn ?? 0) + 1;
      if (sexOff) seen.sex = (seen.sex ?? 0) + 1;
      if (check.ok) {
        if (check.scheme !== (r.tags.includes('chi-mod10') ? 'modulus-10' : 'modulus-11')) wrong.push(`line ${r.line}: scheme ${check.scheme}`);
        if (check.scheme === 'modulus-10') seen.modulus10 = (seen.modulus10 ?? 0) + 1;
      }
      if (r.expected === 'match' && (typo || dobOff)) seen.matchDamaged = (seen.matchDamaged ?? 0) + 1;
    }
    expect(wrong).toEqual([]);
    for (const k of ['typo', 'corrected', 'dobColumn', 'sex', 'modulus10', 'matchDamaged'])
      expect({ [k]: (seen[k] ?? 0) > 0 }).toEqual({ [k]: true });
    // The trial holds the same numbers, all real; those issued with a corrected date of birth disagree with it.
    let disagree = 0;
    for (const line of d.cohort.slice(1)) {
      const c = line.split(',');
      if (c[4] !== '' || !isValidChiNumber(c[5])) wrong.push(`patient ${c[1]}: numbers`);
      const withHolder = checkChiNumber(c[5], { dateOfBirth: c[6], sex: c[7] as 'M' | 'F' });
      if (!withHolder.ok) {
        if (withHolder.problem !== 'dob-mismatch') wrong.push(`patient ${c[1]}: CHI ${withHolder.problem}`);
        disagree++;
      }
    }
    expect(wrong).toEqual([]);
    expect(disagree).toBeGreaterThan(0);
    expect(disagree / small.patients).toBeLessThan(0.05);
  });

  it('ONS: NHS numbers fail Modulus 11 exactly on the rows it mistypes, about 1% of the matched rows', () => {
    let typos = 0,
      matched = 0,
      matchedTypos = 0;
    const wrong: number[] = [];
    for (const r of rowsOf(data.ons)) {
      const nhs = r.cells[C.id];
      if (r.expected === 'malformed' || nhs === '') continue;
      const typo = r.tags.includes('id-typo');
      if (checkNhsNumber(nhs).ok === typo) wrong.push(r.line);
      if (typo) typos++;
      if (r.expected === 'match') {
        matched++;
        if (typo) matchedTypos++;
      }
    }
    expect(wrong).toEqual([]);
    expect(typos).toBeGreaterThan(0);
    expect(matchedTypos / matched).toBeGreaterThan(0.002);
    expect(matchedTypos / matched).toBeLessThan(0.02);
    expect(data.ons.cohort.slice(1).filter((line) => !checkNhsNumber(line.split(',')[4]).ok)).toEqual([]);
  });

  it.each(['ons', 'nrs'] as const)(
    "%s: a patient registered with no number and no postcode has exactly the trial's names, date of birth and sex",
    (layout) => {
      const cohort = new Map(
        data[layout].cohort.slice(1).map((l) => {
          const c = l.split(',');
          return [c[1], c];
        }),
      );
      const rows = rowsOf(data[layout]).filter((r) => r.expected === 'match' && r.tags.includes('no-id-no-postcode'));
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        const p = cohort.get(r.patientId) as string[];
        expect(r.cells[C.id]).toBe('');
        expect(r.cells[8]).toBe('');
        expect([r.cells[6], r.cells[7]]).toEqual([p[8].toUpperCase(), p[9].toUpperCase()]);
        expect(isoOfCell(layout, r.cells[C.dob])).toBe(p[6]);
        expect(sexOfCell(layout, r.cells[C.sex])).toBe(p[7]);
      }
    },
  );

  it.each(['ons', 'nrs'] as const)('%s: malformed are exactly the rows feeds.md rejects, each showing its fault', (layout) => {
    const rejectKinds = [
      'unknown-kind',
      'missing-record-id',
      'missing-version',
      'bad-version',
      'bad-date-of-death',
      'death-no-date',
      'death-before-birth',
    ];
    const kinds = new Set<string>();
    const wrong: string[] = [];
    for (const r of rowsOf(data[layout])) {
      const c = r.cells;
      const fault = r.tags.filter((t) => t.startsWith('malformed:')).map((t) => t.slice('malformed:'.length));
      const dob = isoOfCell(layout, c[C.dob]);
      const dod = isoOfCell(layout, c[C.dod]);
      const faults = {
        'unknown-kind': !['D', 'E', 'R', 'N'].includes(c[C.kind]),
        'missing-record-id': c[C.recordId] === '',
        'missing-version': c[C.version] === '',
        'bad-version': c[C.version] !== '' && !/^[1-9]\d*$/.test(c[C.version]),
        'bad-date-of-death': c[C.dod] !== '' && dod === null,
        'death-no-date': c[C.kind] === 'D' && c[C.dod] === '',
        'death-before-birth': dob !== null && dod !== null && dod < dob,
      };
      const present = Object.entries(faults)
        .filter(([, v]) => v)
        .map(([k]) => k);
      if (r.expected === 'malformed') {
        if (fault.length !== 1 || !rejectKinds.includes(fault[0]) || present.join() !== fault.join())
          wrong.push(`line ${r.line}: tagged ${fault.join()}, shows ${present.join()}`);
        kinds.add(fault[0]);
      } else {
        if (present.length) wrong.push(`line ${r.line}: valid but shows ${present.join()}`);
        // Every other date real; no unknown sex code; registration not before death: nothing the
        // registry validator could reject but the identifier (blanked here: that is damage, not a fault).
        const blanked = Object.fromEntries(layoutColumns[layout].map((k, i) => [k, i === C.id ? '' : c[i]]));
        const v = validateRow(layout, blanked, { line: r.line, extractedOn: '2026-10-05' });
        if (!v.ok) wrong.push(`line ${r.line}: valid but the validator says ${v.error.field}: ${v.error.reason}`);
      }
    }
    expect(wrong).toEqual([]);
    expect([...kinds].sort()).toEqual([...rejectKinds].sort());
  });
});
