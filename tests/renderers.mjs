// The real renderers, for tests/test_latex.py and tests/test_pictures.py: reads a JSON list of
// texts on standard input and prints a JSON list with, for each, null (it renders) or the
// renderer's error message.
//   node renderers.mjs katex|mathjax|mermaid PREFIX
// PREFIX is the folder given to `npm install --prefix PREFIX katex mathjax-full mermaid jsdom`.
import fs from "fs";
import { createRequire } from "module";
import path from "path";
import { pathToFileURL } from "url";

const [which, prefix] = process.argv.slice(2);
const modules = path.join(path.resolve(prefix), "node_modules");
const require = createRequire(modules + path.sep);
const texts = JSON.parse(fs.readFileSync(0, "utf8"));

function katex() {
  const katex = require("katex");
  return async (tex) => katex.renderToString(tex, { throwOnError: true, displayMode: true });
}

function mathjax() {
  // Only the base and AMS packages: anything else a reader's MathJax may lack. noundefined is
  // left out so that an unknown command is an error, and formatError throws instead of drawing it.
  const { mathjax } = require("mathjax-full/js/mathjax.js");
  const { TeX } = require("mathjax-full/js/input/tex.js");
  const { SVG } = require("mathjax-full/js/output/svg.js");
  const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
  const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
  require("mathjax-full/js/input/tex/base/BaseConfiguration.js");
  require("mathjax-full/js/input/tex/ams/AmsConfiguration.js");
  RegisterHTMLHandler(liteAdaptor());
  const input = new TeX({ packages: ["base", "ams"], formatError: (jax, error) => { throw error; } });
  const document = mathjax.document("", { InputJax: input, OutputJax: new SVG({ fontCache: "none" }) });
  return async (tex) => document.convert(tex, { display: true });
}

async function mermaid() {
  // Mermaid needs a DOM; GitHub renders it with securityLevel strict.
  const { JSDOM } = require("jsdom");
  const dom = new JSDOM("<!doctype html><html><body></body></html>");
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  const entry = path.join(modules, "mermaid", "dist", "mermaid.core.mjs");
  const { default: mermaid } = await import(pathToFileURL(entry).href);
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  return (text) => mermaid.parse(text);
}

const render = await { katex, mathjax, mermaid }[which]();
const errors = [];
for (const text of texts) {
  try {
    await render(text);
    errors.push(null);
  } catch (error) {
    errors.push(String(error && error.message || error));
  }
}
process.stdout.write(JSON.stringify(errors));
