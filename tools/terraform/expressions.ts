/**
 * The few Terraform expressions cdktf writes into cdk.tf.json, evaluated against known values:
 * templates ("arn:...:${local.account}:..."), references (`type.name.attribute`, `local.name`),
 * string and number literals, and the functions element, split and join. Anything else is
 * refused by name, never guessed.
 */
import type { Json } from './plan-json';

/** Resolves a reference such as ["aws_iam_role", "x", "arn"] or ["local", "account"]. */
export type ResolveReference = (traversal: readonly string[]) => Json;

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Token = { kind: 'string' | 'number' | 'name' | 'punctuation'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === '"') {
      let text = '';
      index += 1;
      while (index < source.length && source[index] !== '"') {
        if (source[index] === '\\') index += 1;
        text += source[index];
        index += 1;
      }
      if (source[index] !== '"') throw new ExpressionError(`unterminated string in ${source}`);
      index += 1;
      tokens.push({ kind: 'string', text });
    } else if (/[0-9]/.test(char)) {
      const text = /^[0-9]+/.exec(source.slice(index))![0];
      tokens.push({ kind: 'number', text });
      index += text.length;
    } else if (/[A-Za-z_]/.test(char)) {
      const text = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*/.exec(source.slice(index))![0];
      tokens.push({ kind: 'name', text });
      index += text.length;
    } else if ('(),'.includes(char)) {
      tokens.push({ kind: 'punctuation', text: char });
      index += 1;
    } else {
      throw new ExpressionError(`cannot evaluate "${source}": unsupported character "${char}"`);
    }
  }
  return tokens;
}

const FUNCTIONS: Record<string, (args: Json[]) => Json> = {
  element: ([list, position]) => {
    if (!Array.isArray(list) || list.length === 0 || typeof position !== 'number') throw new ExpressionError('element() needs a non-empty list and an index');
    return list[position % list.length];
  },
  split: ([separator, text]) => String(text).split(String(separator)),
  join: ([separator, list]) => (Array.isArray(list) ? list.map(String).join(String(separator)) : String(list)),
};

/** Evaluates one expression (what sits between `${` and `}`). */
export function evaluateExpression(source: string, resolve: ResolveReference): Json {
  const tokens = tokenize(source);
  let position = 0;
  const expect = (text: string): void => {
    if (tokens[position]?.text !== text) throw new ExpressionError(`cannot evaluate "${source}": expected "${text}"`);
    position += 1;
  };
  const expression = (): Json => {
    const token = tokens[position];
    if (!token) throw new ExpressionError(`cannot evaluate "${source}": unexpected end`);
    position += 1;
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind !== 'name') throw new ExpressionError(`cannot evaluate "${source}": unexpected "${token.text}"`);
    if (tokens[position]?.text !== '(') return resolve(token.text.split('.'));
    const fn = FUNCTIONS[token.text];
    if (!fn) throw new ExpressionError(`cannot evaluate "${source}": function ${token.text}() is not supported`);
    expect('(');
    const args: Json[] = [];
    while (tokens[position]?.text !== ')') {
      args.push(expression());
      if (tokens[position]?.text === ',') position += 1;
      else if (tokens[position]?.text !== ')') throw new ExpressionError(`cannot evaluate "${source}": expected "," or ")"`);
    }
    expect(')');
    return fn(args);
  };
  const value = expression();
  if (position !== tokens.length) throw new ExpressionError(`cannot evaluate "${source}": unexpected "${tokens[position].text}"`);
  return value;
}

/** Splits a template into literal text and `${...}` expressions (braces inside strings included). */
type TemplatePart = { literal: string } | { expression: string };

function templateParts(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let index = 0;
  while (index < template.length) {
    const start = template.indexOf('${', index);
    if (start < 0) {
      parts.push({ literal: template.slice(index) });
      break;
    }
    if (start > index) parts.push({ literal: template.slice(index, start) });
    let depth = 1;
    let inString = false;
    let end = start + 2;
    for (; end < template.length && depth > 0; end += 1) {
      const char = template[end];
      if (inString) {
        if (char === '\\') end += 1;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === '{') depth += 1;
      else if (char === '}') depth -= 1;
    }
    if (depth > 0) throw new ExpressionError(`unterminated \${ in ${template}`);
    parts.push({ expression: template.slice(start + 2, end - 1) });
    index = end;
  }
  return parts;
}

/** A string from cdk.tf.json: itself, the value of its one expression, or the template filled in. */
export function evaluateTemplate(template: string, resolve: ResolveReference): Json {
  if (!template.includes('${')) return template;
  const parts = templateParts(template);
  if (parts.length === 1 && 'expression' in parts[0]) return evaluateExpression(parts[0].expression, resolve);
  return parts.map((part) => ('literal' in part ? part.literal : String(evaluateExpression(part.expression, resolve)))).join('');
}
