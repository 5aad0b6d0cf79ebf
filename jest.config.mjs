// Jest runs in native ESM mode (NestJS 12 packages are ESM-only): see STACK-NOTES and README.
const tsJest = [
  'ts-jest',
  {
    useESM: true,
    tsconfig: {
      module: 'esnext',
      moduleResolution: 'bundler',
      isolatedModules: true,
      sourceMap: true,
      allowJs: false,
    },
  },
];
const esmJs = ['ts-jest', { useESM: true, tsconfig: { allowJs: true, module: 'esnext', isolatedModules: true } }];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  moduleNameMapper: { '^@aitbc/(event-store|contracts|crypto)$': '<rootDir>/libs/$1/src' },
  transform: {
    '^.+\\.ts$': tsJest,
    '^.+/node_modules/(content-disposition|cookie)/.+\\.js$': esmJs,
  },
  transformIgnorePatterns: ['^(?!.*/node_modules/(content-disposition|cookie)/).*/node_modules/'],
};

/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  verbose: false,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
