// One clerical review item as the reviewer reads it: the registry record beside each candidate,
// field by field, with each field's comparison level and weight, and each candidate's weight as
// a waterfall (the prior, each field, the total). Everything as GET /reviews/:id gives it.
import { h } from './dom.js';
import { formatDate, formatInstant } from './format.js';
import { probability, waterfall } from './waterfall.js';

/** The queue's reasons in a reviewer's words; an identifier conflict across trials has its own. */
export function reasonOf(item) {
  if (item.reason === 'identifier-conflict' && item.competing?.length) return "Another trial's owner";
  return (
    {
      'between-thresholds': 'Between the thresholds',
      'close-candidates': 'Close candidates',
      'death-before-randomisation': 'Death before randomisation',
      'household-member': 'Household member',
      'identifier-conflict': 'Identifier conflict',
    }[item.reason] ?? item.reason
  );
}

const WHY = {
  'between-thresholds': 'The best candidate scored between the link and no-link thresholds.',
  'close-candidates': 'More than one candidate scored close to the best: the model cannot tell them apart.',
  'death-before-randomisation': 'The registry date of death is before the candidate was randomised.',
  'household-member':
    'No number confirms it, and the family name and address agree but the given names do not: a relative at the same address looks like this.',
  'identifier-conflict': 'The record and the candidate hold different valid numbers, or one number matches several patients.',
};

/** The fields of the comparison, in linkage's order, with what each side shows for it. */
const FIELDS = [
  ['identifier', 'NHS / CHI number', (p) => p?.nhsNumber ?? p?.chiNumber ?? null],
  ['dateOfBirth', 'Date of birth', (p) => (p?.dateOfBirth ? formatDate(p.dateOfBirth) : null)],
  ['sex', 'Sex', (p) => p?.sex ?? null],
  ['familyName', 'Family name', (p) => p?.familyName ?? null],
  ['givenNames', 'Given names', (p) => p?.givenNames ?? null],
  ['postcode', 'Postcode', (p) => p?.postcode ?? null],
];

// Under a waterfall bar: short, or the labels run into each other.
const SHORT = { identifier: 'number', dateOfBirth: 'born', sex: 'sex', familyName: 'surname', givenNames: 'given', postcode: 'postcode' };
const fieldLabel = (key) => SHORT[key] ?? key;
const orDash = (v) => (v === null || v === undefined || v === '' ? h('span', { class: 'muted' }, '—') : String(v));
const signed = (w) => `${w >= 0 ? '+' : '−'}${Math.abs(w).toFixed(2)}`;

/** The prior's weight: as audited, else what the total leaves once the fields are taken off. */
export function priorWeight(item, candidate) {
  if (item.prior) return { weight: item.prior.weight, sub: `λ = ${item.prior.lambda.toPrecision(3)}` };
  const fields = Object.values(candidate.fields).reduce((s, f) => s + f.weight, 0);
  return { weight: candidate.weight - fields, sub: 'from the total' };
}

function evidenceCell(field) {
  if (!field) return h('span', { class: 'muted' }, '—');
  return h(
    'span',
    { class: `level ${field.weight > 0 ? 'for' : field.weight < 0 ? 'against' : 'none'}`, 'data-testid': 'level' },
    `${field.level} ${signed(field.weight)}`,
  );
}

function sideBySide(item) {
  const r = item.record;
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'Field'),
    h('th', { scope: 'col' }, `Registry record (${r.source})`),
    ...item.candidates.map((c, i) => h('th', { scope: 'col', colspan: '2' }, `Candidate ${i + 1} · ${c.patientId}`)),
  );
  const rows = FIELDS.map(([key, label, value]) =>
    h(
      'tr',
      { 'data-field': key },
      h('th', { scope: 'row' }, label),
      h('td', {}, orDash(value(r))),
      ...item.candidates.flatMap((c) => [h('td', {}, orDash(value(c.patient))), h('td', { class: 'num' }, evidenceCell(c.fields[key]))]),
    ),
  );
  rows.push(
    h(
      'tr',
      { class: 'dates' },
      h('th', { scope: 'row' }, r.kind === 'death' ? 'Died / randomised' : 'Event / randomised'),
      h('td', {}, orDash(formatDate(r.dateOfDeath ?? r.eventDate))),
      ...item.candidates.flatMap((c) => [
        h(
          'td',
          {},
          orDash(c.patient?.randomisedOn ? formatDate(c.patient.randomisedOn) : null),
          c.patient?.withdrawnOn ? h('span', { class: 'muted' }, ` (withdrawn ${formatDate(c.patient.withdrawnOn)})`) : null,
        ),
        h('td'),
      ]),
    ),
  );
  rows.push(
    h(
      'tr',
      { class: 'total' },
      h('th', { scope: 'row' }, 'Match weight'),
      h('td'),
      ...item.candidates.flatMap((c) => [
        h('td', {}, `P = ${probability(c.weight).toFixed(3)}`),
        h('td', { class: 'num', 'data-testid': 'weight' }, c.weight.toFixed(2)),
      ]),
    ),
  );
  return h('table', { class: 'grid review-fields', 'data-testid': 'side-by-side' }, h('thead', {}, head), h('tbody', {}, rows));
}

function candidateChart(item, c, i) {
  const prior = priorWeight(item, c);
  const steps = [
    { key: 'prior', label: 'prior', sub: prior.sub, weight: prior.weight },
    ...FIELDS.filter(([k]) => c.fields[k]).map(([k]) => ({ key: k, label: fieldLabel(k), sub: c.fields[k].level, weight: c.fields[k].weight })),
  ];
  return h(
    'div',
    { class: 'candidate', 'data-testid': 'candidate', 'data-patient': c.patientId },
    h('h3', {}, `Candidate ${i + 1} · ${c.patientId}`),
    waterfall(steps, c.weight, { label: `match weight of candidate ${i + 1}` }),
  );
}

/** The item's panel: reason, the side-by-side table, one waterfall per candidate. */
export function renderItem(item) {
  const r = item.record;
  return h(
    'div',
    { class: 'review-item', 'data-testid': 'review-item', 'data-review': item.reviewId },
    h('h2', {}, `${reasonOf(item)} · ${r.source} ${r.kind} record ${r.recordId} v${r.version}`),
    h('p', { class: 'note' }, WHY[item.reason] ?? '', ` Trial ${item.trialId}; queued ${formatInstant(item.createdAt)}; model ${item.modelVersion}.`),
    item.competing?.length
      ? h(
          'p',
          { class: 'note', 'data-testid': 'competing' },
          'Also matched by number: ',
          item.competing.map((o) => `${o.patientId} (trial ${o.trialId})`).join(', '),
          '.',
        )
      : null,
    sideBySide(item),
    h(
      'div',
      { class: 'candidates' },
      item.candidates.map((c, i) => candidateChart(item, c, i)),
    ),
  );
}
