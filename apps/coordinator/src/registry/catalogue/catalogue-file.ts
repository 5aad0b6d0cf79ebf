import type { ServiceCategory, ServiceDefinitionDto } from '@aitbc/contracts';

/** One data file of the catalogue: its name (for boot errors), its category and its services. */
export interface CatalogueFile {
  file: string;
  category: ServiceCategory;
  services: readonly ServiceDefinitionDto[];
}
