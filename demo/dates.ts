import { addDays, daysBetween } from '@trial/contracts';

export { addDays, daysBetween };

/** Day of week, 0 Sunday .. 6 Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The next weekday on or after `date`: elective PCI lists, and so randomisations, run Monday to Friday. */
export function onWeekday(date: string): string {
  const w = weekday(date);
  return w === 6 ? addDays(date, 2) : w === 0 ? addDays(date, 1) : date;
}

export function lastDayOfMonth(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/** Month ends from `first` to `last` (inclusive) every `step` months, e.g. quarter ends. */
export function monthEnds(first: string, last: string, step: number): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number);
  for (;;) {
    const d = lastDayOfMonth(y, m);
    if (d > last) return out;
    out.push(d);
    m += step;
    while (m > 12) {
      m -= 12;
      y += 1;
    }
  }
}

export const min = (a: string, b: string): string => (a < b ? a : b);
export const max = (a: string, b: string): string => (a > b ? a : b);
