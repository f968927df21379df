// Drives the real @actions/artifact client for tests/integration/test_artifacts_interop.py.
//   node artifact-client.mjs upload <name> <root> <file>...
//   node artifact-client.mjs download <name> <dest>
//   node artifact-client.mjs list
// The package is loaded from $GOCROSS_NODE_MODULES (installed by .ci/setup.d/50-actions-artifact.sh).
// The client logs workflow commands on stdout; the result is the last line, prefixed "RESULT ".
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.GOCROSS_NODE_MODULES;
if (!modules) {
  console.error('GOCROSS_NODE_MODULES is not set');
  process.exit(2);
}
const entry = path.join(modules, '@actions', 'artifact', 'lib', 'artifact.js');
const { DefaultArtifactClient } = await import(pathToFileURL(entry).href);
const client = new DefaultArtifactClient();

const [command, ...args] = process.argv.slice(2);
let result;
if (command === 'upload') {
  const [name, root, ...files] = args;
  result = await client.uploadArtifact(name, files, root);
} else if (command === 'download') {
  const [name, dest] = args;
  const { artifact } = await client.getArtifact(name);
  const downloaded = await client.downloadArtifact(artifact.id, { path: dest, expectedHash: artifact.digest });
  result = { ...downloaded, id: artifact.id, digest: artifact.digest };
} else if (command === 'list') {
  result = await client.listArtifacts();
} else {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
console.log('RESULT ' + JSON.stringify(result));
