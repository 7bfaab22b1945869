import { addDays, DeathLinked, PatientRandomised, RegistryRecord } from '@trial/contracts';
import { BadCategory, decodes, Logical, LOGICAL, SEMANTIC } from './plan';
import { Rng } from './rng';
import { COMPLETE_UP_TO, deathRecord, directDeath, ExpectedPatient, extractComplete, extractCompleted, randomised, TrialPlan } from './trial';

/** What the makers draw on: the fuzzed trial, its set-up phase's originals, and never-registered trial ids. */
export interface BadContext {
  rng: Rng;
  tag: string;
  fuzz: TrialPlan;
  /** Patients of the fuzzed trial who never die: a bad death wrongly applied to one shows in the read-out. */
  alive: ExpectedPatient[];
  /** Set-up phase originals of the fuzzed trial, which duplicates and conflicts copy. */
  originals: { randomisations: PatientRandomised[]; registryDeaths: RegistryRecord[]; directDeaths: DeathLinked[] };
  ghosts: string[];
}

export interface BadMessage {
  topic: Logical;
  key: Buffer | null;
  value: Buffer | null;
  variant: string;
  rejectedBy: 'every' | 'any';
}

type Json = Record<string, unknown>;

/** A schema-valid message of a topic that concerns the fuzzed trial, to be broken. */
interface Template {
  name: string;
  topic: Logical;
  key: string;
  value: Json;
  /** Fields the schema requires (absent is invalid). */
  required: string[];
  /** Required fields that may not be null. */
  nonNull: string[];
  /** Civil-date fields. */
  dates: string[];
}

const IMPOSSIBLE_DATES = [
  '2023-02-30',
  '2021-13-01',
  '2019-04-31',
  '2010-00-10',
  '2100-02-29',
  '2011-2-3',
  '20110203',
  '1999-12-32',
  '2009-06-00',
  '0000-00-00',
];

