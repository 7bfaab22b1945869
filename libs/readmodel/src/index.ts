/**
 * @trial/readmodel: the trial-level read models, pure (no I/O). `TrialCohort` keeps one
 * trial's SurvivalTables (by arm and pooled), accrual and person-time, updated one patient at a
 * time; `analyse` cuts the full (unblinded) `TrialAnalysis` from it and `blindedView` the
 * monitor's part; `interimReport` the DSMB's interim position (`followup interim` on the looks
 * taken, looks.ts freezing each, take-look.ts deciding whether one may be taken); `adtteRows`/`adtteCsv`
 * the ADaM ADTTE export; `adamZip` the ADaM package (ADSL and ADTTE, CSV and SAS transport v5, adam/).
 * Postgres persistence lives in @trial/projection.
 */
export * from './observation';
export * from './cohort';
export * from './analysis';
export * from './interim';
export * from './looks';
export * from './take-look';
export * from './adtte';
export * from './patients';
export * from './guard';
export * from './json';
export * from './query';
export * from './views';
export * from './adam';
export * from './closed';
export * from './closed-cells';
export * from './closed-cohort';
export * from './stored';
