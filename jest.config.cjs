// Unit tests of MediaGate's pure logic (no browser APIs). TypeScript is compiled by a small esbuild
// transformer instead of ts-jest; type checking is left to `npm run typecheck`.
/** @type {import('jest').Config} */
module.exports = {
  roots: ['<rootDir>/test/unit'],
  testMatch: ['**/*.test.ts'],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  transform: {
    '^.+\\.ts$': '<rootDir>/test/unit/esbuild-transform.cjs',
    // @noble/hashes ships ES modules only.
    '/node_modules/@noble/.+\\.js$': '<rootDir>/test/unit/esbuild-transform.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!@noble/)'],
};
