import { AI_ML_SERVICES } from './ai-ml';
import type { CatalogueFile } from './catalogue-file';
import { DATA_ANALYTICS_SERVICES } from './data-analytics';
import { DEVELOPMENT_TOOLS_SERVICES } from './development-tools';
import { GAMING_ENTERTAINMENT_SERVICES } from './gaming-entertainment';
import { MEDIA_PROCESSING_SERVICES } from './media-processing';
import { SCIENTIFIC_COMPUTING_SERVICES } from './scientific-computing';

/**
 * The registry's data files, one per category. Checked when the coordinator starts
 * (`ServiceCatalogue`): a problem stops it with the file and field named. See docs/services.md.
 */
export const CATALOGUE_FILES: readonly CatalogueFile[] = [
  { file: 'catalogue/ai-ml.ts', category: 'ai_ml', services: AI_ML_SERVICES },
  { file: 'catalogue/media-processing.ts', category: 'media_processing', services: MEDIA_PROCESSING_SERVICES },
  {
    file: 'catalogue/scientific-computing.ts',
    category: 'scientific_computing',
    services: SCIENTIFIC_COMPUTING_SERVICES,
  },
  { file: 'catalogue/data-analytics.ts', category: 'data_analytics', services: DATA_ANALYTICS_SERVICES },
  {
    file: 'catalogue/gaming-entertainment.ts',
    category: 'gaming_entertainment',
    services: GAMING_ENTERTAINMENT_SERVICES,
  },
  { file: 'catalogue/development-tools.ts', category: 'development_tools', services: DEVELOPMENT_TOOLS_SERVICES },
];
