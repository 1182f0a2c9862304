/** llama.cpp token types (tokenizer.ggml.token_type) the tiny vocabulary uses. */
export const TokenType = { Normal: 1, Unknown: 2, Control: 3, Byte: 6 } as const;

/**
 * What the output layer does with a token: `blocked` is never sampled (control and byte tokens,
 * which would make invalid UTF-8 or odd markup), `end` ends a generation now and then, `word`
 * is a whole word and slightly favoured, `piece` is any other printable piece.
 */
export type TinyTokenKind = 'blocked' | 'end' | 'word' | 'piece';

/** A SentencePiece-style ("llama") vocabulary with its ids for the special tokens. */
export interface TinyVocabulary {
  readonly tokens: readonly string[];
  readonly scores: readonly number[];
  readonly types: readonly number[];
  readonly kinds: readonly TinyTokenKind[];
  readonly unknownId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly imStartId: number;
  readonly imEndId: number;
}

/** SentencePiece's visible space: the tokenizer writes every space (and a leading one) as this. */
export const SPACE_MARKER = '\u2581';

/** Words whose every space-led prefix is a token, so the tokenizer's merges can reach the whole word. */
const WORDS = [
  'the', 'a', 'and', 'of', 'to', 'is', 'in', 'it', 'on', 'for', 'you', 'we', 'can', 'this', 'that', 'with', 'what',
  'how', 'hello', 'world', 'tiny', 'model', 'test', 'local', 'server', 'token', 'text', 'code', 'chat', 'small',
  'quick', 'brown', 'fox', 'over', 'lazy', 'dog', 'plugin', 'kernel', 'good', 'yes', 'no',
];

/**
 * Builds the tiny model's vocabulary: <unk>, <s>, </s>, the 256 byte tokens, the space marker,
 * printable ASCII, the space-led word prefixes, then <|im_start|> and <|im_end|> for ChatML.
 */
export function buildTinyVocabulary(): TinyVocabulary {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const kinds: TinyTokenKind[] = [];
  const add = (token: string, type: number, kind: TinyTokenKind, score = 0): number => {
    tokens.push(token);
    scores.push(score);
    types.push(type);
    kinds.push(kind);
    return tokens.length - 1;
  };

  const unknownId = add('<unk>', TokenType.Unknown, 'blocked');
  const bosId = add('<s>', TokenType.Control, 'blocked');
  const eosId = add('</s>', TokenType.Control, 'end');
  for (let byte = 0; byte < 256; byte++) add(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, TokenType.Byte, 'blocked');
  add(SPACE_MARKER, TokenType.Normal, 'piece');
  // No plain space: the tokenizer never produces one, the space marker stands for it.
  for (let code = 0x21; code <= 0x7e; code++) add(String.fromCharCode(code), TokenType.Normal, 'piece');

  const words = new Set(WORDS.map((word) => SPACE_MARKER + word));
  const prefixes = new Set<string>();
  for (const word of words) for (let end = 2; end <= word.length; end++) prefixes.add(word.slice(0, end));
  // A longer piece scores higher, so the tokenizer prefers the longest merge it can make.
  for (const piece of prefixes) add(piece, TokenType.Normal, words.has(piece) ? 'word' : 'piece', piece.length);

  const imStartId = add('<|im_start|>', TokenType.Control, 'blocked');
  const imEndId = add('<|im_end|>', TokenType.Control, 'end');
  return { tokens, scores, types, kinds, unknownId, bosId, eosId, imStartId, imEndId };
}
