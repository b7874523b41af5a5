import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**'] },
  ...tseslint.configs.recommended,
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
