import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiClientFiles, PACKAGE_DIR } from './api-client-files.ts';

// `npm run api-client`: regenerates the API document and the client's types from the service's sources.
const files = await generateApiClientFiles();
for (const [path, text] of Object.entries(files)) {
  writeFileSync(join(PACKAGE_DIR, path), text);
  process.stdout.write(`wrote packages/api-client/${path}\n`);
}
