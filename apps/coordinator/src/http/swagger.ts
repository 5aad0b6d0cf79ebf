import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { CoordinatorConfig } from '../config';

/** Swagger UI at `/docs`, the document at `/openapi.json`. */
export function setupSwagger(app: INestApplication, config: CoordinatorConfig): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('AITBC coordinator')
      .setDescription(
        'GPU compute marketplace: clients submit jobs, miners pull and run them, the coordinator signs a receipt ' +
          'for every job and settles payment on a hash-chained ledger. Errors share one envelope: ' +
          '`{detail, error: {code, status, details}, request_id}`.',
      )
      .setVersion(config.version)
      .addApiKey(
        { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'client, miner or admin key' },
        'api-key',
      )
      .addApiKey(
        { type: 'apiKey', in: 'header', name: 'X-Miner-Key', description: 'seed alias for miners' },
        'miner-key',
      )
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
}
