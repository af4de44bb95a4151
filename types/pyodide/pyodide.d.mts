// Types for worker.js's `import ... from "./pyodide/pyodide.mjs"` (the runtime build.py copies into dist/pyodide/):
// the pinned npm package's own declarations (node_modules/pyodide/pyodide.d.ts). Type-check only: never shipped.
export * from "pyodide";
