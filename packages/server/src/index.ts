/**
 * @qrlog/server: the ingestion service's layers below HTTP (services → storage) and the
 * operator commands that use them. The HTTP layer builds on `openServices`.
 */
export { buildApiDocument } from './app/api-document.ts';
export { openServices, type OpenServicesOptions, type Services } from './app/open-services.ts';
export type * from './core/ingest/ingest-contract.ts';
export type { KekConfig } from './keys/kek-config.ts';
export { serverCommands, type ServerCommand } from './commands/server-commands.ts';
export { serve } from './commands/serve.ts';
