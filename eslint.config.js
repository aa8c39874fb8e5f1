// ESLint for static/js: the recommended rules, browser globals, ES modules (no build step: the
// browser loads these files as they are, with <script type="module">).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
  },
];
