import type { LinkEvidence, OutcomeEvent, RegistryRecord } from '@trial/contracts';
import type { CandidateScore, OwnerElsewhere, ReviewReason } from '../conclude';

/** A clerical decision on a record in one trial; it stands for later versions of the record. */
export type Clerical =
  { decision: 'accept'; patientId: string; reviewer: string; reviewId: string } | { decision: 'reject'; reviewer: string; reviewId: string };

/** Where a record should stand in one trial, after the model (or a reviewer) has spoken. */
export type Target =
  | { status: 'linked'; patientId: string; evidence: LinkEvidence }
  | {
      status: 'review';
      reason: ReviewReason;
      bestPatientId: string;
      modelVersion: string;
      weight: number | null;
      candidates: CandidateScore[];
      /** Other trials' patients the record links to by number (identifier-conflict across trials); usually empty. */
      competing: OwnerElsewhere[];
    }
  | { status: 'unlinked'; rejectedBy: string | null };

/** What the outcome stream has been told about a record for one patient (null: nothing live). */
export interface EmittedFact {
  patientId: string;
  kind: RegistryRecord['kind'];
  version: number;
  dateOfDeath: string | null;
  underlyingCause: string | null;
  eventDate: string | null;
}

/** The stored state of one record in one trial (a row of lk_links): the decider's state. */
export interface LinkState {
  status: Target['status'];
  patientId: string | null;
  version: number;
  reviewId: string | null;
  emitted: EmittedFact | null;
  /**
   * How many events this (record, trial) has emitted: part of each event id, so a link made,
   * withdrawn and made again yields three distinct ids.
   */
  seq: number;
  clerical: Clerical | null;
}

/** A review item to open (or refresh) for this record in this trial. */
export interface ReviewItem {
  reviewId: string;
  reason: Extract<Target, { status: 'review' }>['reason'];
  modelVersion: string;
  candidates: Extract<Target, { status: 'review' }>['candidates'];
  /** Shown to the reviewer beside the candidates; not in LinkageReviewRequested, whose candidates are this trial's patients. */
  competing: Extract<Target, { status: 'review' }>['competing'];
}

/** "Move this record, in this trial, to where the model (or a reviewer) says it stands now." */
export interface DecideRecord {
  type: 'DecideRecord';
  trialId: string;
  record: RegistryRecord;
  target: Target;
  /** Id the review would have (reviewIdOf); used only when the target is review. */
  reviewId: string;
  clerical: Clerical | null;
  /** Patients whose consent is withdrawn: nothing more is published about them. */
  withdrawn: ReadonlySet<string>;
  /** The decision's time (passed in: the decider reads no clock). */
  occurredAt: string;
}

export type LinkageCommand = DecideRecord;

/** What a decision records. The outcome events are the ones the stream hears (or would, but for a withdrawal). */
export type LinkageEvent =
  | { type: 'OutcomeDecided'; event: OutcomeEvent; published: boolean }
  | { type: 'ReviewOpened'; item: ReviewItem }
  | { type: 'ReviewClosed'; reviewId: string }
  | { type: 'LinkSettled'; link: Omit<LinkState, 'seq'> };
