/**
 * A ```mermaid block, drawn in the browser.
 *
 * The page is built with the diagram's source in a <pre>, which is what a reader without
 * JavaScript sees. Once mounted, mermaid (loaded only on pages that have a diagram) draws the
 * SVG in its place, again when the colour scheme changes. A diagram mermaid cannot parse keeps
 * its source on the page with the error under it, instead of disappearing.
 */
import { useData } from 'vitepress';
import { defineComponent, h, onMounted, ref, watch } from 'vue';

// The system's sans-serif is there at once: measured in a web font that has not loaded yet, a
// label can come out wider than the box drawn for it.
const DIAGRAM_FONT = 'ui-sans-serif, system-ui, sans-serif';

let diagrams = 0;

/** A parse error's position (its first lines), without the parser's list of expected tokens. */
function summarize(message: string): string {
  const lines = message.split('\n');
  const expecting = lines.findIndex((line) => line.startsWith('Expecting'));
  return lines.slice(0, expecting > 0 ? Math.min(expecting, 3) : 3).join('\n');
}

export const CourseDiagram = defineComponent({
  name: 'CourseDiagram',
  props: {
    /** The diagram's source, URI-encoded so that it survives as an HTML attribute. */
    graph: { type: String, required: true },
  },
  setup(props) {
    const { isDark, lang } = useData();
    const source = decodeURIComponent(props.graph);
    const svg = ref<string>();
    const failure = ref<string>();

    async function draw(): Promise<void> {
      try {
        const { default: mermaid } = await import('mermaid');
        mermaid.initialize({
          startOnLoad: false,
          securityLevel: 'strict',
          suppressErrorRendering: true,
          theme: isDark.value ? 'dark' : 'default',
          fontFamily: DIAGRAM_FONT,
          themeVariables: { fontFamily: DIAGRAM_FONT },
        });
        diagrams += 1;
        svg.value = (await mermaid.render(`course-diagram-${diagrams}`, source)).svg;
        failure.value = undefined;
      } catch (error) {
        svg.value = undefined;
        failure.value = summarize(error instanceof Error ? error.message : String(error));
      }
    }

    onMounted(draw);
    watch(isDark, draw);

    return () => {
      if (svg.value !== undefined) {
        return h('div', { class: 'course-diagram', innerHTML: svg.value });
      }
      const note = lang.value.startsWith('zh')
        ? '此图无法绘制：'
        : 'This diagram could not be drawn: ';
      return h('div', { class: 'course-diagram' }, [
        h('pre', { class: 'course-diagram-source' }, source),
        failure.value === undefined
          ? null
          : h('p', { class: 'course-diagram-error' }, `${note}${failure.value}`),
      ]);
    };
  },
});
