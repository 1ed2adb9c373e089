import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The Docusaurus fixture site is React/CommonJS content for a build, not project code.
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'server/drizzle/**', '**/.docusaurus/**', 'docusaurus-plugin-docent/test/fixture-site/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in server/src/config.ts only.' },
      ],
    },
  },
  {
    // Tests, benchmarks, browser-test tooling and the config module itself may read the environment.
    files: ['server/src/config.ts', '**/test/**', 'bench/**', 'e2e/**', '*.config.ts', '*.config.js'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Plain JavaScript that runs on Node before anything is compiled (server/compile.mjs).
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', performance: 'readonly' } },
  },
);
