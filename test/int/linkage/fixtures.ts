import { randomBytes } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { modulus11CheckDigit } from '@trial/linkage';
import { eventually, uniqueId } from '../../support';

/** A fresh valid NHS number (Modulus 11) unlikely to collide with other suites'. */
export function nhs(): string {
  for (;;) {
    const first9 = String(100_000_000 + (randomBytes(4).readUInt32BE() % 800_000_000));
    const check = modulus11CheckDigit(first9);
    if (check !== null) return first9 + String(check);
  }
}

export interface Person {
  trialId: string;
  patientId: string;
  nhsNumber: string;
  dateOfBirth: string;
  sex: 'M' | 'F';
  familyName: string;
  givenNames: string;
  postcode: string;
  randomisedOn: string;
}

let n = 0;
export function person(trialId: string, over: Partial<Person> = {}): Person {
  n++;
  const surnames = ['Okonkwo', 'Fairweather', 'Blenkinsop', 'Quennell', 'Ashdown', 'Pettigrew', 'Marchbank', 'Holroyd'];
  return {
    trialId,
    patientId: uniqueId(`P${n}`),
    nhsNumber: nhs(),
    dateOfBirth: `19${30 + (n % 30)}-0${1 + (n % 9)}-1${n % 10}`,
    sex: n % 2 ? 'M' : 'F',
    familyName: surnames[n % surnames.length] + String.fromCharCode(65 + (n % 26)),
    givenNames: 'Ada Mary',
    postcode: `N${1 + (n % 9)} ${n % 10}AB`,
    randomisedOn: '2007-01-10',
    ...over,
  };
}

export const randomised = (p: Person) => ({
  v: 2,
  type: 'PatientRandomised',
  strata: {},
  covariates: {},
  eventId: uniqueId('ev'),
  trialId: p.trialId,
  patientId: p.patientId,
  arm: 'IABP',
  randomisedOn: p.randomisedOn,
  site: 'KCH',
  nhsNumber: p.nhsNumber,
  chiNumber: null,
  dateOfBirth: p.dateOfBirth,
  sex: p.sex,
  familyName: p.familyName,
  givenNames: p.givenNames,
  postcode: p.postcode,
});

export function record(p: Person, over: Record<string, unknown> = {}) {
  return {
    v: 1,
    source: 'ONS',
    recordId: uniqueId('D'),
    version: 1,
    kind: 'death',
    extractedOn: '2011-10-02',
    nhsNumber: p.nhsNumber,
    chiNumber: null,
    dateOfBirth: p.dateOfBirth,
    sex: p.sex,
    familyName: p.familyName.toUpperCase(),
    givenNames: p.givenNames.toUpperCase(),
    postcode: p.postcode,
    dateOfDeath: '2009-06-30',
    dateOfRegistration: '2009-07-06',
    underlyingCause: 'I21.9',
    placeOfDeath: 'hospital',
    eventDate: null,
    ...over,
  };
}

type Json = Record<string, unknown>;

export async function send(producer: Producer, topic: string, values: Json[], key: (v: Json) => string): Promise<void> {
  await producer.send({ topic, acks: -1, messages: values.map((v) => ({ key: key(v), value: JSON.stringify(v) })) });
}

export const enrolKey = (v: Json) => `${String(v.trialId)}:${String(v.patientId)}`;
export const recordKey = (v: Json) => `${String(v.source)}:${String(v.recordId)}`;

/** Collects every message of a topic from the beginning for the life of a suite. */
export async function collect(kafka: Kafka, topic: string) {
  const consumer = kafka.consumer({ groupId: uniqueId('collector'), maxWaitTimeInMs: 100 });
  const seen: Json[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(JSON.parse(message.value?.toString() ?? 'null') as Json);
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

/**
 * Waits until the outcome types `typesNow()` returns equal `expected`; on timeout the error says
 * what was seen. `inAnyOrder`: records on different partitions (an embarkation and its
 * re-entry) may be decided in either order; the follow-up decider orders them by date, not arrival.
 */
export async function waitForTypes(typesNow: () => unknown[], expected: string[], what: string, inAnyOrder = false): Promise<void> {
  const norm = (xs: unknown[]) => JSON.stringify(inAnyOrder ? xs.map(String).sort() : xs);
  try {
    await eventually(async () => (norm(typesNow()) === norm(expected) ? true : undefined), `${what}: ${expected.join(',')}`);
  } catch (e) {
    throw new Error(`${(e as Error).message} (saw ${typesNow().join(',') || 'nothing'})`);
  }
}
