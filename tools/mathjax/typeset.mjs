// Typeset formulas with MathJax 3.2.2 set up like Anki, minus noerrors and
// noundefined so that every TeX error is reported instead of being rendered.
//
//   stdin:  [{"id": any, "tex": "...", "display": bool}, ...]
//   stdout: [{"id": any, "error": null | "message"}, ...]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const MJ = 'mathjax-full/js';
// Load require (and with it the component loader) before AllPackages, so
// AllPackages marks every [tex]/ extension as preloaded like tex-chtml-full
// does; otherwise \require{cancel} tries to fetch a script and fails.
require(`${MJ}/input/tex/require/RequireConfiguration.js`);
const { AllPackages } = require(`${MJ}/input/tex/AllPackages.js`);
const { mathjax } = require(`${MJ}/mathjax.js`);
const { TeX } = require(`${MJ}/input/tex.js`);
const { CHTML } = require(`${MJ}/output/chtml.js`);
const { liteAdaptor } = require(`${MJ}/adaptors/liteAdaptor.js`);
const { RegisterHTMLHandler } = require(`${MJ}/handlers/html.js`);
const NewcommandUtil = require(`${MJ}/input/tex/newcommand/NewcommandUtil.js`).default;

// Same list as gen_tex_data.mjs, but noerrors/noundefined would turn errors
// into rendered output, so leave them out.
const PACKAGES = [...new Set(['require', ...AllPackages, 'mathtools'])]
  .filter((p) => !['textmacros', 'noerrors', 'noundefined'].includes(p));

RegisterHTMLHandler(liteAdaptor());

let texError = null;
let tex, doc;
function setup() {
  tex = new TeX({
    packages: PACKAGES,
    // Without noerrors MathJax does not throw: compile() catches the TexError
    // and renders an <merror>. Record the message on the way through.
    formatError: (jax, err) => {
      texError = err.message;
      return jax.formatError(err);
    },
  });
  // Full CHTML typesetting, as in Anki, so output-stage failures surface too.
  doc = mathjax.document('', { InputJax: tex, OutputJax: new CHTML({ fontURL: '.' }) });
}

// Each formula is checked on its own: forget \def/\newcommand macros and
// \label's from earlier ones (MathJax keeps them for the whole page).
function resetState(src) {
  if (src.includes('\\require')) return setup(); // loaded packages persist
  tex.reset();
  const { NEW_DELIMITER, NEW_COMMAND, NEW_ENVIRONMENT } = NewcommandUtil;
  for (const name of [NEW_DELIMITER, NEW_COMMAND, NEW_ENVIRONMENT]) {
    tex.parseOptions.handlers.retrieve(name)?.map.clear();
  }
}

// Catch merror nodes that do not come from formatError (belt and braces).
function findMerror(node) {
  if (node.isKind('merror')) return node.attributes.get('data-mjx-error') || 'merror in output';
  for (const child of node.childNodes ?? []) {
    const msg = findMerror(child);
    if (msg) return msg;
  }
  return null;
}

function check(src, display) {
  for (let attempt = 0; ; attempt++) {
    texError = null;
    try {
      doc.convert(src, { display });
      return texError ?? findMerror(tex.mathNode);
    } catch (err) {
      // \require of a package with preprocessors asks for a retry once the
      // (already resolved) load promise settles; just run it again.
      if (err?.retry && attempt < 3) continue;
      // Non-TeX failures (bugs, output errors) propagate out of convert().
      return texError ?? String(err?.message ?? err);
    }
  }
}

setup();
const input = JSON.parse(readFileSync(0, 'utf8'));
const results = input.map(({ id, tex: src, display }) => {
  const error = check(src, !!display);
  resetState(src);
  return { id, error };
});
process.stdout.write(JSON.stringify(results) + '\n');
