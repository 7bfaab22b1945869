// Reads the API's responses tolerantly: figures the API gives are used as given; the few it
// may not give (at-risk table, person-years) are derived exactly from the KM rows, which hold
// every distinct observed time with its events and censorings.
import { DAYS_PER_MONTH, DAYS_PER_YEAR } from './format.js';
import { atRiskFromKm, monthGrid } from './km.js';

/** Okabe-Ito colours (safe for colour-blind readers): reference arm first. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00'];
export const BANDS = ['rgba(0,114,178,0.13)', 'rgba(213,94,0,0.13)', 'rgba(0,158,115,0.13)', 'rgba(204,121,167,0.13)', 'rgba(230,159,0,0.13)'];

export function trialList(body) {
  const list = Array.isArray(body) ? body : (body?.trials ?? body?.items ?? []);
  return list.map((t) => ({ id: t.trialId ?? t.id, title: t.title ?? t.design?.title ?? '' })).filter((t) => typeof t.id === 'string');
}

export function groupsOf(readout) {
  return (readout?.groups ?? []).map((g, i) => ({ ...g, color: PALETTE[i % PALETTE.length], band: BANDS[i % BANDS.length] }));
}

export function atRiskOf(readout, groups) {
  const given = readout?.atRisk;
  if (given && Array.isArray(given.months) && Array.isArray(given.groups)) {
    const rows = groups.map((g) => ({ label: g.group, color: g.color, nRisk: given.groups.find((r) => r.group === g.group)?.nRisk ?? [] }));
    if (rows.every((r) => r.nRisk.length)) return { months: given.months, rows };
  }
  const months = monthGrid(groups.map((g) => g.km ?? []));
  return { months, rows: groups.map((g) => ({ label: g.group, color: g.color, nRisk: atRiskFromKm(g.km ?? [], months) })) };
}

/** Deaths and person-years for a group: the API's deathRates row if given, else from km rows. */
export function rateOf(readout, group) {
  const given = (readout?.deathRates ?? []).find((r) => r.arm === group.group);
  if (given && typeof given.personYears === 'number') return given;
  let days = 0;
  for (const r of group.km ?? []) days += r.time * (r.nEvent + r.nCensor);
  const personYears = days / DAYS_PER_YEAR;
  return { arm: group.group, deaths: group.events, personYears, per100PersonYears: personYears > 0 ? (100 * group.events) / personYears : null };
}

/** S(t) at the last KM step at or before t days (summary.survfit's rule). */
export function survivalAt(group, days) {
  let s = 1;
  for (const r of group.km ?? []) {
    if (r.time > days) break;
    s = r.survival;
  }
  const last = group.km?.at(-1);
  return last && days > last.time ? null : s;
}

export const sixMonths = 6 * DAYS_PER_MONTH;

/** `dataComplete`: { ONS: 'YYYY-MM-DD', NRS: ... } from the read-out or the trial. */
export function completenessOf(readout, trial) {
  const c = readout?.dataComplete ?? trial?.dataComplete ?? trial?.completeness ?? {};
  return Object.entries(c)
    .filter(([, v]) => typeof v === 'string')
    .sort(([a], [b]) => a.localeCompare(b));
}

export function plannedEventsOf(trial, interim) {
  return interim?.plannedEvents ?? trial?.design?.plannedEvents ?? trial?.plannedEvents ?? null;
}

export function titleOf(trial, id) {
  return trial?.title ?? trial?.design?.title ?? id;
}
