// ESLint (`npm run lint`, part of `npm test`): the boundaries between MediaGate's worlds, enforced on
// resolved paths with import/no-restricted-paths (as Dark Reader does), plus a few checks that catch
// mistakes. Formatting is prettier's business (npm run format, .prettierrc.json).
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

/** Extension pages: each runs in its own extension document. */
const PAGES = ['popup', 'options', 'picker-ui', 'screen-grant', 'welcome', 'segmenter'].map((page) => `./src/${page}`);
/** The page's main world (injected.js and its lazily loaded chunks). */
const INJECTED = './src/injected';
/** The isolated world's content script. */
const CONTENT = './src/content';
/** The background (service worker in Chromium, background page in Firefox). */
const BACKGROUND = './src/background';
/** Code that runs inside the page's own dedicated workers, sent there as text. */
const WORKER_REALM = './src/worker-realm';
/** Neutral modules any world may import. */
const SHARED = './src/shared';

/** What a zone's message suggests instead. */
const SHARE = ' (move what both need to src/shared).';

const zones = [
  {
    target: INJECTED,
    from: [CONTENT, BACKGROUND, ...PAGES],
    message: `The main world shares the page: it takes nothing from the extension's other worlds${SHARE}`,
  },
  { target: CONTENT, from: [INJECTED], message: `The content script takes nothing from the main world${SHARE}` },
  { target: PAGES, from: [INJECTED], message: `Extension pages take nothing from the main world${SHARE}` },
  {
    target: BACKGROUND,
    from: [INJECTED, ...PAGES],
    message: `The background takes nothing from the main world or the pages${SHARE}`,
  },
  {
    target: WORKER_REALM,
    from: [INJECTED, CONTENT, BACKGROUND, ...PAGES],
    message: "Worker-realm code runs in the page's workers: it imports no extension world, only src/shared.",
  },
  {
    target: SHARED,
    from: [INJECTED, CONTENT, BACKGROUND, WORKER_REALM, ...PAGES],
    message: 'src/shared is neutral: it imports no world.',
  },
  {
    target: './src/injected/**/chunk/**',
    from: './src/injected/native.ts',
    message:
      "A chunk runs after the page's scripts: it imports the core's captured built-ins from chunk-natives.ts, never native.ts (which would capture them again, maybe the page's).",
  },
];

/**
 * Main-world code that runs after the page's scripts (chunks) calls no built-in the page could have
 * replaced: the core's captured set comes through chunk-natives.ts. What the syntax hides (iteration,
 * spreading, await and async functions read Array.prototype[Symbol.iterator], `then` and `constructor`)
 * is written as plain loops and the core's `then`. The hostile e2e suite (hostile-chunks.test.ts) is the
 * proof; this keeps the obvious ways back out.
 */
const CHUNK_GLOBALS = [
  'Object',
  'Reflect',
  'Array',
  'Promise',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'JSON',
  'Function',
  'Symbol',
].map((name) => ({
  name,
  message: `Chunks use the core's captured built-ins (chunk-natives.ts), not the page's ${name}.`,
}));
const CHUNK_SYNTAX = [
  ['ForOfStatement', 'for-of reads the iterator from the prototype the page can replace: use an index loop'],
  ['ArrayExpression > SpreadElement', "array spread iterates with the page's iterator: copy with a loop"],
  ['CallExpression > SpreadElement', "spread arguments iterate with the page's iterator: use apply(fn, this, array)"],
  ['NewExpression > SpreadElement', "spread arguments iterate with the page's iterator: use construct()"],
  ['ArrayPattern', "array destructuring iterates with the page's iterator: index the array"],
  ['AwaitExpression', "await reads then/constructor of the page's prototypes: chain with then() from chunk-natives"],
  [':function[async=true]', "an async function resolves through the page's prototypes: return then() chains"],
  [
    'CallExpression > MemberExpression.callee[property.name=/^(then|catch|finally|call|apply|bind)$/]',
    "Promise/Function prototype methods can be the page's: use then(), caught(), apply() from chunk-natives",
  ],
].map(([selector, message]) => ({ selector, message }));

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', '.tmp/', 'test-results/', 'bench/fixtures/', 'test/fixtures/']),
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 'latest',
      sourceType: 'module',
    },
    // A test keeps a directive for no-sparse-arrays, a rule not enabled here (tests make holes on purpose).
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { '@typescript-eslint': tseslint.plugin, import: importPlugin },
    settings: {
      // All of MediaGate's own imports are relative paths: Node's resolution with TypeScript's extensions
      // finds them. (Build-time specifiers such as `script-text:` stay unresolved, and unchecked: keep them
      // within one world, as src/worker-realm does.)
      'import/resolver': { node: { extensions: ['.ts', '.d.ts', '.mjs', '.js', '.cjs', '.json'] } },
    },
    rules: {
      'import/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones }],
      // The zones skip what the linter cannot resolve: every relative import must resolve here too.
      'import/no-unresolved': ['error', { ignore: ['^[^.]'] }],
      // Mistakes, not style: each holds for the code base as it is. (x !== x is this code's NaN test, so
      // no-self-compare stays off; tests make holes on purpose, so no-sparse-arrays too.)
      'no-debugger': 'error',
      'no-dupe-else-if': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-self-assign': 'error',
      'no-unreachable': 'error',
      'no-unsafe-finally': 'error',
      'no-unused-private-class-members': 'error',
      'no-useless-backreference': 'error',
      'use-isnan': 'error',
      'valid-typeof': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description' }],
      // A leading underscore marks what is unused on purpose (a destructured part left out, a type-only check).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          varsIgnorePattern: '^_',
          argsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
    },
  },
  {
    files: ['src/injected/**/chunk/**/*.ts', 'src/injected/chunk-api.ts'],
    // The AudioWorklet module runs in its own realm, which the page cannot reach.
    ignores: ['src/injected/effects/chunk/rnnoise-worklet.ts'],
    rules: {
      'no-restricted-globals': ['error', ...CHUNK_GLOBALS],
      'no-restricted-syntax': ['error', ...CHUNK_SYNTAX],
    },
  },
  {
    // CommonJS files (jest's config and transformer).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
