// Run by keyless.test.ts in a child process whose environment has no AWS credentials: one client
// from the built package, configured by argv[2] (JSON), sends ListDomains twice and reports.
import { ListDomainsCommand, SimpleDBClient, SimpleDBError } from '../../dist/client/index.js';

const config = JSON.parse(process.argv[2] ?? '{}');
const debug = [];
const logger = { debug: (...args) => debug.push(args.map(String).join(' ')), info() {}, warn() {}, error() {} };
const client = new SimpleDBClient({ ...config, logger, maxAttempts: 1 });
const result = { debug, ok: 0 };
try {
  for (let i = 0; i < 2; i++) {
    result.domains = (await client.send(new ListDomainsCommand({}))).DomainNames;
    result.ok++;
  }
} catch (err) {
  result.error = { name: err.name, message: err.message, isSimpleDBError: err instanceof SimpleDBError, attempts: err.$metadata?.attempts };
} finally {
  await client.destroy();
}
process.stdout.write(JSON.stringify(result));
