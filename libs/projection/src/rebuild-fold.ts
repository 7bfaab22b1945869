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
 * unseen, which a later event in scope can depend on); only the scope's are kept. One pass, taken
 * an event at a time as the log is read (so the log itself is never held in memory), with no
 * per-patient event lists except for trials that are not registered (yet): those are parked.
 */
export class ReplayFolder {
  private readonly folder = new LogFolder();
  private readonly out: ReplayFold = {
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
  private readonly registered = new Set<string>();
  private readonly waiting = new Map<string, FollowupEvent[]>();
  /** Events taken, kept or not. */
  read = 0;

  constructor(private readonly only: string | undefined) {}

  /** Takes the log's next event (`hash`: its contentHash, when the reader computed it). */
  take(e: LogEvent, hash?: string): void {
    this.read++;
    const { out, only } = this;
    const kept = this.folder.take(e, hash);
    if (kept === null) return;
    const registry = isRegistryLogEvent(e);
    if (!registry && only !== undefined && e.trialId !== only) return;
    out.keptIds.push(e.eventId);
    out.keptHashes.push(kept);
    out.keptRegistry.push(registry);
    if (registry) {
      out.extracts.push(e);
      return;
    }
    out.perTrial.set(e.trialId, (out.perTrial.get(e.trialId) ?? 0) + 1);
    if (e.type === 'TrialRegistered') {
      out.trials.push(e);
      this.registered.add(e.trialId);
    }
    if (e.type === 'TrialRegistered' || e.type === 'InterimLookTaken') out.trialWide.push(e);
    else if (isFollowupEvent(e) && !this.registered.has(e.trialId)) {
      const key = patientKey(e.trialId, e.patientId);
      const list = this.waiting.get(key);
      if (list) list.push(e);
      else this.waiting.set(key, [e]);
    }
  }

  /** The fold, once the whole log is taken. */
  finish(): ReplayFold {
    const { out, only } = this;
    // A trial the log never registers: its patients' events wait in the park, as live (park.ts).
    // The folder's Map is in the order each patient's first event was applied; evolve sets the trial.
    for (const [key, g] of this.folder.patients) {
      const trialId = g.state.trialId!;
      if (only !== undefined && trialId !== only) continue;
      if (this.registered.has(trialId)) out.patients.set(key, g);
      else out.toPark.push(...this.waiting.get(key)!);
    }
    this.waiting.clear();
    out.refused = this.folder.refused;
    return out;
  }
}
