/** Set by build.mjs for each browser's bundle. */
declare const __BROWSER__: 'chromium' | 'firefox';
