/**
 * Kiln's vocabulary: the names and allowed values every side shares (contract method and event names, IPC
 * channels, chips, bauds, limits). Plain constants with no imports at all, so the sandboxed preload and the
 * renderer load it at run time; the zod contract builds its schemas from it.
 */
export * from './api-names';
export * from './bauds';
export * from './board-counts';
export * from './board-presets';
export * from './chips';
export * from './flash-options';
export * from './hand-actions';
export * from './job-phases';
export * from './limits';
export * from './port-names';
