import { invalidParam } from '../llm-errors.ts';

/** Where a model is downloaded from, as llm.models.download resolved its `source`. */
export interface ModelSource {
  /** The URL the first request goes to (Hub references and Hub URLs point at the configured endpoint). */
  readonly url: URL;
  /** The file name at the end of the path, decoded, e.g. `Llama-3.2-1B-Instruct-Q4_K_M.gguf`. */
  readonly fileName: string;
  /** True for an `hf:` reference or a Hub URL: the Hub token may be sent and the Hub's `x-linked-*` headers are trusted. */
  readonly huggingFace: boolean;
}

/** Hosts whose URLs are read as Hub URLs and sent to the configured endpoint instead. */
const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
/** Hub owner and repository names. */
const HUB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** `/<owner>/<repo>/(resolve|blob)/<revision>/<path>`. */
const HUB_FILE_PATH = /^\/[^/]+\/[^/]+\/(resolve|blob)\/[^/]+\/.+/;
const CAPABILITY = 'llm.models.download';
const SHAPES = '`hf:<owner>/<repo>/<file>.gguf[@<revision>]`, `https://huggingface.co/<owner>/<repo>/resolve/<revision>/<file>.gguf` (or `/blob/`), or an http(s) URL of a .gguf file';

/** Reads `source` (an `hf:` reference, a Hub URL or any http(s) URL of a .gguf file); throws -32007 naming /source when it is none. */
export function resolveModelSource(source: string, huggingFaceEndpoint: string): ModelSource {
  const endpoint = new URL(huggingFaceEndpoint.endsWith('/') ? huggingFaceEndpoint : `${huggingFaceEndpoint}/`);
  if (source.startsWith('hf:')) return fromReference(source.slice(3), endpoint);
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw refuse(`is neither a URL nor an hf: reference; use ${SHAPES}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(`uses ${url.protocol}; only http and https are downloaded`);
  if (url.username || url.password) throw refuse('holds credentials; use config huggingFaceTokenEnv for the Hub instead');
  if (HUB_HOSTS.has(url.hostname) && url.protocol === 'https:') return fromHubPath(url.pathname, endpoint);
  // A URL of the endpoint itself (a mirror) is a Hub URL when it has the Hub's shape.
  const belowEndpoint = url.origin === endpoint.origin && url.pathname.startsWith(endpoint.pathname) ? `/${url.pathname.slice(endpoint.pathname.length)}` : undefined;
  if (belowEndpoint !== undefined && HUB_FILE_PATH.test(belowEndpoint)) return fromHubPath(belowEndpoint, endpoint);
  return { url, fileName: fileNameOf(decodeSegment(url.pathname.split('/').at(-1) ?? '')), huggingFace: false };
}

/** `<owner>/<repo>/<path>[@<revision>]`. */
function fromReference(reference: string, endpoint: URL): ModelSource {
  const at = reference.lastIndexOf('@');
  const revision = at === -1 ? 'main' : reference.slice(at + 1);
  const segments = (at === -1 ? reference : reference.slice(0, at)).split('/');
  if (revision.length === 0) throw refuse('has an empty revision after @');
  if (segments.length < 3) throw refuse('must name the owner, the repository and the file: hf:<owner>/<repo>/<file>.gguf');
  const [owner, repo, ...file] = segments as [string, string, ...string[]];
  return hubSource(owner, repo, revision, file, endpoint);
}

/** `/<owner>/<repo>/(resolve|blob)/<revision>/<path>` with URL-encoded segments. */
function fromHubPath(pathname: string, endpoint: URL): ModelSource {
  const segments = pathname.split('/').slice(1).map((segment) => decodeSegment(segment));
  const [owner, repo, kind, revision, ...file] = segments;
  if (owner === undefined || repo === undefined || (kind !== 'resolve' && kind !== 'blob') || !revision || file.length === 0) {
    throw refuse(`is a Hugging Face URL of no file; use ${SHAPES}`);
  }
  return hubSource(owner, repo, revision, file, endpoint);
}

function hubSource(owner: string, repo: string, revision: string, file: string[], endpoint: URL): ModelSource {
  if (!HUB_NAME.test(owner) || !HUB_NAME.test(repo)) throw refuse(`names the repository '${owner}/${repo}', which is not a Hub repository name`);
  if (file.some((segment) => segment === '' || segment === '.' || segment === '..')) throw refuse('has an empty, "." or ".." segment in its file path');
  const fileName = fileNameOf(file.at(-1)!);
  const path = [owner, repo, 'resolve', revision, ...file].map(encodeURIComponent).join('/');
  return { url: new URL(path, endpoint), fileName, huggingFace: true };
}

function fileNameOf(name: string): string {
  if (!name.toLowerCase().endsWith('.gguf') || name.length <= 5) throw refuse(`names '${name}', not a .gguf file; use ${SHAPES}`);
  return name;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw refuse(`has a badly encoded path segment '${segment}'`);
  }
}

function refuse(message: string) {
  return invalidParam(CAPABILITY, 'source', message);
}
