// Jest transformer: TypeScript -> CommonJS with esbuild (type-only, no type checking).
const crypto = require('node:crypto');
const fs = require('node:fs');
const { transformSync } = require('esbuild');

const selfContent = fs.readFileSync(__filename, 'utf8');

module.exports = {
  process(sourceText, sourcePath) {
    const { code, map } = transformSync(sourceText, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: sourcePath,
    });
    return { code, map: map || null };
  },
  getCacheKey(sourceText, sourcePath) {
    return crypto
      .createHash('sha1')
      .update(sourceText)
      .update('\0')
      .update(sourcePath)
      .update('\0')
      .update(selfContent)
      .digest('hex');
  },
};
