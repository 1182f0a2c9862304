// jsonrpc-echo: json-rpc-2.0's JSONRPCServerAndClient on a child's stdio (bidirectional, as a
// plugin that also calls its host would be); method `echo` returns its params. Exits at stdin EOF.
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient } from 'json-rpc-2.0';

const peer = new JSONRPCServerAndClient(
  new JSONRPCServer(),
  new JSONRPCClient((request) => void process.stdout.write(JSON.stringify(request) + '\n')),
);
peer.addMethod('echo', (params) => params);

process.stdin.setEncoding('utf8');
let partial = '';
process.stdin.on('data', (chunk) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop();
  for (const line of lines) if (line) void peer.receiveAndSend(JSON.parse(line));
});
process.stdin.on('end', () => process.exit(0));
