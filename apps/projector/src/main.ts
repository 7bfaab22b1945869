import 'reflect-metadata';
import { configOrExit, runService } from '@trial/platform';
import { PROJECTOR_CONCURRENCY, projectorModule } from './app.module';

const config = configOrExit('projector');
runService(projectorModule(config), { service: 'projector', port: config.PROJECTOR_PORT, consumer: 'projector', partitionsConsumedConcurrently: PROJECTOR_CONCURRENCY });
