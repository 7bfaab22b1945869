import type { InterimLookTaken, RegistryEvent, TrialRegistered } from '@trial/contracts';
import { isFollowupEvent, type FollowupEvent, type Guarded } from '@trial/followup';
import { isRegistryLogEvent, LogFolder, patientKey, type LogEvent } from '@trial/readmodel';

/** What replay takes from the log, folded in memory in one pass. */
export interface ReplayFold {
  /** Ids and content hashes of the events kept in scope, in log order (what `applied_events` records). */
  keptIds: string[];
  keptHashes: string[];
  /** Whether each kept event is a registry event (a one-trial replay records only the others). */
  keptRegistry: boolean[];
  /** In-scope patients, by key, in the order their first event was applied: state and guard. */
  patients: Map<string, Guarded>;
  /** Patient events of trials the log never registers, as the park holds them (patient by patient). */
  toPark: FollowupEvent[];
  trials: TrialRegistered[];
  /** TrialRegistered and InterimLookTaken in log order (looks.ts). */
  trialWide: Array<TrialRegistered | InterimLookTaken>;
  extracts: RegistryEvent[];
  /** Kept events per trial (patient and trial-wide ones): the read-out's `eventsApplied`. */
  perTrial: Map<string, number>;
  /** Copies of an id with other content, and events the guard refused, over the whole log. */
  refused: number;
}

/**
 * The whole log as the live projector takes it (@trial/readmodel LogFolder, the rules foldLog
 * applies: dedupe by id, each patient's events through the follow-up decider, a Map of patient
 * states held in memory). Every patient is folded (a refused event outside the scope leaves its id
 * unseen, which a later event in scope can depend on); only the scope's are kept. One pass, no
 * per-patient event lists except for trials that are not registered (yet): those are parked.
 */
export function foldForReplay(events: readonly LogEvent[], only: string | undefined): ReplayFold {
  const folder = new LogFolder();
  const out: ReplayFold = {
    keptIds: [],
    keptHashes: [],
    keptRegistry: [],
    patients: new Map(),
    toPark: [],
    trials: [],
    trialWide: [],
    extracts: [],
    perTrial: new Map(),
    refused: 0,
  };
  const registered = new Set<string>();
  const waiting = new Map<string, FollowupEvent[]>();
  for (const e of events) {
    const hash = folder.take(e);
    if (hash === null) continue;
    const registry = isRegistryLogEvent(e);
    if (!registry && only !== undefined && e.trialId !== only) continue;
    out.keptIds.push(e.eventId);
    out.keptHashes.push(hash);
    out.keptRegistry.push(registry);
    if (registry) {
      out.extracts.push(e);
      continue;
    }
    out.perTrial.set(e.trialId, (out.perTrial.get(e.trialId) ?? 0) + 1);
    if (e.type === 'TrialRegistered') {
      out.trials.push(e);
      registered.add(e.trialId);
    }
    if (e.type === 'TrialRegistered' || e.type === 'InterimLookTaken') out.trialWide.push(e);
    else if (isFollowupEvent(e)) {
      if (!registered.has(e.trialId)) {
        const key = patientKey(e.trialId, e.patientId);
        const list = waiting.get(key);
        if (list) list.push(e);
        else waiting.set(key, [e]);
      }
    }
  }
  // A trial the log never registers: its patients' events wait in the park, as live (park.ts).
  // The folder's Map is in the order each patient's first event was applied; evolve sets the trial.
  for (const [key, g] of folder.patients) {
    const trialId = g.state.trialId!;
    if (only !== undefined && trialId !== only) continue;
    if (registered.has(trialId)) out.patients.set(key, g);
    else out.toPark.push(...waiting.get(key)!);
  }
  out.refused = folder.refused;
  return out;
}
