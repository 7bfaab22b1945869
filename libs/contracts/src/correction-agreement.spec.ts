import { completenessCorrection } from './notifications';
import { outcomeEvent } from './outcomes';

/**
 * Linkage turns a completeness-correction notification into RegistryCompletenessCorrected,
 * copying reason and correctedBy. Whatever the notification's schema accepts, the outcome's
 * must too, or the projector dead-letters an accepted, audited correction.
 */
describe('a completeness correction survives the hop to followup.outcomes', () => {
  it.each([1, 200, 201, 500])('with a reason of %i characters', (n) => {
    const notification = completenessCorrection.parse({
      v: 1,
      source: 'ONS',
      kind: 'completeness-correction',
      correctionId: 'c-1',
      completeUpTo: '2011-09-30',
      reason: 'r'.repeat(n),
      correctedBy: 'registry-admin-1',
      requestedAt: '2026-12-01T09:00:00.000Z',
    });
    const event = {
      v: 1,
      type: 'RegistryCompletenessCorrected',
      eventId: 'e-1',
      occurredAt: '2026-12-01T09:00:01.000Z',
      source: notification.source,
      completeUpTo: notification.completeUpTo,
      reason: notification.reason,
      correctedBy: notification.correctedBy,
    };
    expect(outcomeEvent.safeParse(event).success).toBe(true);
  });
});
