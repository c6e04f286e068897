// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';
import triplex from './eslint-rules/layers.js';

/**
 * What keeps src/core and src/sim pure: the flight software, its models and the lockstep
 * simulator do no I/O and read no clock.
 */
const corePurity = {
  files: ['src/core/**/*.ts', 'src/sim/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{ group: ['node:*'], message: 'src/core and src/sim are pure: no node:* imports (pass a port in instead).' }],
      paths: ['fs', 'os', 'path', 'crypto', 'child_process', 'net', 'zlib', 'worker_threads', 'timers', 'process']
        .map((name) => ({ name, message: 'src/core and src/sim are pure: no Node built-ins.' })),
    }],
    'no-restricted-globals': ['error',
      { name: 'Date', message: 'src/core and src/sim are pure: time is passed in (MonotonicClock).' },
      { name: 'setTimeout', message: 'src/core and src/sim are pure: no timers.' },
      { name: 'setInterval', message: 'src/core and src/sim are pure: no timers.' },
      { name: 'setImmediate', message: 'src/core and src/sim are pure: no timers.' },
      { name: 'queueMicrotask', message: 'src/core and src/sim are pure: no timers.' },
      { name: 'console', message: 'src/core and src/sim are pure: no console.' },
      { name: 'process', message: 'src/core and src/sim are pure: no process.' },
      { name: 'performance', message: 'src/core and src/sim are pure: time is passed in.' },
    ],
    'no-restricted-properties': ['error',
      { object: 'Math', property: 'random', message: 'src/core and src/sim are pure: use the seeded PRNG.' },
    ],
    'no-restricted-syntax': ['error',
      { selector: "CallExpression[callee.name='require']", message: 'src/core and src/sim are pure: no require.' },
    ],
  },
};

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'firmware-bridge/build/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'eslint-rules/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  corePurity,
  {
    // The layers of docs/ARCHITECTURE.md, and no import cycles (eslint-rules/layers.js).
    files: ['src/**/*.ts'],
    plugins: { triplex },
    rules: { 'triplex/layers': 'error', 'triplex/no-cycle': 'error' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
