// The least a command hook that asks the hub can do, for bench/sections/agent-hook.ts: read the
// agent's JSON from stdin and the control token, POST them to /agents/claude/run over a plain
// socket, print the answer's stdout. Node's start, its net module and one round trip to the hub:
// no hook that asks a local server from a Node process costs less. Not Hookbox code; no checks.
//   node minimal-hook-client.cjs PORT TOKEN_FILE < input.json
const { readFileSync } = require('node:fs');
const { connect } = require('node:net');

const [port, tokenFile] = process.argv.slice(2);
const input = readFileSync(0);
const token = readFileSync(tokenFile, 'utf8').trim();
const socket = connect({ host: '127.0.0.1', port: Number(port), noDelay: true });
const chunks = [];
socket.on('connect', () =>
  socket.write(
    `POST /agents/claude/run HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${input.length}\r\nAuthorization: Bearer ${token}\r\n\r\n${input}`,
  ),
);
socket.on('data', (chunk) => chunks.push(chunk));
socket.on('end', () => {
  const raw = Buffer.concat(chunks).toString('utf8');
  const { answer } = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
  if (answer.stdout) process.stdout.write(answer.stdout);
  process.exitCode = answer.exitCode;
});
