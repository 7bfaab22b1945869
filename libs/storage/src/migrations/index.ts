import { Foundation1764100000000 } from './1764100000000-foundation';
import { SkeletonReadModels1764100001000 } from './1764100001000-skeleton-read-models';
import { SurvivalReadModels1764100005000 } from './1764100005000-survival-read-models';
import { LinkageStore1764100007000 } from './1764100007000-linkage-store';
import { ReadoutSnapshots1764100009000 } from './1764100009000-readout-snapshots';
import { DropSkeletonReadModels1764100011000 } from './1764100011000-drop-skeleton-read-models';
import { LinkageCompeting1764100013000 } from './1764100013000-linkage-competing';
import { OutcomeOrderGuards1764100017500 } from './1764100017500-outcome-order-guards';
import { DeadLetterPark1764100019100 } from './1764100019100-dead-letter-park';
import { ParkedReason1764100021000 } from './1764100021000-parked-reason';
import { LinkageEngine1764100023500 } from './1764100023500-linkage-engine';
import { LeanRecords1764100024000 } from './1764100024000-lean-records';
import { InterimLooks1764100026400 } from './1764100026400-interim-looks';
import { AuditChain1764100025200 } from './1764100025200-audit-chain';
import { AuditAppendDefiner1764100025600 } from './1764100025600-audit-append-definer';
import { OutboxHeaders1764100026000 } from './1764100026000-outbox-headers';
import { DlqRedrives1764100027300 } from './1764100027300-dlq-redrives';
import { DlqClosed1764100028300 } from './1764100028300-dlq-closed';
import { PatientJson1764100029000 } from './1764100029000-patient-json';
import { AuditJson1764100026100 } from './1764100026100-audit-json';
import { LookReservations1764100028140 } from './1764100028140-look-reservations';

/** Every migration, in order. A new one is a new file here, appended; never edit a landed one. */
export const migrations = [
  Foundation1764100000000,
  SkeletonReadModels1764100001000,
  SurvivalReadModels1764100005000,
  LinkageStore1764100007000,
  ReadoutSnapshots1764100009000,
  DropSkeletonReadModels1764100011000,
  LinkageCompeting1764100013000,
  OutcomeOrderGuards1764100017500,
  DeadLetterPark1764100019100,
  ParkedReason1764100021000,
  LinkageEngine1764100023500,
  LeanRecords1764100024000,
  AuditChain1764100025200,
  AuditAppendDefiner1764100025600,
  OutboxHeaders1764100026000,
  AuditJson1764100026100,
  InterimLooks1764100026400,
  DlqRedrives1764100027300,
  LookReservations1764100028140,
  DlqClosed1764100028300,
  PatientJson1764100029000,
];
