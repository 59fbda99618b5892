// Styles for what MediaGate draws in pages. Constructed stylesheets, because a page's CSP (style-src)
// governs <style> elements and style attributes but not the CSSOM: on a page without 'unsafe-inline'
// an inline style would leave MediaGate's UI unstyled, or worse, laid out inside the page.

/** Adopts `css` into a shadow root or document; falls back to a <style> element where it cannot. */
export function adoptStyles(root: ShadowRoot | Document, css: string): () => void {
  const doc = root.nodeType === 9 ? (root as Document) : (root as ShadowRoot).ownerDocument;
  try {
    // The PiP window's document is another realm: its own CSSStyleSheet constructor.
    const sheet = new (doc.defaultView ?? window).CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return () => {
      root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
    };
  } catch {
    const style = doc.createElement('style');
    style.textContent = css;
    (root.nodeType === 9 ? (root as Document).head : root).append(style);
    return () => style.remove();
  }
}
