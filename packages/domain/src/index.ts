export * from './errors.ts';
export * from './result.ts';
export * from './device.ts';
export * from './device-types.ts';
export * from './reading.ts';
export * from './csv.ts';
export * from './device-import.ts';
export * from './text.ts';
