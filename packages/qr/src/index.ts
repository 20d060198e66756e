export * from './browser.ts';
export { renderPng } from './render-png.ts';
