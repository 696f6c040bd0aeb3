// ESLint for the page scripts in onestop/static: plain browser scripts loaded with <script src>
// (no bundler, no modules), each wrapped in its own function so that it leaks nothing, sharing
// only what common.js hangs on window.onestop. The vendored socket.io client is not ours to lint.
//
//   npm ci --no-audit --no-fund && npx eslint --max-warnings=0 onestop/static
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

// Browser globals that read like ordinary words: using one by mistake (a missing parameter named
// `event` or `name`) must be an error, not window.event.
const CONFUSING = ["event", "name", "status", "length", "close", "open", "parent", "top", "self", "origin"];

module.exports = [
  { ignores: ["onestop/static/vendor/"] },
  {
    files: ["onestop/static/*.js"],
    ...js.configs.recommended,
  },
  {
    files: ["onestop/static/*.js"],
    languageOptions: {
      ecmaVersion: 2022, // what the office PCs' and kiosks' Chromium run
      sourceType: "script",
      globals: {
        ...globals.browser,
        onestop: "readonly", // common.js: the page client every page script uses
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "all" }],
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
      strict: ["error", "function"],
      "no-implicit-globals": "error",
      "no-shadow": "error",
      "no-restricted-globals": ["error", ...CONFUSING],
      "no-throw-literal": "error",
      "prefer-promise-reject-errors": "error",
      "no-implied-eval": "error",
      "no-eval": "error",
      "no-new-func": "error",
      "no-unused-expressions": ["error", { allowShortCircuit: false, allowTernary: false }],
      "no-useless-concat": "error",
      "no-lonely-if": "error",
      "no-else-return": "error",
      "prefer-object-spread": "error",
      "object-shorthand": ["error", "properties"],
      "dot-notation": "error",
    },
  },
  {
    // The pages that keep a Socket.IO connection (vendor/socket.io.min.js is loaded before them).
    files: ["onestop/static/{kiosk,counter,display,rate}.js"],
    languageOptions: { globals: { io: "readonly" } },
  },
  {
    // The back-office pages, on top of admin.js (the staff session they share).
    files: ["onestop/static/admin-*.js"],
    languageOptions: { globals: { onestopAdmin: "readonly" } },
  },
];
