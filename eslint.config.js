import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from './scripts/src/lint/boundaries-rule.js';

const root = import.meta.dirname;

// Who may import whom. See ../shared/STYLE.md: shared imports no Node built-ins; only the device-opening
// module imports serialport or node-hid; the UI imports only the bridge and shared.
const boundaryOptions = {
  root,
  devicePackages: ['serialport', '@serialport/', 'node-hid'],
  deviceModule: ['terminal-app/src/ports/'],
  zones: [
    {
      folder: 'shared/',
      noBuiltins: true,
      allowPackages: ['zod', 'fast-check', 'vitest'],
      allowLocal: ['shared/'],
    },
    {
      folder: 'terminal-app/src/bridge/',
      noBuiltins: true,
      allowPackages: ['@cashin/shared', 'zod', 'vitest', 'fast-check'],
      allowLocal: ['terminal-app/src/bridge/'],
    },
    {
      // The server's web apps (wallet, till, ops) run in browsers: shared, Preact and their own files only,
      // and jsQR, the wallet's QR decoder for a receipt held up to the camera (loaded only when it opens).
      folder: 'server/web/',
      noBuiltins: true,
      allowPackages: ['@cashin/shared', 'preact', 'preact/', 'zod', 'jsqr'],
      allowLocal: ['server/web/'],
    },
    {
      folder: 'terminal-app/src/ui/',
      noBuiltins: true,
      allowPackages: ['@cashin/shared', 'preact', 'preact/', '@preact/', 'vitest'],
      allowLocal: ['terminal-app/src/ui/', 'terminal-app/src/bridge/'],
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'coverage/**', 'bench/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.ts', '*/*.ts', 'scripts/src/lint/*.js'] },
        tsconfigRootDir: root,
      },
      globals: { console: 'readonly', process: 'readonly' },
    },
    plugins: { cashin: { rules: { boundaries } } },
    rules: {
      'cashin/boundaries': ['error', boundaryOptions],
      // Money code must never drop a promise on the floor: an unawaited ledger write is a lost deposit.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
