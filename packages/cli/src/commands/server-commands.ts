import type { Command } from '../command.ts';

/**
 * The service's commands, run by @qrlog/server itself (they parse their own options and print
 * their own usage). The server package is imported only when one of them runs, so the link
 * commands start without loading Fastify and the database drivers.
 */
const SERVER_COMMANDS: [name: string, summary: string][] = [
  ['serve', 'run the ingestion service (HTTPS; SQLite in --data-dir, or DATABASE_URL)'],
  ['loggers provision', 'register new loggers with fresh keys and write their key files'],
  ['loggers claim', 'claim a provisioned logger into an organization’s team (operator, on the host: no proof needed)'],
  ['loggers coverage', 'known sequence ranges and gaps of a logger'],
  ['loggers rotate-kek', 're-wrap every stored key under a new key-encryption key'],
  ['readings export', 'a logger’s stored readings as JSON or CSV'],
  ['readings rebuild', 'rebuild readings from the evidence and check they match'],
  ['verify', 'recompute the evidence hash chains, re-open every link, re-derive readings; check signed checkpoints and receipts'],
  ['checkpoints create', 'sign the head of every evidence chain now and write the checkpoint outside the database'],
  ['checkpoints public-key', 'print the public key of the checkpoint signing key'],
  ['checkpoints keygen', 'make a new checkpoint signing key in a file outside the data directory'],
  ['orgs create', 'create an organization (and invite its first admin)'],
  ['orgs invite', 'invite a member into an organization, linked at their first sign-in'],
  ['api-keys create', 'create an API key for an organization (the secret is shown once)'],
  ['operators setup-link', 'print a one-time link to set up a platform operator'],
  ['operators add', 'add a platform operator by e-mail, linked at their first sign-in'],
  ['backup run', 'snapshot the database, encrypt it with the backup key and upload it to a directory or S3 (manifest last)'],
  ['backup list', 'list the complete backups in a directory or S3 prefix (and those cut short)'],
  ['backup verify', 'download, decrypt, restore into a scratch database and verify a backup (exit 0 only when it all holds)'],
  ['backup restore', 'restore a backup into an empty data directory or PostgreSQL schema'],
  ['key-readers grant', 'give an organization admin the logger-key.read permission (emergency key export)'],
  ['key-readers revoke', 'take the logger-key.read permission back'],
  ['demo', 'a demo organization with a simulated logger and a few days of its readings: prints the links to its chart'],
  ['db migrate', 'bring the database schema up to date as its owner; give the service role its grants'],
];

export const serverCommands: Command[] = SERVER_COMMANDS.map(([name, summary]) => ({
  name,
  summary,
  usage: '',
  handlesHelp: true,
  async run(argv) {
    const server = await import('@qrlog/server');
    if (name === 'serve') return server.serve(argv);
    const run = server.serverCommands[name];
    if (!run) throw new Error(`@qrlog/server has no command ${name}`);
    return run(argv);
  },
}));
