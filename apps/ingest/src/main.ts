import 'reflect-metadata';
import { configOrExit, runService } from '@trial/platform';
import { ingestModule } from './app.module';

const config = configOrExit('ingest');
runService(ingestModule(config), { service: 'ingest', port: config.INGEST_PORT });
