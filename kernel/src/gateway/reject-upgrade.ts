import type { Duplex } from 'node:stream';

/** Answers a refused WebSocket upgrade with a plain HTTP status and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) return void socket.destroy();
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`);
}
