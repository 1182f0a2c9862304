import { readFileSync } from 'node:fs';
import { round } from './stats.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Time (ms) and its share of the busy (non-idle) time. */
export interface TimeShare {
  name: string;
  ms: number;
  percent: number;
}

/** Where one process spent its CPU time, from a `node --cpu-prof` file. */
export interface ProfileSummary {
  file: string;
  busyMs: number;
  idleMs: number;
  /** Self time by function, highest first. */
  selfByFunction: TimeShare[];
  /** Self time by source file, package or V8 bucket, highest first. */
  selfByArea: TimeShare[];
  /** Inclusive time of the repository's own functions (kernel/, sdk/, tests/bench/), highest first. */
  inclusiveOwnCode: TimeShare[];
}

const IDLE = '(idle)';
const repoPath = new URL('../../../', import.meta.url).pathname;

/** Reads a .cpuprofile and attributes every sample's time to its function, file and callers. */
export function summarizeCpuProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));

  const selfByFunction = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === IDLE) {
      idleUs += us;
      continue;
    }
    busyUs += us;
    add(selfByFunction, functionKey(frame), us);
    add(selfByArea, areaOf(frame), us);
  }

  // Inclusive time per function, counting a recursive function once per stack.
  const inclusive = new Map<string, number>();
  const onStack = new Map<string, number>();
  const totalUs = (node: ProfileNode): number => {
    const key = functionKey(node.callFrame);
    onStack.set(key, (onStack.get(key) ?? 0) + 1);
    let us = node.callFrame.functionName === IDLE ? 0 : selfUs.get(node.id) ?? 0;
    for (const child of node.children ?? []) us += totalUs(byId.get(child)!);
    onStack.set(key, onStack.get(key)! - 1);
    if (onStack.get(key) === 0 && isOwnCode(node.callFrame.url)) add(inclusive, key, us);
    return us;
  };
  totalUs(profile.nodes[0]!);

  const shares = (map: Map<string, number>) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: round(us / 1000), percent: round((100 * us) / busyUs) }));
  return {
    file,
    busyMs: round(busyUs / 1000),
    idleMs: round(idleUs / 1000),
    selfByFunction: shares(selfByFunction),
    selfByArea: shares(selfByArea),
    inclusiveOwnCode: shares(inclusive),
  };
}

/** Plain-text rendering of a summary. */
export function formatProfileSummary(summary: ProfileSummary): string {
  const list = (title: string, shares: TimeShare[]) =>
    [`  ${title}:`, ...shares.map((share) => `    ${share.percent.toFixed(1).padStart(5)}%  ${share.ms.toFixed(0).padStart(6)} ms  ${share.name}`)].join('\n');
  return [
    `${summary.file}: busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
    list('self time by function (% of busy)', summary.selfByFunction),
    list('self time by area', summary.selfByArea),
    list('inclusive time of repository code', summary.inclusiveOwnCode),
  ].join('\n');
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function functionKey({ functionName, url, lineNumber }: ProfileNode['callFrame']): string {
  if (!url) return functionName || '(anonymous, no script)';
  // Positions in files tsx compiled are those of its output, not of the source: name the file only.
  const where = url.endsWith('.ts') ? shortUrl(url) : `${shortUrl(url)}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'} ${where}`;
}

function areaOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(no script: eval / new Function, e.g. ajv validators; or builtins)';
  const short = shortUrl(url);
  const nodeModule = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short)?.[1];
  return nodeModule ? `npm:${nodeModule}` : short;
}

function shortUrl(url: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return path.startsWith(repoPath) ? path.slice(repoPath.length) : path;
}

function isOwnCode(url: string): boolean {
  const short = shortUrl(url);
  return /^(kernel|sdk|plugins|tests\/bench)\//.test(short);
}
