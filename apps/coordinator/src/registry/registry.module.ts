import { DynamicModule, Module } from '@nestjs/common';
import { RegistryController } from './browse-registry/registry.controller';
import { REGISTRY_HANDLERS } from './browse-registry/registry.handlers';
import { CATALOGUE_FILES } from './catalogue';
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
  /** Loads and checks the catalogue first: bad data stops the start with one error naming file and field. */
  static forRoot(): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [
        ListServiceTypesController,
        SubmitServiceJobController,
        RegistryController,
        ValidateServiceRequestController,
      ],
      providers: [
        { provide: ServiceCatalogue, useValue: new ServiceCatalogue(CATALOGUE_FILES) },
        ListServiceTypesHandler,
        SubmitServiceJobHandler,
        ...REGISTRY_HANDLERS,
        ValidateServiceRequestHandler,
      ],
    };
  }
}
