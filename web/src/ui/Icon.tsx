// Folder icons as inline SVG (no icon font, no emoji font needed), drawn with the text
// colour; decorative, hidden from assistive technology.

const PATHS: Record<string, string> = {
  inbox: 'M2 9h3.5l1 2h3l1-2H14M2 9l2-6h8l2 6v4H2z',
  drafts: 'M3 13l1-3 7-7 2 2-7 7zM10 4l2 2',
  sent: 'M2 8l12-5-5 12-2-5z M7 10l7-7',
  archive: 'M2 3h12v3H2zM3 6v7h10V6M6 9h4',
  junk: 'M8 2l6 11H2zM8 6v3M8 11v.5',
  trash: 'M3 4h10M6 4V2h4v2M4 4l1 10h6l1-10',
  folder: 'M2 4h4l1.5 1.5H14V13H2z',
};

export function Icon(props: { name: string }) {
  return (
    <svg class="icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={PATHS[props.name] ?? PATHS.folder} fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round" stroke-linecap="round" />
    </svg>
  );
}
