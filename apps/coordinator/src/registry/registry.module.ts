import { DynamicModule, Module } from '@nestjs/common';
import { RegistryController } from './browse-registry/registry.controller';
import { REGISTRY_HANDLERS } from './browse-registry/registry.handlers';
import { loadCatalogueFiles } from './catalogue-files';
import { ListServiceTypesController } from './list-service-types/list-service-types.controller';
import { ListServiceTypesHandler } from './list-service-types/list-service-types.handler';
import { ServiceCatalogue } from './service-catalogue';
import { SubmitServiceJobController } from './submit-service-job/submit-service-job.controller';
import { SubmitServiceJobHandler } from './submit-service-job/submit-service-job.handler';
import { ValidateServiceRequestController } from './validate-service-request/validate-service-request.controller';
import { ValidateServiceRequestHandler } from './validate-service-request/validate-service-request.handler';

/** The service catalogue and the typed service endpoints (DESIGN §3 "Services and registry"). */
@Module({})
export class RegistryModule {
  /**
   * Loads the catalogue from `registryDir` (REGISTRY_DIR) and checks it first: bad data stops the start
   * with one error naming file and field.
   */
  static forRoot(registryDir: string): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [
        ListServiceTypesController,
        SubmitServiceJobController,
        RegistryController,
        ValidateServiceRequestController,
      ],
      providers: [
        { provide: ServiceCatalogue, useValue: new ServiceCatalogue(loadCatalogueFiles(registryDir)) },
        ListServiceTypesHandler,
        SubmitServiceJobHandler,
        ...REGISTRY_HANDLERS,
        ValidateServiceRequestHandler,
      ],
    };
  }
}
