// Dump every TeX control sequence and environment that Anki's MathJax 3.2.2
// setup understands, by walking MathJax's own parse maps (not a hand list).
//
//   node tools/mathjax/gen_tex_data.mjs [output.json]
//
// Default output: papers2anki/data/mathjax_tex.json (relative to the repo).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

// Resolve mathjax-full from tools/mathjax/node_modules whatever the cwd is.
const require = createRequire(import.meta.url);
const MJ = 'mathjax-full/js';
const { mathjax } = require(`${MJ}/mathjax.js`);
const { TeX } = require(`${MJ}/input/tex.js`);
const { liteAdaptor } = require(`${MJ}/adaptors/liteAdaptor.js`);
const { RegisterHTMLHandler } = require(`${MJ}/handlers/html.js`);
const { AllPackages } = require(`${MJ}/input/tex/AllPackages.js`);
const { DelimiterMap, AbstractParseMap } = require(`${MJ}/input/tex/SymbolMap.js`);
require(`${MJ}/input/tex/require/RequireConfiguration.js`);

const VERSION = require('mathjax-full/package.json').version;
if (VERSION !== '3.2.2') throw new Error(`expected mathjax-full 3.2.2, got ${VERSION}`);

// tex-chtml-full registers ['require', ...AllPackages]; Anki's config then
// adds noerrors + mathtools ("[+]") and drops textmacros ("[-]").
const PACKAGES = [...new Set(['require', ...AllPackages, 'noerrors', 'mathtools'])]
  .filter((p) => p !== 'textmacros');

const here = path.dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? path.join(here, '..', '..', 'papers2anki', 'data', 'mathjax_tex.json');

// Build a real document so package init/config hooks have run (some add maps).
RegisterHTMLHandler(liteAdaptor());
const tex = new TeX({ packages: PACKAGES });
mathjax.document('', { InputJax: tex });
const handlers = tex.parseOptions.handlers;

function mapsOf(kind) {
  // SubHandler keeps its maps in a PrioritizedList of {item, priority}.
  return [...handlers.get(kind)._configuration].map((entry) => entry.item);
}

function keysOf(map) {
  if (!(map instanceof AbstractParseMap)) {
    throw new Error(`cannot enumerate map ${map.name} (${map.constructor.name})`);
  }
  return [...map.map.keys()];
}

const macros = new Set();
for (const map of mapsOf('macro')) {
  for (const key of keysOf(map)) {
    // A DelimiterMap used for macros looks up '\\' + name, so only its
    // backslashed keys (\langle, \{, \|) are control sequences.
    if (map instanceof DelimiterMap) {
      if (key.startsWith('\\')) macros.add(key.slice(1));
    } else {
      macros.add(key);
    }
  }
}
// Backslashed delimiters only valid after \left, \big... would still be
// control sequences; check there are none we missed.
for (const map of mapsOf('delimiter')) {
  for (const key of keysOf(map)) {
    if (key.startsWith('\\') && !macros.has(key.slice(1))) {
      throw new Error(`delimiter-only control sequence ${key} in ${map.name}`);
    }
  }
}

const environments = new Set(mapsOf('environment').flatMap(keysOf));

const sorted = (xs) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const data = {
  environments: sorted(environments),
  generated_by: 'tools/mathjax/gen_tex_data.mjs',
  macros: sorted(macros),
  mathjax: VERSION,
  packages: sorted(PACKAGES),
};
writeFileSync(out, JSON.stringify(data, null, 2) + '\n');
console.error(`wrote ${out}: ${data.macros.length} macros, ${data.environments.length} environments`);
