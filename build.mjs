// Builds dist/chromium and dist/firefox from the one source manifest; `--package` also writes the
// store packages. Everything is bundled: stores forbid remote code.
import * as esbuild from 'esbuild';
import { cp, mkdir, readFile, readdir, rm, writeFile, stat } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { createHash } from 'node:crypto';

const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, 'dist');
const args = new Set(process.argv.slice(2));
const BROWSERS = ['chromium', 'firefox'];

/**
 * The feature registry (src/shared/features.ts) and the asset list (src/shared/chunks.ts), read from
 * their TypeScript sources: the chunks to build, the assets to copy and the policy schema's feature
 * switches come from there, not from lists of the build's own.
 */
async function importTs(file) {
  const r = await esbuild.build({
    entryPoints: [path.join(root, file)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'warning',
  });
  return import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString('base64')}`);
}
const { CHUNK_ENTRIES, FEATURES, FEATURE_RENAMES, chunkFile } = await importTs('src/shared/features.ts');
const { ASSET_FILES } = await importTs('src/shared/chunks.ts');

/** Entry points: [source, output path inside the extension, options]. */
const ENTRIES = [
  ['src/injected/index.ts', 'injected.js', { minify: true }],
  ['src/content/index.ts', 'content.js', { minify: true }],
  ['src/background/index.ts', 'background.js', {}],
  ['src/popup/index.ts', 'popup/popup.js', {}],
  ['src/options/index.ts', 'options/options.js', {}],
  ['src/welcome/index.ts', 'welcome/welcome.js', {}],
  ['src/picker-ui/index.ts', 'picker/picker.js', {}],
  // Lazily loaded main-world chunks, injected into a frame on first use.
  ...Object.entries(CHUNK_ENTRIES).map(([name, chunk]) => [
    chunk.entry,
    chunkFile(name),
    { minify: true, chunk: true },
  ]),
  ['src/screen-grant/index.ts', 'screen-grant/grant.js', {}],
  ['src/segmenter/index.ts', 'segmenter/segmenter.js', { minify: true }],
];
/**
 * Names the event a chunk announces itself with. Unusual per version, so a core of another version
 * (Firefox re-injects on update) ignores it; deterministic, so store reviewers can rebuild the package.
 * Not a secret: a page that listened for it could only start MediaGate's feature in its own page.
 */
const CHUNK_EVENT = `mg-${createHash('sha256')
  .update(await readFile(path.join(root, 'package.json')))
  .digest('hex')
  .slice(0, 16)}`;
/**
 * A chunk's last statement: the script's completion value, which scripting.executeScript reports to the
 * background, so a chunk that threw before its end (before it announced itself) counts as not loaded.
 */
const CHUNK_DONE = `${CHUNK_EVENT}:done`;
const STATIC = [
  ...Object.values(ASSET_FILES).map((asset) => [asset.from, asset.to]),
  ['icons', 'icons'],
  ['_locales', '_locales'],
  ['src/popup/popup.html', 'popup/popup.html'],
  ['src/popup/popup.css', 'popup/popup.css'],
  ['src/options/options.html', 'options/options.html'],
  ['src/options/options.css', 'options/options.css'],
  ['src/welcome/welcome.html', 'welcome/welcome.html'],
  ['src/picker-ui/picker.html', 'picker/picker.html'],
  ['src/picker-ui/picker.css', 'picker/picker.css'],
  ['src/welcome/welcome.css', 'welcome/welcome.css'],
  ['src/screen-grant/grant.html', 'screen-grant/grant.html'],
  ['src/screen-grant/grant.css', 'screen-grant/grant.css'],
  ['src/segmenter/segmenter.html', 'segmenter/segmenter.html'],
];

/** `import x from 'worklet-text:<name>'`: an AudioWorklet module bundled into text, for a Blob URL. */
const WORKLETS = { rnnoise: 'src/injected/effects/chunk/rnnoise-worklet.ts' };
async function bundleWorklet(file) {
  const r = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    target: 'es2022',
    logLevel: 'silent',
    metafile: true,
  });
  return { text: r.outputFiles[0].text, inputs: Object.keys(r.metafile.inputs).map((f) => path.resolve(f)) };
}
const workletText = {
  name: 'worklet-text',
  setup(b) {
    b.onResolve({ filter: /^worklet-text:/ }, (a) => ({
      path: path.join(root, WORKLETS[a.path.slice(13)]),
      namespace: 'worklet-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'worklet-text' }, async (a) => {
      const { text, inputs } = await bundleWorklet(a.path);
      return { contents: text, loader: 'text', watchFiles: inputs };
    });
  },
};

/**
 * `import x from 'script-text:<path>'`: a source file bundled and minified on its own, as text
 * (MediaGate's code that the page sends into its workers, see src/worker-realm).
 */
const scriptText = {
  name: 'script-text',
  setup(b) {
    b.onResolve({ filter: /^script-text:/ }, (a) => ({
      path: path.join(root, a.path.slice(12)),
      namespace: 'script-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'script-text' }, async (a) => {
      const r = await esbuild.build({
        entryPoints: [a.path],
        bundle: true,
        write: false,
        format: 'iife',
        minify: true,
        legalComments: 'none',
        target: ['chrome120', 'firefox128'],
        metafile: true,
        logLevel: 'warning',
      });
      return {
        contents: r.outputFiles[0].text,
        loader: 'text',
        watchFiles: Object.keys(r.metafile.inputs).map((f) => path.join(root, f)),
      };
    });
  },
};

/** tasks-vision's Emscripten loader: node:fs/node:crypto only on its Node.js path (empty in the browser). */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) =>
      a.importer.includes('@mediapipe/tasks-vision') ? { path: a.path, namespace: 'empty' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    // The package says "type": "module" but the loader is a UMD script: give it the export it means,
    // and a silent `custom_dbg` (the wasm calls it as a global that only the other loader variant defines).
    b.onLoad({ filter: /tasks-vision\/wasm\/vision_wasm_internal\.js$/ }, async (a) => ({
      contents: `var custom_dbg = () => {};\n${await readFile(a.path, 'utf8')}\nexport default ModuleFactory;\n`,
      loader: 'js',
    }));
  },
};

/** Per-browser manifest: each browser gets only the background form it runs. */
export function manifestFor(browser, source, version) {
  const m = structuredClone(source);
  m.version = version;
  if (browser === 'chromium') {
    delete m.background.scripts;
    delete m.browser_specific_settings;
    // contentSettings: MediaGate's picker grants the site's own permission (one prompt, not two).
    // tabCapture, desktopCapture: screen capture through getUserMedia's mediaSource (Firefox has
    // neither API and captures natively).
    m.permissions = [...m.permissions, 'contentSettings', 'tabCapture', 'desktopCapture'];
  } else {
    delete m.background.service_worker;
    // Firefox reads policy for extensions from policies.json without a schema (and rejects the key).
    delete m.storage;
    // "global" shortcuts exist only in Chromium.
    for (const command of Object.values(m.commands ?? {})) delete command.global;
    // Chromium's per-session resource URLs; Firefox's moz-extension:// host is random per install anyway.
    for (const r of m.web_accessible_resources ?? []) delete r.use_dynamic_url;
  }
  return m;
}

/**
 * The policy schema, with one switch per feature of the registry and the features' old names
 * (test/unit/features.test.ts keeps the source file's list the same).
 */
async function managedSchema() {
  const schema = JSON.parse(await readFile(path.join(root, 'managed-schema.json'), 'utf8'));
  schema.properties.settings.properties.features.properties = Object.fromEntries([
    ...FEATURES.map((f) => [f, { type: 'boolean' }]),
    ...Object.entries(FEATURE_RENAMES).map(([old, now]) => [
      old,
      { type: 'boolean', description: `Deprecated: the old name of "${now}"` },
    ]),
  ]);
  return `${JSON.stringify(schema, null, 2)}\n`;
}

async function buildBrowser(browser, manifest, pkg) {
  const out = path.join(dist, browser);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const results = await Promise.all(
    ENTRIES.map(([entry, file, opts]) =>
      esbuild.build({
        entryPoints: [path.join(root, entry)],
        outfile: path.join(out, file),
        bundle: true,
        format: 'iife',
        target: ['chrome120', 'firefox128'],
        minify: !!opts.minify,
        legalComments: 'none',
        ...(opts.chunk ? { footer: { js: `;${JSON.stringify(CHUNK_DONE)};` } } : {}),
        define: {
          'process.env.NODE_ENV': '"production"',
          __BROWSER__: JSON.stringify(browser),
          __CHUNK_EVENT__: JSON.stringify(CHUNK_EVENT),
          __CHUNK_DONE__: JSON.stringify(CHUNK_DONE),
        },
        metafile: true,
        logLevel: 'warning',
        plugins: [workletText, scriptText, noNodeBuiltins],
      }),
    ),
  );
  await Promise.all(STATIC.map(([from, to]) => cp(path.join(root, from), path.join(out, to), { recursive: true })));
  await writeFile(path.join(out, 'managed-schema.json'), await managedSchema());
  await writeFile(
    path.join(out, 'manifest.json'),
    JSON.stringify(manifestFor(browser, manifest, pkg.version), null, 2),
  );
  await writeFile(path.join(out, 'THIRD_PARTY_NOTICES.txt'), await thirdPartyNotices(results.map((r) => r.metafile)));
  return results[ENTRIES.findIndex(([, file]) => file === 'injected.js')].metafile;
}

/** injected.js by source module (bytes each left in the minified output, from esbuild's metafile), largest first. */
function moduleSizeTable(metafile, fileSize, budget, rows = 15) {
  const [output] = Object.values(metafile.outputs);
  const modules = Object.entries(output.inputs).map(([file, input]) => [file, input.bytesInOutput]);
  modules.sort((a, b) => b[1] - a[1]);
  const percent = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;
  const line = (bytes, what) => `  ${String(bytes).padStart(6)}  ${percent(bytes, fileSize).padStart(6)}  ${what}`;
  const rest = modules.slice(rows);
  const inModules = modules.reduce((sum, [, bytes]) => sum + bytes, 0);
  return [
    'injected.js (chromium) by module:',
    `  ${'bytes'.padStart(6)}  ${'share'.padStart(6)}  module`,
    ...modules.slice(0, rows).map(([file, bytes]) => line(bytes, file)),
    ...(rest.length
      ? [
          line(
            rest.reduce((sum, [, bytes]) => sum + bytes, 0),
            `${rest.length} smaller modules`,
          ),
        ]
      : []),
    line(fileSize - inModules, "esbuild's wrapper and glue"),
    line(fileSize, `total, of a budget of ${budget} bytes (${percent(fileSize, budget)})`),
  ].join('\n');
}

/**
 * The licences of third-party code esbuild actually bundled (from the metafiles), with their texts, then
 * those of code inside vendored binaries, which the metafiles cannot see: licences/vendored.json lists
 * them in order, each with a one-line `notice` or a licence `file` (a path from the repository's root).
 */
async function thirdPartyNotices(metafiles) {
  const packages = new Set();
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) packages.add(m[1]);
    }
  }
  const parts = ['MediaGate bundles the following third-party software.', ''];
  for (const name of [...packages].sort()) {
    const dir = path.join(root, 'node_modules', name);
    const info = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    const licenceFile = (await readdir(dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = licenceFile
      ? await readFile(path.join(dir, licenceFile), 'utf8')
      : `${info.license} (no licence file shipped)`;
    parts.push('='.repeat(78), `${name} ${info.version} — ${info.license}`, info.homepage ?? '', '', text.trim(), '');
  }
  const vendored = JSON.parse(await readFile(path.join(root, 'licences/vendored.json'), 'utf8'));
  for (const { name, url, notice, file } of vendored) {
    const text = file ? ['', (await readFile(path.join(root, file), 'utf8')).trim()] : [notice];
    parts.push('='.repeat(78), name, url, ...text, '');
  }
  return parts.join('\n');
}

async function packageAll(version) {
  const run = promisify(execFile);
  const webExt = path.join(root, 'node_modules/.bin/web-ext');
  const targets = [
    ['chromium', 'mediagate-chromium.zip'],
    ['firefox', 'mediagate-firefox.xpi'],
  ];
  for (const [browser, filename] of targets) {
    await run(
      webExt,
      [
        'build',
        '--source-dir',
        path.join(dist, browser),
        '--artifacts-dir',
        dist,
        '--filename',
        filename,
        '--overwrite-dest',
        '--no-input',
      ],
      { env: { ...process.env, WEB_EXT_NO_UPDATE_CHECK: '1' } },
    );
    console.log(`packaged dist/${filename}`);
  }
  // Self-hosted Chromium package: signed with the packager's own key (it defines the extension id and
  // must stay private, so it is never in the repository), plus the update manifest for policy installs.
  const key = process.env.MEDIAGATE_CRX_KEY;
  if (key) {
    const { default: crx3 } = await import('crx3');
    const base = (process.env.MEDIAGATE_UPDATE_BASE ?? 'https://example.invalid/mediagate').replace(/\/$/, '');
    await crx3([path.join(dist, 'chromium', 'manifest.json')], {
      keyPath: key,
      crxPath: path.join(dist, 'mediagate.crx'),
      xmlPath: path.join(dist, 'update.xml'),
      crxURL: `${base}/mediagate.crx`,
      appVersion: version,
    });
    console.log('packaged dist/mediagate.crx and dist/update.xml');
  } else {
    console.log(
      'no MEDIAGATE_CRX_KEY: skipped dist/mediagate.crx (see docs/deployment.md, "Self-hosting the Chromium package")',
    );
  }
  // addons.mozilla.org asks for the source of bundled code and how to build it (docs/deployment.md, "Building from source").
  try {
    await run('git', [
      '-C',
      root,
      'archive',
      '--format=zip',
      '--prefix=mediagate-source/',
      '-o',
      path.join(dist, 'mediagate-source.zip'),
      'HEAD',
    ]);
    console.log('packaged dist/mediagate-source.zip (committed sources at HEAD)');
  } catch (e) {
    console.error(`could not write dist/mediagate-source.zip (needs a git checkout): ${e.message}`);
    process.exitCode = 1;
  }
}

const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const manifest = JSON.parse(await readFile(path.join(root, 'manifest.json'), 'utf8'));
const injectedMetas = await Promise.all(BROWSERS.map((b) => buildBrowser(b, manifest, pkg)));
const injectedSize = (await stat(path.join(dist, 'chromium', 'injected.js'))).size;
console.log(`built dist/chromium and dist/firefox (injected.js ${(injectedSize / 1024).toFixed(1)} KB minified)`);
// Every page runs injected.js: it must stay small (heavy parts go into lazily loaded chunks). 30 KB is
// the guide the bench reports against (a warning above it); the page-load bench, not this number, says
// whether it costs. Above 40 KB the build fails, so that growth is a decision, never an accident. (32 KB until
// issue 20: the captured built-ins chunks receive must be captured by the core, at document_start; 36 KB
// until issue 21: MediaGate's own mute and stop for every call, and the senders that let an effect be
// switched on mid-call, which must see the page's peer connections from document_start.)
const INJECTED_GUIDE = 30 * 1024;
const INJECTED_LIMIT = 40 * 1024;
console.log(moduleSizeTable(injectedMetas[BROWSERS.indexOf('chromium')], injectedSize, INJECTED_GUIDE));
if (injectedSize > INJECTED_LIMIT) {
  console.error(
    `injected.js is ${injectedSize} bytes, over the ${INJECTED_LIMIT}-byte limit: move code into a chunk (a feature's chunks in src/shared/features.ts)`,
  );
  process.exit(1);
}
if (injectedSize > INJECTED_GUIDE) {
  console.warn(
    `note: injected.js is ${injectedSize} bytes, over the ${INJECTED_GUIDE}-byte guide: check the page-load bench (npm run bench -- --only=floor)`,
  );
}
if (args.has('--package')) await packageAll(pkg.version);
