import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**'] },
  ...tseslint.configs.recommended,
  {
    // No import cycles anywhere in the product code: a circle means two files hold one behaviour between them.
    files: ['src-main/**/*.ts', 'src-renderer/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })],
      // Read imported .ts files with the TypeScript parser (else they are skipped and no cycle is seen).
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: [
      'src-main/esp/**/*.ts',
      'src-main/sim/**/*.ts',
      'src-main/doctor/**/*.ts',
      'src-main/station/**/*.ts',
      'src-main/flash/**/*.ts',
      'src-main/serial/**/*.ts',
      'src-main/service/**/*.ts',
      'src-main/core/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only src-main/hosts/electron may import electron.' }] },
      ],
    },
  },
  {
    files: ['src-main/esp/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['serialport', '@serialport/*', 'electron'],
              message: 'The engine speaks to a Transport only.',
            },
          ],
        },
      ],
    },
  },
);
