// @ts-check
/**
 * One process of a naive read-modify-write counter (the bug the analysis must find): read with
 * ConsistentRead=false, put n+1 without a condition, `increments` times. Plain `fetch` (one
 * keep-alive connection) or aws-sdk v2, chosen by argv[2]; the job is argv[3] as JSON:
 * { endpoint, domain, item, increments, clientId? }. Exits 0 when done.
 */
const [, , kind, jobText] = process.argv;
const job = JSON.parse(jobText ?? '{}');
const headers = { 'content-type': 'application/x-www-form-urlencoded', ...(job.clientId ? { 'x-simpledb-client': job.clientId } : {}) };

async function call(params) {
  const res = await fetch(job.endpoint + '/', {
    method: 'POST',
    headers,
    body: new URLSearchParams({ Version: '2009-04-15', DomainName: job.domain, ItemName: job.item, ...params }),
  });
  const xml = await res.text();
  if (res.status !== 200) throw new Error(`${params.Action}: ${res.status} ${xml}`);
  return xml;
}

const viaFetch = {
  async read() {
    const xml = await call({ Action: 'GetAttributes', ConsistentRead: 'false' });
    return Number(/<Name>n<\/Name><Value>(\d+)<\/Value>/.exec(xml)?.[1] ?? '0');
  },
  async write(n) {
    await call({ Action: 'PutAttributes', 'Attribute.1.Name': 'n', 'Attribute.1.Value': String(n), 'Attribute.1.Replace': 'true' });
  },
};

async function viaSdk() {
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
  const { default: AWS } = await import('aws-sdk');
  const sdb = new AWS.SimpleDB({
    endpoint: job.endpoint,
    region: 'us-east-1',
    accessKeyId: 'AKIDANALYZE',
    secretAccessKey: 'analyze-secret',
    maxRetries: 0,
    ...(job.customUserAgent ? { customUserAgent: job.customUserAgent } : {}),
  });
  const { DomainName, ItemName } = { DomainName: job.domain, ItemName: job.item };
  return {
    async read() {
      const out = await sdb.getAttributes({ DomainName, ItemName, ConsistentRead: false }).promise();
      return Number(out.Attributes?.find((a) => a.Name === 'n')?.Value ?? '0');
    },
    async write(n) {
      await sdb.putAttributes({ DomainName, ItemName, Attributes: [{ Name: 'n', Value: String(n), Replace: true }] }).promise();
    },
  };
}

const counter = kind === 'aws-sdk' ? await viaSdk() : viaFetch;
for (let i = 0; i < job.increments; i++) await counter.write((await counter.read()) + 1);
