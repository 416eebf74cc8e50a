/**
 * The bearer key of this tab: kept in sessionStorage only (gone when the tab closes,
 * never in localStorage, cookies or the URL).
 */
const STORAGE_KEY = "risk-api.key";

export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Strips a pasted "Bearer " prefix and surrounding space. */
export function normaliseKey(raw: string): string {
  return raw.trim().replace(/^Bearer\s+/i, "");
}

/**
 * Shows a form asking for the key inside `host` and resolves with it once submitted; the
 * key is stored for the tab. Nothing is requested from the server before that.
 */
export function askForKey(host: HTMLElement, title: string): Promise<string> {
  const existing = storedKey();
  if (existing) return Promise.resolve(existing);
  return new Promise((resolve) => {
    const form = document.createElement("form");
    form.className = "key-form";
    form.dataset.testid = "key-form";
    const heading = document.createElement("h1");
    heading.textContent = title;
    const label = document.createElement("label");
    label.textContent = "API key or token ";
    const input = document.createElement("input");
    input.type = "password";
    input.name = "key";
    input.autocomplete = "off";
    input.required = true;
    input.placeholder = "rk_… or a JWT";
    label.append(input);
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = "Open";
    const note = document.createElement("p");
    note.textContent = "Sent as Authorization: Bearer …; kept in this tab's session storage only.";
    form.append(heading, label, button, note);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const key = normaliseKey(input.value);
      if (!key) return;
      storeKey(key);
      form.remove();
      resolve(key);
    });
    host.append(form);
    input.focus();
  });
}
