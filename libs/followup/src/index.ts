/**
 * @trial/followup: one patient's follow-up, derived from the event log by pure rules (no I/O,
 * no clock: dates and ids come in with the events).
 *
 * - `evolve(state, event)` / `replay(events)`: fold a patient's enrolment and outcome events
 *   (`FollowupEvent`) into `PatientState`, from `initialState`. Any order of the two topics
 *   gives the same state.
 * - `followupDecider` ({ decide, evolve, initialState }): the projector's intake; admits an
 *   event or refuses it (out-of-order, version-regressed, conflicting-randomisation).
 * - `evolveCompleteness(c, RegistryExtractCompleted)`: the registries' `completeUpTo` map.
 * - `deriveFollowUp(state, completeness, { dataCutoff })`: `(time, status, reason, dates)`,
 *   with CNSR codes 0 death, 1 registry (or data) cutoff, 2 embarked, 3 withdrew, 4 not traced.
 *   The follow-up also carries what analyses split by: sex, age at randomisation, strata,
 *   covariates and the underlying cause of the death that counts.
 * - `endpointStatus(followUp, endpoint)`: event, competing death or censored for an endpoint.
 * - `toAdtteFragment(followUp)`: the per-patient ADTTE columns.
 */
export * from './events';
export * from './dates';
export * from './state';
export * from './evolve';
export * from './decider';
export * from './completeness';
export * from './reasons';
export * from './derive';
export * from './covariates';
export * from './endpoints';
export * from './adtte';
export * from './stored';
export { assertNever } from './never';
