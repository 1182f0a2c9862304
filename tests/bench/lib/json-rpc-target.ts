import { fileURLToPath } from 'node:url';
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient } from 'json-rpc-2.0';
import type { CallTarget } from './call-target.ts';
import { spawnNdjsonChild, type NdjsonChild } from './ndjson-child.ts';

const jsonRpcEcho = fileURLToPath(new URL('../children/jsonrpc-echo.mjs', import.meta.url));

/** One hop with a JSON-RPC library on both ends: json-rpc-2.0's JSONRPCServerAndClient, method `echo`. */
export function openJsonRpcTarget(): CallTarget {
  let child: NdjsonChild | undefined;
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((request) => child!.send(JSON.stringify(request))),
  );
  child = spawnNdjsonChild(
    jsonRpcEcho,
    (line) => void peer.receiveAndSend(JSON.parse(line)),
    (error) => peer.rejectAllPendingRequests(error.message),
  );
  return {
    pid: child.pid,
    echo: (params) => Promise.resolve(peer.request('echo', params)),
    close: () => child.close(),
  };
}
