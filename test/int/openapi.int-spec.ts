import { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { apiModule } from '../../apps/api/src/app.module';
import { openApiDocument } from '../../apps/api/src/docs';
import { privateTopics, startInProcess, testConfig, testKafka } from '../support';

type Schema = { $ref?: string; type?: string; items?: Schema; properties?: Record<string, Schema> };

/** The OpenAPI document describes the response bodies, not only the routes. */
describe("the API's OpenAPI document (real Postgres and Kafka: the app is the one served)", () => {
  let app: INestApplication;
  let doc: OpenAPIObject;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    let prefix: string;
    ({ prefix, drop } = await privateTopics(testKafka(), 'openapi'));
    app = (await startInProcess(apiModule, testConfig(prefix))).app;
    doc = openApiDocument(app);
  });

  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  const ok = (path: string, method: 'get' | 'post', status = '200'): Schema => {
    const content = (doc.paths[path]?.[method]?.responses?.[status] as { content?: Record<string, { schema: Schema }> } | undefined)?.content;
    const first = content ? Object.values(content)[0] : undefined;
    if (!first) throw new Error(`${method} ${path} ${status} has no body schema`);
    return first.schema;
  };
  const schema = (ref: string | undefined): Schema => doc.components?.schemas?.[(ref ?? '').replace('#/components/schemas/', '')] as Schema;

  it('names a schema for each read-out body', () => {
    expect(ok('/trials', 'get')).toEqual({ type: 'array', items: { $ref: '#/components/schemas/TrialListingDto' } });
    expect(ok('/trials/{trialId}', 'get')).toEqual({ $ref: '#/components/schemas/TrialDto' });
    expect(ok('/trials/{trialId}/survival', 'get')).toEqual({ $ref: '#/components/schemas/SurvivalDto' });
    expect(ok('/trials/{trialId}/interim', 'get')).toEqual({ $ref: '#/components/schemas/InterimDto' });
    expect(ok('/trials/{trialId}/summary', 'get')).toEqual({ $ref: '#/components/schemas/SummaryDto' });
    expect(ok('/audit', 'get')).toEqual({ type: 'array', items: { $ref: '#/components/schemas/AuditEntryDto' } });
    expect(ok('/stream-tickets', 'post', '201')).toEqual({ $ref: '#/components/schemas/StreamTicketDto' });
    expect(ok('/reviews/{reviewId}/decision', 'post', '202')).toEqual({ $ref: '#/components/schemas/ReviewAcceptedDto' });
  });

  it('describes the survival document down to its Kaplan-Meier rows', () => {
    const survival = schema('#/components/schemas/SurvivalDto');
    expect(Object.keys(survival.properties ?? {})).toEqual(
      expect.arrayContaining(['trialId', 'asOf', 'dataComplete', 'eventsApplied', 'groups', 'logRank', 'cox', 'followUp']),
    );
    const group = schema(survival.properties?.groups.items?.$ref);
    expect(Object.keys(group.properties ?? {})).toEqual(expect.arrayContaining(['group', 'n', 'events', 'km', 'median', 'at', 'rmst']));
    const km = schema(group.properties?.km.items?.$ref);
    expect(Object.keys(km.properties ?? {}).sort()).toEqual(['lower', 'nCensor', 'nEvent', 'nRisk', 'stdErr', 'survival', 'time', 'upper']);
  });
});
