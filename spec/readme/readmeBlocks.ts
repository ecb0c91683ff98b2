import { readFileSync } from 'node:fs';

/**
 * One fenced code block of a Markdown file: its info string split into language and tag.
 * @example
 *   const [first] = codeBlocks('README.md'); // { language: 'sh', tag: '', code: 'npm install && npm start' }
 */
export interface CodeBlock {
  language: string;
  /** The second word of the info string, e.g. `example-node` in "```js example-node". */
  tag: string;
  /** The lines between the fences, without the final newline. */
  code: string;
}

/**
 * The fenced (```) code blocks of a Markdown file, in order. Throws on an unclosed fence.
 * @example
 *   const node = codeBlocks('README.md').find((block) => block.tag === 'example-node');
 */
export function codeBlocks(file: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { info: string[]; lines: string[] } | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (open === undefined) {
      const fence = /^```(.*)$/.exec(line);
      if (fence) open = { info: fence[1].trim().split(/\s+/), lines: [] };
    } else if (line === '```') {
      blocks.push({ language: open.info[0] ?? '', tag: open.info[1] ?? '', code: open.lines.join('\n') });
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  if (open !== undefined) throw new Error(`${file}: a code block is not closed`);
  return blocks;
}