function templates(ctx: BadContext, i: number): Template[] {
  const f = ctx.fuzz;
  const alive = ctx.rng.pick(ctx.alive);
  const fresh: ExpectedPatient = { ...alive, patientId: `X${i}` };
  const newPeople = new Map(f.people);
  newPeople.set(fresh.patientId, f.people.get(alive.patientId)!);
  const withFresh: TrialPlan = { ...f, people: newPeople };
  const pr = randomised(withFresh, fresh);
  const death = { ...deathRecord(f, alive, addDays(alive.randomisedOn, 30)), recordId: `${f.trialId}-X${i}-RD` };
  const direct = {
    ...directDeath(f, alive, addDays(alive.randomisedOn, 30)),
    eventId: `${f.trialId}-X${i}-direct`,
    recordId: `${f.trialId}-X${i}-DD`,
  };
  const review = {
    v: 1,
    type: 'ReviewDecided',
    eventId: `${ctx.tag}-review-${i}`,
    occurredAt: '2013-02-01T10:00:00.000Z',
    reviewId: `${ctx.tag}-no-such-review-${i}`,
    decision: 'reject',
    patientId: null,
    reviewer: 'fuzz-reviewer',
    note: null,
  };
  return [
    {
      name: 'PatientRandomised',
      topic: 'enrollments',
      key: `${f.trialId}:${fresh.patientId}`,
      value: pr,
      required: Object.keys(pr),
      nonNull: ['v', 'type', 'eventId', 'trialId', 'patientId', 'arm', 'randomisedOn', 'site', 'dateOfBirth', 'sex', 'familyName', 'givenNames'],
      dates: ['randomisedOn', 'dateOfBirth'],
    },
    {
      name: 'PatientSeenAlive',
      topic: 'enrollments',
      key: `${f.trialId}:${alive.patientId}`,
      value: {
        v: 1,
        type: 'PatientSeenAlive',
        eventId: `${f.trialId}-seen-${i}`,
        trialId: f.trialId,
        patientId: alive.patientId,
        seenOn: '2011-06-01',
      },
      required: ['v', 'type', 'eventId', 'trialId', 'patientId', 'seenOn'],
      nonNull: ['v', 'type', 'eventId', 'trialId', 'patientId', 'seenOn'],
      dates: ['seenOn'],
    },
    {
      name: 'TrialRegistered',
      topic: 'enrollments',
      key: `${f.trialId}:`,
      value: { ...f.design, eventId: `${f.trialId}-registered-${i}`, title: 'changed' },
      required: Object.keys(f.design),
      nonNull: Object.keys(f.design),
      dates: [],
    },
    {
      name: 'death record',
      topic: 'notifications',
      key: `ONS:${death.recordId}`,
      value: { ...death },
      required: Object.keys(death),
      nonNull: ['v', 'source', 'recordId', 'version', 'kind', 'extractedOn', 'dateOfDeath'],
      dates: ['extractedOn', 'dateOfBirth', 'dateOfDeath', 'dateOfRegistration'],
    },
    {
      name: 'extract-complete',
      topic: 'notifications',
      key: `ONS:extract-complete:${COMPLETE_UP_TO}`,
      value: { ...extractComplete() },
      required: ['v', 'source', 'kind', 'completeUpTo'],
      nonNull: ['v', 'source', 'kind', 'completeUpTo'],
      dates: ['completeUpTo', 'extractedOn'],
    },
    {
      name: 'DeathLinked',
      topic: 'outcomes',
      key: `${f.trialId}:${alive.patientId}`,
      value: { ...direct },
      required: Object.keys(direct),
      nonNull: ['v', 'type', 'eventId', 'trialId', 'patientId', 'occurredAt', 'source', 'recordId', 'version', 'dateOfDeath', 'evidence'],
      dates: ['dateOfDeath'],
    },
    {
      name: 'RegistryExtractCompleted',
      topic: 'outcomes',
      key: 'registry:ONS',
      value: { ...extractCompleted(`${ctx.tag}-${i}`) },
      required: ['v', 'type', 'eventId', 'occurredAt', 'source', 'completeUpTo'],
      nonNull: ['v', 'type', 'eventId', 'occurredAt', 'source', 'completeUpTo'],
      dates: ['completeUpTo'],
    },
    {
      name: 'ReviewDecided',
      topic: 'reviews',
      key: review.reviewId,
      value: review,
      required: Object.keys(review),
      nonNull: ['v', 'type', 'eventId', 'occurredAt', 'reviewId', 'decision', 'reviewer'],
      dates: [],
    },
  ];
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

function keyFor(rng: Rng, natural: string): Buffer | null {
  const r = rng.next();
  if (r < 0.1) return null;
  if (r < 0.2) return rng.bytes(rng.int(1, 40));
  return Buffer.from(natural);
}

/** A binary key holding a NUL byte (valid in Kafka; a text column or jsonb refuses U+0000). */
function nulKey(rng: Rng): Buffer {
  return Buffer.concat([Buffer.from('k'), Buffer.from([0]), rng.bytes(rng.int(1, 12))]);
}

function templateOn(ctx: BadContext, i: number, topics: readonly Logical[], filter: (t: Template) => boolean = () => true): Template {
  const topic = ctx.rng.pick(topics);
  return ctx.rng.pick(templates(ctx, i).filter((t) => t.topic === topic && filter(t)));
}

/** Random bytes: mostly small, some up to 200 KB (which today's JSON-escaped dead letter pushes past 1 MB). */
function randomBytes(ctx: BadContext): BadMessage {
  const { rng } = ctx;
  const r = rng.next();
  const size = r < 0.85 ? rng.int(1, 2048) : r < 0.97 ? rng.int(2049, 65_536) : rng.int(65_537, 200_000);
  const utf8Noise = rng.chance(0.2);
  // Valid UTF-8 made of control characters, quotes and backslashes: every one escapes to 2-6 bytes in JSON.
  const value = utf8Noise
    ? Buffer.from(
        Array.from({ length: size }, () => String.fromCharCode(rng.pick([0, 1, 7, 8, 0x1b, 0x22, 0x5c, 0x7f, rng.int(0x20, 0x7e)]))).join(''),
        'latin1',
      )
    : rng.bytes(size);
  return {
    topic: rng.pick(LOGICAL),
    key: rng.chance(0.5) ? rng.bytes(rng.int(1, 32)) : null,
    value,
    variant: `${utf8Noise ? 'control/quote chars' : 'binary'} ${size} B`,
    rejectedBy: 'every',
  };
}

/** 500-900 KB: under the broker's 1 MB limit, over it once today's dead letter JSON-escapes it. */
function oversized(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  const size = rng.int(500_000, 900_000);
  // Topic, kind and key by turns, so even the short form's four cover every topic and both kinds of key.
  const topic = LOGICAL[i % LOGICAL.length];
  const kind = ['binary', 'escaped padding', 'quotes'][(i + Math.floor(i / LOGICAL.length)) % 3];
  let value: Buffer;
  if (kind === 'binary') value = rng.bytes(size);
  else if (kind === 'quotes') value = Buffer.alloc(size, '"');
  else {
    // A JSON object missing its `v`, whose padding is `\"` and `\\` pairs: valid JSON that doubles when escaped again.
    const head = `{"type":"PatientRandomised","eventId":"${ctx.tag}-oversized-${i}","padding":"`;
    const pairs = Math.floor((size - head.length - 2) / 2);
    value = Buffer.from(`${head}${'\\"\\\\'.repeat(Math.ceil(pairs / 2)).slice(0, pairs * 2)}"}`);
  }
  // Some keys are binary with a NUL byte: the key travels with the dead letter into Kafka and Postgres.
  const key = i % 2 === 1 ? nulKey(rng) : Buffer.from(`${ctx.fuzz.trialId}:oversized-${i}`);
  return { topic, key, value, variant: `${kind} ${value.length} B${key.includes(0) ? ', key with a NUL byte' : ''}`, rejectedBy: 'every' };
}

function invalidJson(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  const t = templateOn(ctx, i, LOGICAL);
  const text = JSON.stringify(t.value);
  const forms: Array<[string, string]> = [
    ['truncated', text.slice(0, rng.int(1, text.length - 1))],
    ['trailing comma', `${text.slice(0, -1)},}`],
    ['single quotes', text.replace(/"/g, "'")],
    ['unquoted keys', text.replace(/"([A-Za-z]+)":/g, '$1:')],
    ['NaN value', text.replace(/"v":1/, '"v":NaN')],
    ['extra brace', `${text}}`],
    ['empty', ''],
    ['whitespace', ' \n\t '],
    ['byte order mark', `\ufeff${text}`],
    ['two documents', `${text}${text}`],
    ['comment', `// fuzz\n${text}`],
  ];
  const [name, body] = rng.pick(forms);
  return { topic: t.topic, key: keyFor(rng, t.key), value: Buffer.from(body), variant: `${name} (${t.name})`, rejectedBy: 'every' };
}

function wrongType(rng: Rng, v: unknown): unknown {
  if (typeof v === 'string') return rng.pick([42, true, ['x'], {}]);
  if (typeof v === 'number') return rng.pick([`${v}`, true, [v]]);
  if (Array.isArray(v)) return rng.pick(['x', 7, {}]);
  if (v !== null && typeof v === 'object') return rng.pick(['x', 7, []]);
  return rng.pick([7, 'x']);
}

function wrongSchema(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  const t = templateOn(ctx, i, LOGICAL);
  const form = rng.pick(['dropped field', 'wrong type', 'other topic', 'not an object']);
  let value: unknown;
  let what: string;
  if (form === 'dropped field') {
    const field = rng.pick(t.required);
    const { [field]: _gone, ...rest } = t.value;
    value = rest;
    what = `${field} missing`;
  } else if (form === 'wrong type') {
    const field = rng.pick(t.required.filter((k) => k !== 'v' && k !== 'type'));
    value = { ...t.value, [field]: wrongType(rng, t.value[field]) };
    what = `${field} of the wrong type`;
  } else if (form === 'other topic') {
    const other = rng.pick(templates(ctx, i).filter((o) => o.topic !== t.topic));
    value = other.value;
    what = `a ${other.name} (${other.topic})`;
  } else {
    value = rng.pick([[t.value], 42, 'PatientRandomised', true, []]);
    what = 'not an object';
  }
  return { topic: t.topic, key: keyFor(rng, t.key), value: json(value), variant: `${what} (${t.name})`, rejectedBy: 'every' };
}

const UNKNOWN_TYPES: Record<Logical, string[]> = {
  enrollments: ['PatientTeleported', 'TrialCancelled', 'patientrandomised', 'PatientRandomized', ''],
  notifications: ['resurrection', 'DEATH', 'death ', 'birth', 'Death'],
  outcomes: ['DeathResurrected', 'DeathLinkedV2', 'deathlinked', 'OutcomeInvented', ''],
  reviews: ['ReviewUndone', 'reviewdecided', 'ReviewDeleted'],
};

function unknownType(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  const t = templateOn(ctx, i, LOGICAL, (x) => x.name !== 'extract-complete');
  const field = t.topic === 'notifications' ? 'kind' : 'type';
  const type = rng.pick(UNKNOWN_TYPES[t.topic]);
  return {
    topic: t.topic,
    key: keyFor(rng, t.key),
    value: json({ ...t.value, [field]: type }),
    variant: `${field} ${JSON.stringify(type)} (${t.name})`,
    rejectedBy: 'every',
  };
}

function unknownVersion(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  const t = templateOn(ctx, i, LOGICAL);
  const v = rng.pick<unknown>([2, 0, -1, '1', 1.5, 99, true, 'v2', undefined]);
  const value = v === undefined ? (({ v: _gone, ...rest }) => rest)(t.value) : { ...t.value, v };
  return {
    topic: t.topic,
    key: keyFor(rng, t.key),
    value: json(value),
    variant: `v ${v === undefined ? 'missing' : JSON.stringify(v)} (${t.name})`,
    rejectedBy: 'every',
  };
}

function impossibleDate(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  const t = templateOn(ctx, i, ['enrollments', 'notifications', 'outcomes'], (x) => x.dates.length > 0);
  if (t.name === 'death record' && rng.chance(0.3)) {
    const dob = String(t.value.dateOfBirth);
    const dod = addDays(dob, -rng.int(1, 3000));
    return {
      topic: t.topic,
      key: keyFor(rng, t.key),
      value: json({ ...t.value, dateOfDeath: dod, dateOfRegistration: addDays(dod, 5) }),
      variant: 'death before birth (death record)',
      rejectedBy: 'every',
    };
  }
  const field = rng.pick(t.dates);
  const date = rng.pick(IMPOSSIBLE_DATES);
  return {
    topic: t.topic,
    key: keyFor(rng, t.key),
    value: json({ ...t.value, [field]: date }),
    variant: `${field} ${date} (${t.name})`,
    rejectedBy: 'every',
  };
}

function outOfRangeVersion(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  // Every third one is a record's own version (notifications, outcomes), past a Postgres integer.
  const recordVersion = i % 3 === 0;
  const t = recordVersion
    ? templateOn(ctx, i, ['notifications', 'outcomes'], (x) => x.name === 'death record' || x.name === 'DeathLinked')
    : templateOn(ctx, i, LOGICAL);
  if (recordVersion) {
    const version = rng.pick([3_000_000_000, 2_147_483_648, 4_294_967_297, 2 ** 53]);
    return {
      topic: t.topic,
      key: keyFor(rng, t.key),
      value: json({ ...t.value, version }),
      variant: `version ${version} (${t.name})`,
      rejectedBy: 'every',
    };
  }
  const v = rng.pick([3_000_000_000, 2 ** 53, -3_000_000_000, 1e300]);
  return { topic: t.topic, key: keyFor(rng, t.key), value: json({ ...t.value, v }), variant: `v ${v} (${t.name})`, rejectedBy: 'every' };
}

function nullValues(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  const t = templateOn(ctx, i, LOGICAL);
  const r = rng.next();
  if (r < 0.25) return { topic: t.topic, key: null, value: null, variant: 'null value (tombstone)', rejectedBy: 'every' };
  if (r < 0.35) return { topic: t.topic, key: null, value: Buffer.from('null'), variant: 'JSON null', rejectedBy: 'every' };
  const fields = rng.shuffle([...t.nonNull]).slice(0, rng.int(1, 3));
  const value = { ...t.value, ...Object.fromEntries(fields.map((k) => [k, null])) };
  return { topic: t.topic, key: null, value: json(value), variant: `${fields.join(', ')} null (${t.name})`, rejectedBy: 'every' };
}

/**
 * Otherwise valid messages with U+0000 inside a string: JSON and Kafka carry it, a Postgres
 * text or jsonb value cannot, so no consumer could store the message. It is the message's
 * fault, not the database's: it must be dead-lettered, not retried for ever (decode refuses it).
 */
function nulInText(ctx: BadContext, i: number): BadMessage {
  const t = templateOn(
    ctx,
    i,
    LOGICAL,
    (x) => x.name !== 'extract-complete' && x.name !== 'RegistryExtractCompleted' && x.name !== 'TrialRegistered',
  );
  const fields: Record<string, string> = {
    PatientRandomised: 'familyName',
    PatientSeenAlive: 'eventId',
    'death record': 'recordId',
    DeathLinked: 'recordId',
    ReviewDecided: 'reviewId',
  };
  const field = fields[t.name];
  const value = { ...t.value, [field]: `${String(t.value[field]).slice(0, 3)}\u0000${String(t.value[field]).slice(3)}` };
  return { topic: t.topic, key: Buffer.from(t.key), value: json(value), variant: `U+0000 in ${field} (${t.name})`, rejectedBy: 'every' };
}

/**
 * Otherwise valid messages with one id 1-100 KB long: an id no consumer's table should take,
 * to be refused at decode (the contracts bound every string) rather than fail in Postgres.
 */
function longField(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  const t = templateOn(
    ctx,
    i,
    LOGICAL,
    (x) => x.name !== 'extract-complete' && x.name !== 'RegistryExtractCompleted' && x.name !== 'TrialRegistered',
  );
  const fields: Record<string, string> = {
    PatientRandomised: 'patientId',
    PatientSeenAlive: 'eventId',
    'death record': 'recordId',
    DeathLinked: 'recordId',
    ReviewDecided: 'reviewId',
  };
  const field = fields[t.name];
  const length = rng.int(1_000, 100_000);
  const value = { ...t.value, [field]: `${String(t.value[field])}-${'x'.repeat(length)}` };
  return {
    topic: t.topic,
    key: Buffer.from(t.key),
    value: json(value),
    variant: `${field} of ${length} characters (${t.name})`,
    rejectedBy: 'every',
  };
}

/**
 * An extract-complete whose completeUpTo is after its own extract date (up to 2099, as the
 * issue's one upload did): accepted, it would censor every patient of every trial there.
 */
function futureCompleteness(ctx: BadContext): BadMessage {
  const { rng } = ctx;
  const base = extractComplete();
  const completeUpTo = rng.chance(0.5) ? '2099-12-31' : addDays(base.extractedOn!, rng.int(1, 400));
  return {
    topic: 'notifications',
    key: Buffer.from(`ONS:extract-complete:${completeUpTo}`),
    value: json({ ...base, completeUpTo }),
    variant: `completeUpTo ${completeUpTo} after extractedOn ${base.extractedOn}`,
    rejectedBy: 'every',
  };
}

/** The same event id as a set-up message, with other content (and a registry record's id and version likewise). */
function duplicateId(ctx: BadContext): BadMessage {
  const { rng, originals: o } = ctx;
  const kinds = ['randomisation', ...(o.directDeaths.length ? ['direct death'] : []), ...(o.registryDeaths.length ? ['registry death'] : [])];
  const kind = rng.pick(kinds);
  if (kind === 'randomisation') {
    const e = rng.pick(o.randomisations);
    const value = { ...e, arm: e.arm === 'control' ? 'active' : 'control', randomisedOn: addDays(e.randomisedOn, rng.int(1, 60)), site: 'S9' };
    return {
      topic: 'enrollments',
      key: Buffer.from(`${e.trialId}:${e.patientId}`),
      value: json(value),
      variant: `eventId of ${e.patientId}'s randomisation, other arm and date`,
      rejectedBy: 'any',
    };
  }
  if (kind === 'direct death') {
    const e = rng.pick(o.directDeaths);
    const value = { ...e, dateOfDeath: addDays(e.dateOfDeath, -rng.int(1, 5)), underlyingCause: 'C34.9' };
    return {
      topic: 'outcomes',
      key: Buffer.from(`${e.trialId}:${e.patientId}`),
      value: json(value),
      variant: `eventId of ${e.patientId}'s DeathLinked, other date`,
      rejectedBy: 'every',
    };
  }
  const r = rng.pick(o.registryDeaths);
  const value = { ...r, dateOfDeath: addDays(r.dateOfDeath!, -rng.int(1, 5)), underlyingCause: 'C34.9' };
  return {
    topic: 'notifications',
    key: Buffer.from(`ONS:${r.recordId}`),
    value: json(value),
    variant: `record ${r.recordId} version 1 again, other date`,
    rejectedBy: 'every',
  };
}

/** A second randomisation of a set-up patient (a new event id) into the other arm. */
function conflictingRandomisation(ctx: BadContext, i: number): BadMessage {
  const e = ctx.rng.pick(ctx.originals.randomisations);
  const value = { ...e, eventId: `${e.eventId}-again-${i}`, arm: e.arm === 'control' ? 'active' : 'control' };
  return {
    topic: 'enrollments',
    key: Buffer.from(`${e.trialId}:${e.patientId}`),
    value: json(value),
    variant: `${e.patientId} randomised again into ${value.arm}`,
    rejectedBy: 'any',
  };
}

/** Outcome events for a trial never registered: the projector must not invent it. */
function unregisteredTrial(ctx: BadContext, i: number): BadMessage {
  const { rng } = ctx;
  const trialId = rng.pick(ctx.ghosts);
  const patientId = `G${rng.int(1, 20)}`;
  const value: DeathLinked = {
    v: 1,
    type: 'DeathLinked',
    eventId: `${trialId}-${patientId}-death-${i}`,
    trialId,
    patientId,
    occurredAt: '2013-01-11T09:00:00.000Z',
    source: 'ONS',
    recordId: `${trialId}-${patientId}-R${i}`,
    version: 1,
    dateOfDeath: addDays('2010-01-01', rng.int(0, 900)),
    underlyingCause: null,
    evidence: { method: 'deterministic', modelVersion: 'fuzz', weight: null, fields: {} },
  };
  return {
    topic: 'outcomes',
    key: Buffer.from(`${trialId}:${patientId}`),
    value: json(value),
    variant: `DeathLinked for unregistered ${trialId}`,
    rejectedBy: 'any',
  };
}

function unknownReview(ctx: BadContext, i: number): BadMessage {
  const t = templates(ctx, i).find((x) => x.name === 'ReviewDecided')!;
  const key = ctx.rng.chance(0.25) ? nulKey(ctx.rng) : Buffer.from(t.key);
  return {
    topic: 'reviews',
    key,
    value: json(t.value),
    variant: `ReviewDecided for a review that does not exist${key.includes(0) ? ', key with a NUL byte' : ''}`,
    rejectedBy: 'every',
  };
}

/**
 * One bad message of a category. Those meant to fail the schema are checked against it here,
 * and drawn again in the rare case a mutation left a valid message: a valid one would be
 * applied, not dead-lettered, and the category would not be what it claims. The schema-valid
 * (SEMANTIC) ones are not, nor nul-in-text and long-field, which are defined by their content
 * whatever decode makes of it (decode refuses them since 03412f9 and 2422c9c; the generator
 * must not depend on that).
 */
export function makeBad(category: BadCategory, ctx: BadContext, i: number): BadMessage {
  for (let attempt = 0; ; attempt++) {
    const m = draw(category, ctx, i);
    if (category === 'out-of-range-version' && /^version /.test(m.variant)) return m; // schema-valid today, on purpose
    if (SEMANTIC.has(category) || category === 'nul-in-text' || category === 'long-field' || !decodes(m.topic, m.value)) return m;
    if (attempt > 20) throw new Error(`cannot draw an invalid ${category} message`);
  }
}

function draw(category: BadCategory, ctx: BadContext, i: number): BadMessage {
  switch (category) {
    case 'random-bytes':
      return randomBytes(ctx);
    case 'oversized':
      return oversized(ctx, i);
    case 'invalid-json':
      return invalidJson(ctx, i);
    case 'wrong-schema':
      return wrongSchema(ctx, i);
    case 'unknown-type':
      return unknownType(ctx, i);
    case 'unknown-version':
      return unknownVersion(ctx, i);
    case 'impossible-date':
      return impossibleDate(ctx, i);
    case 'out-of-range-version':
      return outOfRangeVersion(ctx, i);
    case 'null-values':
      return nullValues(ctx, i);
    case 'nul-in-text':
      return nulInText(ctx, i);
    case 'long-field':
      return longField(ctx, i);
    case 'future-completeness':
      return futureCompleteness(ctx);
    case 'duplicate-id':
      return duplicateId(ctx);
    case 'conflicting-randomisation':
      return conflictingRandomisation(ctx, i);
    case 'unregistered-trial':
      return unregisteredTrial(ctx, i);
    case 'unknown-review':
      return unknownReview(ctx, i);
    default: {
      const never: never = category;
      throw new Error(`unknown category ${String(never)}`);
    }
  }
}
