/** One sample line: its full name (`x_bucket`, `x_sum`, ...), labels and value. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family: its TYPE, HELP and samples. */
export interface PromFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<PromFamily['type'], string[]> = { counter: [''], gauge: [''], untyped: [''], histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/**
 * Parses Prometheus text exposition format 0.0.4 strictly, throwing on the first departure:
 * every family has one HELP and one TYPE before its samples, its samples are contiguous and
 * carry its name (with the type's suffixes), label names and escapes are valid, no series
 * repeats, counters are not negative, and histogram buckets carry `le`, are cumulative and
 * end in +Inf equal to `_count`. Returns the families by name.
 */
export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Partial<PromFamily> & { name: string; samples: PromSample[] }>();
  const series = new Set<string>();
  let current: (Partial<PromFamily> & { name: string; samples: PromSample[] }) | undefined;
  text.split('\n').slice(0, -1).forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line)})`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return;
      const [, keyword, name, rest] = match as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name`);
      if (current?.name !== name) {
        if (families.has(name)) throw new Error(`${where}: family ${name} appears twice`);
        current = { name, samples: [] };
        families.set(name, current);
      }
      if (keyword === 'HELP') {
        if (current.help !== undefined) throw new Error(`${where}: second HELP`);
        current.help = unescape(rest, false, where);
      } else {
        if (current.type !== undefined) throw new Error(`${where}: second TYPE`);
        if (current.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
        current.type = rest as PromFamily['type'];
      }
      return;
    }
    const sample = parseSample(line, where);
    const family = current;
    if (family?.type === undefined) throw new Error(`${where}: sample before its family's TYPE`);
    if (!SUFFIXES[family.type].some((suffix) => family.name + suffix === sample.name)) throw new Error(`${where}: sample does not belong to family ${family.name} (${family.type})`);
    if (family.type === 'counter' && !(sample.value >= 0)) throw new Error(`${where}: negative counter`);
    const key = `${sample.name}{${Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (series.has(key)) throw new Error(`${where}: series repeated`);
    series.add(key);
    family.samples.push(sample);
  });
  const complete = new Map<string, PromFamily>();
  for (const family of families.values()) {
    if (family.type === undefined || family.help === undefined) throw new Error(`family ${family.name} lacks TYPE or HELP`);
    const checked = family as PromFamily;
    if (checked.type === 'histogram') checkHistogram(checked);
    complete.set(family.name, checked);
  }
  return complete;
}

/** The value of the sample named `name` whose labels include `labels`; throws unless exactly one matches. */
export function sampleValue(families: Map<string, PromFamily>, family: string, name: string, labels: Record<string, string> = {}): number {
  const found = families.get(family)?.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) ?? [];
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

function parseSample(line: string, where: string): PromSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`${where}: bad sample name`);
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"(,?)/.exec(rest);
      if (!label) throw new Error(`${where}: bad label set`);
      const [whole, labelName, raw, comma] = label as unknown as [string, string, string, string];
      if (!LABEL_NAME.test(labelName) || labelName.startsWith('__')) throw new Error(`${where}: bad label name ${labelName}`);
      if (Object.hasOwn(labels, labelName)) throw new Error(`${where}: label ${labelName} repeated`);
      labels[labelName] = unescape(raw, true, where);
      rest = rest.slice(whole.length);
      if (comma === '' && !rest.startsWith('}')) throw new Error(`${where}: labels must be separated by commas`);
    }
    rest = rest.slice(1);
  }
  const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!valueMatch) throw new Error(`${where}: expected " value [timestamp]"`);
  return { name, labels, value: parseValue(valueMatch[1]!, where) };
}

/** A float as Prometheus reads one (Go's ParseFloat: NaN and Inf in any case; prom-client writes "Nan"). */
function parseValue(text: string, where: string): number {
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Number.POSITIVE_INFINITY;
  if (special === '-inf') return Number.NEGATIVE_INFINITY;
  if (special === 'nan') return Number.NaN;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${text}`);
  return Number(text);
}

function unescape(text: string, quotes: boolean, where: string): string {
  return text.replace(/\\(.?)/g, (_whole, next: string) => {
    if (next === '\\') return '\\';
    if (next === 'n') return '\n';
    if (quotes && next === '"') return '"';
    throw new Error(`${where}: bad escape \\${next}`);
  });
}

function checkHistogram(family: PromFamily): void {
  const groups = new Map<string, PromSample[]>();
  for (const sample of family.samples) {
    const { le, ...others } = sample.labels;
    if (sample.name.endsWith('_bucket') && le === undefined) throw new Error(`${family.name}: bucket without le`);
    const key = JSON.stringify(Object.entries(others).sort(([a], [b]) => a.localeCompare(b)));
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  for (const [key, samples] of groups) {
    const buckets = samples.filter((sample) => sample.name.endsWith('_bucket'));
    const count = samples.find((sample) => sample.name.endsWith('_count'));
    if (!samples.some((sample) => sample.name.endsWith('_sum')) || !count) throw new Error(`${family.name}${key}: missing _sum or _count`);
    const bounds = buckets.map((bucket) => parseValue(bucket.labels.le!, family.name));
    if (bounds.at(-1) !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}${key}: no +Inf bucket last`);
    for (let index = 1; index < buckets.length; index++) {
      if (!(bounds[index]! > bounds[index - 1]!)) throw new Error(`${family.name}${key}: bucket bounds not increasing`);
      if (buckets[index]!.value < buckets[index - 1]!.value) throw new Error(`${family.name}${key}: buckets not cumulative`);
    }
    if (buckets.at(-1)!.value !== count.value) throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
  }
}
