/** ```mermaid fences become <CourseDiagram>, which theme/course-diagram.ts draws in the browser. */
import type { MarkdownRenderer } from 'vitepress';

export function diagrams(md: MarkdownRenderer): void {
  const fence = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, index, options, env, self) => {
    const token = tokens[index];
    if (token && token.info.trim() === 'mermaid') {
      return `<CourseDiagram graph="${encodeURIComponent(token.content)}" />\n`;
    }
    return fence
      ? fence(tokens, index, options, env, self)
      : self.renderToken(tokens, index, options);
  };
}
