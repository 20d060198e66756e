/**
 * @qrlog/api-client: a typed client of the qrlog API, generated from the service's own OpenAPI
 * document (openapi.json, beside this package's sources) by openapi-typescript, on openapi-fetch.
 */
export { createQrlogClient, type QrlogClient, type QrlogClientOptions, type TokenSource } from './qrlog-client.ts';
export { apiKeyTokens, type ApiKeyCredentials } from './api-key-tokens.ts';
export type { components, operations, paths } from './schema.ts';
