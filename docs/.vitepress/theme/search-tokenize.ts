/**
 * The local search's tokenizer, used both when the index is built and when a query is typed.
 *
 * MiniSearch splits text on spaces and punctuation, which leaves a run of Chinese characters as
 * one long "word": 握手 would then only match a query for the whole sentence around it. Runs
 * that contain Han characters are cut into words with Intl.Segmenter; everything else is split
 * exactly as MiniSearch's default does, so English search behaves as VitePress ships it.
 */

// MiniSearch's default separator: whitespace and punctuation.
const SPACE_OR_PUNCTUATION = /[\n\r\p{Z}\p{P}]+/u;
const HAN = /\p{Script=Han}/u;

let segmenter: Intl.Segmenter | undefined;

function chineseWords(run: string): string[] {
  if (typeof Intl === 'undefined' || typeof Intl.Segmenter !== 'function') return [run];
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const words: string[] = [];
  for (const segment of segmenter.segment(run)) {
    if (segment.isWordLike) words.push(segment.segment);
  }
  return words;
}

export function tokenize(text: string): string[] {
  return text
    .split(SPACE_OR_PUNCTUATION)
    .flatMap((token) => (HAN.test(token) ? chineseWords(token) : [token]))
    .filter((token) => token !== '');
}
