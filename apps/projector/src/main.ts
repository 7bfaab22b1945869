import 'reflect-metadata';
import { configOrExit, runService } from '@trial/platform';
import { projectorModule } from './app.module';

const config = configOrExit('projector');
runService(projectorModule(config), {
  service: 'projector',
  port: config.PROJECTOR_PORT,
  consumer: 'projector',
  partitionsConsumedConcurrently: config.PROJECTOR_CONCURRENCY,
});
