/** Jest runs the TypeScript sources through ts-jest; ky is ESM-only, so it is transformed too. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node', isolatedModules: true, verbatimModuleSyntax: false }, diagnostics: { ignoreCodes: [151001] } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(ky)/)'],
  testTimeout: 30000,
};
