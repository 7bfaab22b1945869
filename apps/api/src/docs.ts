import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI at /docs (JSON at /docs-json). Swagger's routes are not controllers: no token needed to read them. */
export function setupDocs(app: INestApplication): void {
  const doc = SwaggerModule.createDocument(app, new DocumentBuilder()
    .setTitle('trial-followup read-out API')
    .setDescription('Survival read-outs of randomised trials. Bearer token with role monitor (blinded) or dsmb (unblinded, audited).')
    .addBearerAuth()
    .build());
  SwaggerModule.setup('docs', app, doc);
}
