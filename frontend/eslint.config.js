// ESLint flat config: `npm run lint` (no warning allowed), `npm run check` (types, then this).
//
// No rule is turned off here. Two are disabled on single lines, each with its reason:
// - jsx-a11y/no-autofocus, on the first field of the four modal dialogs (new and renamed
//   workflow, new and edited knowledge base, publish): moving the focus into a dialog that
//   just opened is WAI-ARIA's dialog pattern, not the page-load autofocus the rule is about.
// - @typescript-eslint/no-unsafe-assignment, on two `expect.stringMatching(...)` /
//   `expect.stringContaining(...)` in upload.test.ts: Vitest types asymmetric matchers as `any`.
// Unused disable comments are errors, so none outlives its reason.
import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // Build output, the generated API types and installed packages are not ours to lint.
  { ignores: ["dist/", "node_modules/", "src/api/schema.d.ts"] },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  {
    files: ["**/*.js"],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [
      js.configs.recommended,
      tseslint.configs.recommendedTypeChecked,
      // The rules of hooks, exhaustive deps and the React Compiler's rules (purity, refs,
      // set-state-in-effect, immutability, ...).
      reactHooks.configs.flat.recommended,
      jsxA11y.flatConfigs.recommended,
    ],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
);
