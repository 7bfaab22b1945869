import 'reflect-metadata';
import { configOrExit, runService } from '@trial/platform';
import { PROJECTOR_OFFSET_COMMITS, projectorModule } from './app.module';

const config = configOrExit('projector');
runService(projectorModule(config), {
  service: 'projector',
  port: config.PROJECTOR_PORT,
  consumer: 'projector',
  partitionsConsumedConcurrently: config.PROJECTOR_CONCURRENCY,
  offsetCommits: PROJECTOR_OFFSET_COMMITS,
});
