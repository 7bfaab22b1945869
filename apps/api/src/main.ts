import 'reflect-metadata';
import { configOrExit, runService } from '@trial/platform';
import { apiModule } from './app.module';
import { setupDocs } from './docs';

const config = configOrExit('api');
runService(apiModule(config), { service: 'api', port: config.API_PORT, configure: setupDocs });
