import { Agent, request, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { MODEL_ID, PROMPT, SAMPLING, type GenerationSample } from './llm-workload.ts';

/** An OpenAI client of the gateway's `POST /v1/chat/completions`, over one keep-alive connection. */
export interface ChatCompletionsClient {
  /** Streams PROMPT's answer (`stream: true`, usage included): first content chunk and `[DONE]` timed from the request being sent. */
  stream(maxTokens: number): Promise<GenerationSample>;
  /** The same request with `stream: false`: one JSON body, no per-token traffic (TTFT unknown). */
  whole(maxTokens: number): Promise<GenerationSample>;
  /** Closes the connection. Idempotent. */
  close(): void;
}

/** The fields of a chat.completion(.chunk) the client reads. */
interface ChatCompletionPayload {
  choices?: Array<{ delta?: { content?: string }; message?: { content?: string } }>;
  usage?: { completion_tokens?: number };
}

/** Opens a client of `gatewayUrl` (`http://127.0.0.1:<port>`; no auth: the gateway's local operator). */
export function openChatCompletionsClient(gatewayUrl: string): ChatCompletionsClient {
  const url = new URL('/v1/chat/completions', gatewayUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: object, onResponse: (response: IncomingMessage, sentAt: number) => void, onError: (error: Error) => void) => {
    const text = JSON.stringify({ model: MODEL_ID, messages: [{ role: 'user', content: PROMPT }], ...SAMPLING, ...body });
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
    const sentAt = performance.now();
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (response) => onResponse(response, sentAt));
    req.on('error', onError);
    req.end(text);
  };
  return {
    stream: (maxTokens) =>
      new Promise((resolve, reject) => {
        post({ max_tokens: maxTokens, stream: true, stream_options: { include_usage: true } }, (response, sentAt) => {
          if (!expect(response, 'text/event-stream', reject)) return;
          const sample: GenerationSample = { ttftMs: null, totalMs: 0, completionTokens: 0, textChunks: 0, text: '' };
          let buffered = '';
          let done = false;
          response.setEncoding('utf8');
          response.on('data', (data: string) => {
            buffered += data;
            let end: number;
            while ((end = buffered.indexOf('\n\n')) >= 0) {
              const event = buffered.slice(0, end);
              buffered = buffered.slice(end + 2);
              if (event.startsWith('event: error')) return void reject(new Error(`the stream ended with ${event}`));
              if (!event.startsWith('data: ')) continue;
              const data = event.slice('data: '.length);
              if (data === '[DONE]') {
                sample.totalMs = performance.now() - sentAt;
                done = true;
                continue;
              }
              const chunk = JSON.parse(data) as ChatCompletionPayload;
              const content = chunk.choices?.[0]?.delta?.content;
              if (content) {
                sample.ttftMs ??= performance.now() - sentAt;
                sample.textChunks++;
                sample.text += content;
              }
              if (chunk.usage?.completion_tokens !== undefined) sample.completionTokens = chunk.usage.completion_tokens;
            }
          });
          response.on('end', () => (done ? resolve(sample) : reject(new Error('the stream ended without data: [DONE]'))));
          response.on('error', reject);
        }, reject);
      }),
    whole: (maxTokens) =>
      new Promise((resolve, reject) => {
        post({ max_tokens: maxTokens, stream: false }, (response, sentAt) => {
          if (!expect(response, 'application/json', reject)) return;
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (data: string) => (body += data));
          response.on('end', () => {
            const totalMs = performance.now() - sentAt;
            const answer = JSON.parse(body) as ChatCompletionPayload;
            const text = answer.choices?.[0]?.message?.content ?? '';
            resolve({ ttftMs: null, totalMs, completionTokens: answer.usage?.completion_tokens ?? 0, textChunks: 0, text });
          });
          response.on('error', reject);
        }, reject);
      }),
    close: () => agent.destroy(),
  };
}

/** True when the answer is a 200 of `type`; otherwise reads the body into a rejection. */
function expect(response: IncomingMessage, type: string, reject: (error: Error) => void): boolean {
  if (response.statusCode === 200 && response.headers['content-type']?.startsWith(type)) return true;
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (data: string) => (body += data));
  response.on('end', () => reject(new Error(`POST /v1/chat/completions answered ${response.statusCode} ${response.headers['content-type']}: ${body.slice(0, 500)}`)));
  return false;
}
