import { filterLetters, StoredDeadLetter, summarise } from './dlq-reader';

const letter = (offset: number, topic: string, code: string, failedAt: string): StoredDeadLetter => ({
  id: `${topic}.dlq:0:${offset}`,
  dlqTopic: `${topic}.dlq`,
  partition: 0,
  offset: String(offset),
  record: {
    code,
    reason: 'why',
    consumer: 'linkage',
    failedAt,
    source: { topic, partition: 2, offset: '7', key: 'T:P' },
    originalBytes: 3,
    originalBase64: 'e30K',
    parkedId: null,
  },
});

describe('filterLetters', () => {
  const all = [
    letter(0, 'trial.enrollments', 'unknown-patient', '2026-03-02T10:00:00Z'),
    letter(1, 'registry.notifications', 'invalid-message', '2026-03-01T10:00:00Z'),
    letter(2, 'trial.enrollments', 'invalid-message', '2026-03-03T10:00:00Z'),
  ];
  const ids = (f: Parameters<typeof filterLetters>[1]) => filterLetters(all, f).map((l) => l.id);

  it('lists oldest first', () => {
    expect(ids({})).toEqual(['registry.notifications.dlq:0:1', 'trial.enrollments.dlq:0:0', 'trial.enrollments.dlq:0:2']);
  });
  it('by topic or its DLQ', () => {
    expect(ids({ topic: 'trial.enrollments' })).toEqual(['trial.enrollments.dlq:0:0', 'trial.enrollments.dlq:0:2']);
    expect(ids({ topic: 'trial.enrollments.dlq' })).toEqual(ids({ topic: 'trial.enrollments' }));
  });
  it('by code', () => expect(ids({ code: 'invalid-message' })).toEqual(['registry.notifications.dlq:0:1', 'trial.enrollments.dlq:0:2']));
  it('by time: since inclusive, until exclusive', () => {
    expect(ids({ since: '2026-03-02T10:00:00Z', until: '2026-03-03T10:00:00Z' })).toEqual(['trial.enrollments.dlq:0:0']);
  });
});

describe('summarise', () => {
  it('keeps origin, code and time, and neither the reason nor the content', () => {
    const s = summarise(letter(0, 'trial.enrollments', 'unknown-patient', '2026-03-02T10:00:00Z'));
    expect(s).toEqual({
      id: 'trial.enrollments.dlq:0:0',
      topic: 'trial.enrollments',
      code: 'unknown-patient',
      consumer: 'linkage',
      failedAt: '2026-03-02T10:00:00Z',
      source: { partition: 2, offset: '7' },
      originalBytes: 3,
      parked: false,
    });
  });
});
