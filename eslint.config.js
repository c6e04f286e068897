// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

/** What keeps src/core pure: the flight software and its models do no I/O and read no clock. */
const corePurity = {
  files: ['src/core/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{ group: ['node:*'], message: 'src/core is pure: no node:* imports (pass a port in instead).' }],
      paths: ['fs', 'os', 'path', 'crypto', 'child_process', 'net', 'zlib', 'worker_threads', 'timers', 'process']
        .map((name) => ({ name, message: 'src/core is pure: no Node built-ins.' })),
    }],
    'no-restricted-globals': ['error',
      { name: 'Date', message: 'src/core is pure: time is passed in (MonotonicClock).' },
      { name: 'setTimeout', message: 'src/core is pure: no timers.' },
      { name: 'setInterval', message: 'src/core is pure: no timers.' },
      { name: 'setImmediate', message: 'src/core is pure: no timers.' },
      { name: 'queueMicrotask', message: 'src/core is pure: no timers.' },
      { name: 'console', message: 'src/core is pure: no console.' },
      { name: 'process', message: 'src/core is pure: no process.' },
      { name: 'performance', message: 'src/core is pure: time is passed in.' },
    ],
    'no-restricted-properties': ['error',
      { object: 'Math', property: 'random', message: 'src/core is pure: use the seeded PRNG.' },
    ],
    'no-restricted-syntax': ['error',
      { selector: "CallExpression[callee.name='require']", message: 'src/core is pure: no require.' },
    ],
  },
};

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'firmware-bridge/build/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  corePurity,
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
