/**
 * Civil dates are ISO `YYYY-MM-DD` strings, which sort lexically in date order, so comparing
 * strings is comparing dates. Day counts use `daysBetween` from @trial/contracts.
 */
export type CivilDate = string;

export function maxDate(a: CivilDate, b: CivilDate | null | undefined): CivilDate {
  return b != null && b > a ? b : a;
}

export function minDate(a: CivilDate, b: CivilDate | null | undefined): CivilDate {
  return b != null && b < a ? b : a;
}
