// raw-relay: the floor of any two-hop route, with no library. Spawns raw-echo.mjs, and for each
// line on stdin parses the request, gives it its own id, forwards it to the echo child, and on
// the reply restores the caller's id and writes it back; a router can do no less. Exits at stdin EOF.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const echo = spawn(process.execPath, [fileURLToPath(new URL('./raw-echo.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
const callerIds = new Map();
let nextId = 1;

function onLines(stream, onLine) {
  stream.setEncoding('utf8');
  let partial = '';
  stream.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) onLine(line);
  });
}

onLines(process.stdin, (line) => {
  const request = JSON.parse(line);
  const id = nextId++;
  callerIds.set(id, request.id);
  request.id = id;
  echo.stdin.write(JSON.stringify(request) + '\n');
});
onLines(echo.stdout, (line) => {
  const reply = JSON.parse(line);
  const callerId = callerIds.get(reply.id);
  callerIds.delete(reply.id);
  reply.id = callerId;
  process.stdout.write(JSON.stringify(reply) + '\n');
});
process.stdin.on('end', () => {
  echo.once('exit', () => process.exit(0));
  echo.stdin.end();
});
