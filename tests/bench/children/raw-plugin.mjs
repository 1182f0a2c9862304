// raw-plugin: the smallest plugin the kernel accepts, with Node builtins only and no SDK. Answers
// `initialize` (one capability, `rawplugin.echo`, returning its params without `_meta`), `$/ping`
// and `shutdown`; exits at stdin EOF. Measures the kernel's share of start-up and call cost
// without the SDK's.
const COOKIE_ENV = 'CYBERSTUDIO_PLUGIN_COOKIE';
const COOKIE_VALUE = 'cyberstudio-plugin-v1-7f3a9c';
const ECHO_PARAMS = { type: 'object', properties: { msg: { type: 'string' } }, required: ['msg'] };

if (process.env[COOKIE_ENV] !== COOKIE_VALUE) {
  process.stderr.write('raw-plugin is a CyberDevStudio benchmark plugin, started by the kernel (tests/bench).\n');
  process.exit(1);
}
process.stdout.on('error', () => {});

const send = (message) => process.stdout.write(JSON.stringify(message) + '\n');

function answer(method, params) {
  switch (method) {
    case 'rawplugin.echo': {
      const { _meta, ...rest } = params ?? {};
      return rest;
    }
    case 'initialize':
      return {
        name: process.env.CYBERSTUDIO_PLUGIN_NAME ?? 'bench-raw',
        version: '0.1.0',
        protocolVersion: 1,
        capabilities: [{ name: 'rawplugin.echo', description: 'Returns its params.', params: ECHO_PARAMS, result: { type: 'object' }, stream: false }],
      };
    case '$/ping':
    case 'shutdown':
      return {};
    default:
      return undefined;
  }
}

function receive(line) {
  const { id, method, params } = JSON.parse(line);
  if (id === undefined) return; // notifications: initialized, $/cancelRequest
  const result = answer(method, params);
  if (result === undefined) send({ jsonrpc: '2.0', id, error: { code: -32001, message: `raw-plugin does not provide ${method}` } });
  else send({ jsonrpc: '2.0', id, result });
}

process.stdin.setEncoding('utf8');
let partial = '';
process.stdin.on('data', (chunk) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop();
  for (const line of lines) if (line) receive(line);
});
process.stdin.on('end', () => process.exit(0));
