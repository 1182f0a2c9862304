// raw-echo: the transport floor. Writes every newline-delimited line of stdin back to stdout
// unchanged, one write per line as a plugin answers one message at a time: no JSON parsing, no
// library. Exits at stdin EOF.
process.stdin.setEncoding('utf8');
let partial = '';
process.stdin.on('data', (chunk) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop();
  for (const line of lines) process.stdout.write(line + '\n');
});
process.stdin.on('end', () => process.exit(0));
