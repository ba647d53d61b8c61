// SearchSnippet text (RFC 8621 §5.1): HTML-escaped text with <mark></mark> around the
// matches. Parsed here into plain pieces; nothing else of it is ever HTML.

export interface SnippetPiece {
  text: string;
  mark: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#34': '"' };

export function unescapeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z0-9]+);/gi, (m, name: string) => {
    const lower = name.toLowerCase();
    if (lower in ENTITIES) return ENTITIES[lower]!;
    if (lower.startsWith('#x')) return safeCodePoint(parseInt(lower.slice(2), 16)) ?? m;
    if (lower.startsWith('#')) return safeCodePoint(parseInt(lower.slice(1), 10)) ?? m;
    return m;
  });
}

function safeCodePoint(cp: number): string | null {
  return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : null;
}

/** Splits a snippet into text pieces, marked or not; any other tag is kept as text. */
export function parseSnippet(s: string | null): SnippetPiece[] {
  if (!s) return [];
  const out: SnippetPiece[] = [];
  let mark = false;
  for (const token of s.split(/(<\/?mark>)/i)) {
    if (/^<mark>$/i.test(token)) mark = true;
    else if (/^<\/mark>$/i.test(token)) mark = false;
    else if (token) out.push({ text: unescapeEntities(token), mark });
  }
  return out;
}
