import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document: routes from the controllers, bodies from the response DTOs (dto/). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('trial-followup read-out API')
      .setDescription('Survival read-outs of randomised trials. Bearer token with role monitor (blinded) or dsmb (unblinded, audited).')
      .addBearerAuth()
      .build(),
  );
}

/** OpenAPI at /docs (JSON at /docs-json). Swagger's routes are not controllers: no token needed to read them. */
export function setupDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, openApiDocument(app));
}
