// The engine's public surface: daemon/ and tui/ import only this file.
export * from './dicom/index.js';
export * from './deid/index.js';
